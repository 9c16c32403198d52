/**
 * Seeded synthetic driver legs and passenger requests on real Lot routes (../shared/data/bench/lot-routes-20k:
 * routes computed by OSRM on the Lot road graph). Used by the matching benchmark and the recall test.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import seedrandom from 'seedrandom';
import { cumulativeM } from '../src/geo/polyline.ts';
import { legKey, NO_BOOKINGS, type Leg } from '../src/matching/legs.ts';
import type { MatchQuery } from '../src/matching/matcher.ts';
import type { LngLat } from '../src/routing/types.ts';

export interface RawRoute {
  c: LngLat[];
  m: number;
  s: number;
}

export function readRoutes(file: string): RawRoute[] {
  return zlib
    .gunzipSync(fs.readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RawRoute);
}

/**
 * A place of France where the Lot's routes are laid again, as its own territory: the way a national deployment or an
 * interoperability hub holds many territories' trips. Offsets in degrees; places 1.4° apart or more never overlap
 * (the Lot spans 1.25° of longitude, 0.85° of latitude).
 */
export interface Place {
  territoryId: number;
  name: string;
  dLng: number;
  dLat: number;
}

const LOT_CENTRE: LngLat = [1.6, 44.62];
const centres: [string, number, number][] = [
  ['Lot', 1.6, 44.62],
  ['Finistère', -4.0, 48.3],
  ['Ille-et-Vilaine', -1.6, 48.1],
  ['Calvados', 0.4, 49.1],
  ['Somme', 2.6, 49.8],
  ['Moselle', 6.3, 48.9],
  ['Côte-d’Or', 4.6, 47.3],
  ['Loir-et-Cher', 1.8, 47.5],
  ['Vendée', -1.2, 46.6],
  ['Creuse', 2.0, 46.1],
  ['Puy-de-Dôme', 3.5, 45.6],
  ['Isère', 5.6, 45.5],
  ['Var', 6.1, 43.8],
  ['Hérault', 3.6, 43.7],
  ['Hautes-Pyrénées', 0.2, 43.2],
  ['Gironde', -0.7, 44.9],
];
export const FRANCE: Place[] = centres.map(([name, lng, lat], i) => ({
  territoryId: i + 1,
  name,
  dLng: lng - LOT_CENTRE[0],
  dLat: lat - LOT_CENTRE[1],
}));

/** The place holding a point: the nearest centre. */
export function placeOf(places: Place[], p: LngLat): Place {
  let best = places[0];
  let bestD = Infinity;
  for (const pl of places) {
    const d = (p[0] - LOT_CENTRE[0] - pl.dLng) ** 2 + (p[1] - LOT_CENTRE[1] - pl.dLat) ** 2;
    if (d < bestD) {
      bestD = d;
      best = pl;
    }
  }
  return best;
}

/**
 * `copies` of each route, every vertex moved by up to ±jitterM (the first copy untouched). With `places`, copy k is
 * laid in place k mod the number of places, as its territory (the same trips otherwise: same draws of the seed).
 */
export function makeLegs(routes: RawRoute[], copies: number, seed: string, jitterM = 300, places?: Place[]): Leg[] {
  const rng = seedrandom(seed);
  const legs: Leg[] = [];
  let id = 1;
  for (let k = 0; k < copies; k++) {
    for (const r of routes) {
      const place = places?.[k % places.length];
      const dx = (k === 0 ? 0 : ((rng() * 2 - 1) * jitterM) / 78_000) + (place?.dLng ?? 0);
      const dy = (k === 0 ? 0 : ((rng() * 2 - 1) * jitterM) / 111_000) + (place?.dLat ?? 0);
      // Straight into the flat array: a [lng, lat] pair per vertex was 36M short-lived arrays at a million legs,
      // and most of the preparation's time went to collecting them.
      const flat = new Float64Array(2 * r.c.length);
      for (let i = 0; i < r.c.length; i++) {
        flat[2 * i] = r.c[i][0] + dx;
        flat[2 * i + 1] = r.c[i][1] + dy;
      }
      const last = flat.length - 2;
      const oneoff = rng() < 0.1;
      const weekdays = rng() < 0.75 ? [1, 2, 3, 4, 5] : [1, 2, 3, 4, 5, 6, 7].filter(() => rng() < 0.5);
      legs.push({
        key: legKey(id, 'outbound'),
        tripId: id,
        leg: 'outbound',
        driverId: id,
        territoryId: place?.territoryId ?? 1,
        schedule: oneoff
          ? {
              kind: 'oneoff',
              weekdays: [],
              date: `2026-12-0${1 + Math.floor(rng() * 7)}`,
              validFrom: null,
              validTo: null,
            }
          : { kind: 'regular', weekdays: weekdays.length ? weekdays : [1], date: null, validFrom: null, validTo: null },
        departureMin: Math.round(360 + rng() * 240),
        seats: 1 + Math.floor(rng() * 3),
        bookedByDate: NO_BOOKINGS,
        directContact: rng() < 0.6,
        coords: flat,
        cumM: cumulativeM(flat),
        distanceM: r.m,
        durationS: r.s,
        origin: [flat[0], flat[1]],
        destination: [flat[last], flat[last + 1]],
      });
      id++;
    }
  }
  return legs;
}

const pointAt = (l: Leg, alongM: number): LngLat => {
  let i = 0;
  while (i < l.cumM.length - 2 && l.cumM[i + 1] < alongM) i++;
  const seg = l.cumM[i + 1] - l.cumM[i];
  const t = seg > 0 ? Math.min(1, Math.max(0, (alongM - l.cumM[i]) / seg)) : 0;
  return [
    l.coords[2 * i] + t * (l.coords[2 * i + 2] - l.coords[2 * i]),
    l.coords[2 * i + 1] + t * (l.coords[2 * i + 3] - l.coords[2 * i + 1]),
  ];
};

/**
 * Requests as a coordinator would get them: most along some driver's road (a stretch of a random leg, ends moved up
 * to 2.5 km), the rest anywhere in the Lot (or, with `places`, in one of them). Dates in the week of 2026-11-30
 * (Monday).
 */
export function makeQueries(legs: Leg[], n: number, seed: string, places?: Place[]): MatchQuery[] {
  const rng = seedrandom(seed);
  const out: MatchQuery[] = [];
  const move = ([x, y]: LngLat, m: number): LngLat => [
    x + ((rng() * 2 - 1) * m) / 78_000,
    y + ((rng() * 2 - 1) * m) / 111_000,
  ];
  for (let i = 0; i < n; i++) {
    const date = `2026-${rng() < 0.5 ? '11-30' : `12-0${1 + Math.floor(rng() * 6)}`}`;
    if (rng() < 0.2) {
      const from: LngLat = [1.0 + rng() * 1.2, 44.2 + rng() * 0.75];
      const to: LngLat = [1.0 + rng() * 1.2, 44.2 + rng() * 0.75];
      if (places) {
        const place = places[Math.floor(rng() * places.length)];
        for (const p of [from, to]) {
          p[0] += place.dLng;
          p[1] += place.dLat;
        }
      }
      out.push({
        from,
        to,
        date,
        weekdays: [],
        timeMin: Math.round(420 + rng() * 180),
        timeKind: 'depart',
        toleranceMin: 30,
        seats: 1,
        territoryIds: null,
      });
      continue;
    }
    const l = legs[Math.floor(rng() * legs.length)];
    const a = rng() * 0.6 * l.distanceM;
    const b = a + (0.1 + rng() * 0.4) * l.distanceM;
    const eta = l.departureMin + ((a / l.distanceM) * l.durationS) / 60;
    const arrive = rng() < 0.3;
    out.push({
      from: move(pointAt(l, a), 2500),
      to: move(pointAt(l, Math.min(b, l.distanceM)), 2500),
      date,
      weekdays: [],
      timeMin: Math.round(
        (arrive ? eta + (((b - a) / l.distanceM) * l.durationS) / 60 + 10 : eta) + (rng() * 2 - 1) * 25,
      ),
      timeKind: arrive ? 'arrive' : 'depart',
      toleranceMin: 30,
      seats: 1,
      territoryIds: null,
    });
  }
  return out;
}
