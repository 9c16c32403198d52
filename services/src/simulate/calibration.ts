/**
 * Seeded supply and demand of a replayed month, calibrated on the Lot's published figures.
 *
 * Sources (the Lot'Ô car experiment, platform opened in March 2019):
 * - La Dépêche du Midi, taken up by Le blog des Bourians, « Covoiturage solidaire et gratuit : Lot’ô car », September
 *   2019 (https://www.blogdesbourians.fr/covoiturage-solidaire-et-gratuit-loto-car/): 331 drivers registered, 227
 *   requests of which 50 trips were made; trips are short, 22 km on average, 1,146 km in all; lines towards Cahors
 *   (from Arcambal, Crayssac, Espère, L'Hospitalet, Gourdon, Mercuès, Montcuq) and towards Figeac (from Assier);
 *   the cases quoted are a job interview in Cahors and a medical appointment in Figeac.
 * - Radio Totem, 18 September 2019 (https://radiototem.net/bassin-de-la-dordogne/5989-…): after 6 months of
 *   operation, 50 trips, three quarters of the requests not honoured.
 *
 * What follows from them: 227 requests over 6 months is 38 a month (1.26 a day); 331 drivers; trips around 22 km
 * by road (straight line × 1.3, the stats' road factor); the share served was 22 %. What is NOT published and is an
 * assumption stated here: the purposes' shares (health first, then work, from the cases quoted), the hours (an
 * appointment's arrive-by time, a commuter's hours), the lead time of a call, the share of round trips, the drivers'
 * answers and the passengers' cancellations. The drivers' hours and hubs are the demo's (fixtures/generate.ts).
 * Nothing here is tuned to make one strategy look better: the replay reports what this instance gives.
 *
 * Volunteer drivers (transport solidaire: people who drive on purpose, from home, in the hours they give). Lot'Ô car
 * itself had none: it matched drivers who were going that way anyway ("aucune notion d'argent", blog des Bourians,
 * 2019), and no count of the Lot's volunteer drivers is published. The replay's supply therefore includes exactly the
 * demo's volunteers, the ones the product ships (fixtures/demo-lot-volunteers.json, invented): 3 of them, at Cajarc,
 * Lacapelle-Marival and Gramat (east of the Lot, within reach of Figeac and Saint-Céré), with their weekly slots (about
 * 5 to 25 hours a week each), limits (35–45 km or 45 min from home), purposes and seats. For scale, schemes that
 * publish their figures run about 20 trips a volunteer a year: Solidarité Transport (Calvados, MSA) 980 trips and 50
 * volunteers in 2023 (Tendance Ouest, August 2024), Auto Solid'Her (Herbignac) 410 trips and 20 volunteers within
 * 40 km in 2023 (L'Écho de la Presqu'île, March 2024), « Allô, ça roule en Ségala » (Aveyron) about 20 volunteers two
 * days a week (Centre Presse, November 2019). At that rate the Lot's 38 requests a month (about 450 a year) would keep
 * some 20 volunteers busy: the demo's 3 are a small supply, stated as such, not a figure fitted to the outcome.
 * Volunteers answer a call with the same probabilities as commuters (ANSWERS: no published figure either), drawn
 * the same way (seed, ask, volunteer), so both strategies hear the same answer.
 */
import fs from 'node:fs';
import path from 'node:path';
import seedrandom from 'seedrandom';
import { readDemoVolunteersFile } from '../demo/volunteers.ts';
import type { Purpose } from '../domain/requests.ts';
import { distanceM } from '../geo/sphere.ts';
import type { LngLat } from '../geo/types.ts';
import { ROAD_FACTOR } from '../stats/labels.ts';
import { addDays, isoWeekday } from '../time/days.ts';

/** Requests a month: 227 over the 6 months from March to mid-September 2019. */
export const REQUESTS_PER_MONTH = 227 / 6;
export const DRIVERS = 331;
/** The mean trip by road, km. */
export const TRIP_KM = 22;
/**
 * Share of asks that are round trips: an appointment and the way home (assumption). A round trip is one request with
 * its return (one ask), served only when both legs are.
 */
export const ROUND_TRIP_SHARE = 0.5;
/** A driver called answers (assumption; the same driver asked for the same request answers the same in both strategies). */
export const ANSWERS = { accept: 0.5, decline: 0.3, noAnswer: 0.2 } as const;
/** A passenger cancels a trip before the day (assumption). */
export const CANCEL_SHARE = 0.08;
/** Calls a coordinator makes for one leg of a request before giving up (both strategies; a round trip has two legs). */
export const MAX_CALLS = 5;
/** Purposes (assumption: health and work first, as in the cases quoted). */
const PURPOSE_SHARES: [Purpose, number][] = [
  ['health', 45],
  ['work', 20],
  ['admin', 12],
  ['shopping', 10],
  ['training', 6],
  ['leisure', 5],
  ['other', 2],
];
/** Days between the call and the trip (assumption: most asks come two to five days ahead). */
const LEAD_DAYS: [number, number][] = [
  [1, 10],
  [2, 20],
  [3, 25],
  [4, 20],
  [5, 15],
  [6, 5],
  [7, 5],
];
/** Where people go (the demo's hubs and shares, fixtures/generate.ts). */
const HUBS = [
  { insee: '46042', name: 'Cahors', share: 40, places: ['Centre hospitalier', 'Préfecture', 'Gare', 'Zone de Regourd'] },
  { insee: '46102', name: 'Figeac', share: 25, places: ['Centre hospitalier', 'Gare', "Zone de l'Aiguille"] },
  { insee: '46127', name: 'Gourdon', share: 12, places: ['Centre hospitalier Jean Coulon', 'Gare', 'Mairie'] },
  { insee: '46309', name: 'Souillac', share: 12, places: ['Gare', 'Maison de santé', 'Pôle emploi'] },
  { insee: '46251', name: 'Saint-Céré', share: 11, places: ['Hôpital', 'Mairie', 'Collège'] },
] as const;

export interface Commune {
  insee: string;
  name: string;
  centre: LngLat;
  population: number;
}

export interface SimDriver {
  ref: string;
  communeInsee: string;
  home: LngLat;
  kind: 'regular' | 'oneoff';
  weekdays: number[];
  date: string | null;
  departureTime: string;
  returnTime: string | null;
  destination: LngLat;
  originLabel: string;
  destinationLabel: string;
  seats: number;
}

export interface SimRequest {
  ref: string;
  /** The day the passenger calls. */
  callDay: string;
  date: string;
  time: string;
  timeKind: 'depart' | 'arrive';
  toleranceMin: number;
  from: LngLat;
  to: LngLat;
  fromLabel: string;
  toLabel: string;
  purpose: Purpose;
  /**
   * A round trip's way back ("HH:MM", depart-at, from `to` back to `from`), or null: one way. One request, two legs;
   * a driver's answer for the return is drawn with the leg's ref `${ref}r` (returnRef).
   */
  returnTime: string | null;
  /** The passenger will cancel the day before the trip. */
  cancels: boolean;
}

/** A volunteer driver of the replay (fixtures/demo-lot-volunteers.json): the same in every seed. */
export interface SimVolunteer {
  ref: string;
  communeInsee: string;
  home: LngLat;
  homeLabel: string;
  maxKm: number | null;
  maxMinutes: number | null;
  seats: number;
  wheelchair: boolean;
  purposes: Purpose[];
  /** [ISO weekday, HH:MM, HH:MM]. */
  weekSlots: [number, string, string][];
}

export interface Scenario {
  seed: string;
  demandFactor: number;
  from: string;
  days: number;
  drivers: SimDriver[];
  volunteers: SimVolunteer[];
  /** In the order the calls come (by call day, then order of the day). */
  requests: SimRequest[];
}

/** The Lot's communes from the fixtures: centres (mean of the outer ring, as the demo's) and populations. */
export function readCommunes(repoRoot: string): Commune[] {
  const dir = path.join(repoRoot, 'fixtures');
  const geo = JSON.parse(fs.readFileSync(path.join(dir, 'communes-46-lot.geojson'), 'utf8')) as {
    features: { properties: { code: string; nom: string }; geometry: { type: string; coordinates: unknown } }[];
  };
  const demo = JSON.parse(fs.readFileSync(path.join(dir, 'demo-lot.json'), 'utf8')) as {
    communes: { insee: string; population: number | null }[];
  };
  const pop = new Map(demo.communes.map((c) => [c.insee, c.population ?? 0]));
  return geo.features.map((f) => {
    const ring = (
      f.geometry.type === 'Polygon'
        ? (f.geometry.coordinates as number[][][])[0]
        : (f.geometry.coordinates as number[][][][])[0][0]
    ) as number[][];
    const n = ring.length - 1;
    let x = 0;
    let y = 0;
    for (let i = 0; i < n; i++) {
      x += ring[i][0];
      y += ring[i][1];
    }
    return { insee: f.properties.code, name: f.properties.nom, centre: [x / n, y / n], population: pop.get(f.properties.code) ?? 0 };
  });
}

/** The demo's volunteers (invented), as the replay's volunteer supply: see the note at the top. Their names and phones stay behind. */
export function readVolunteers(repoRoot: string): SimVolunteer[] {
  return readDemoVolunteersFile(path.join(repoRoot, 'fixtures')).volunteers.map((v) => ({
    ref: v.ref,
    communeInsee: v.communeInsee,
    home: v.home,
    homeLabel: v.homeLabel,
    maxKm: v.maxKm,
    maxMinutes: v.maxMinutes,
    seats: v.seats,
    wheelchair: v.wheelchair,
    purposes: v.purposes,
    weekSlots: v.weekSlots,
  }));
}

const hhmm = (min: number) => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;

/** Poisson draw by inversion (small means only: a day's asks). */
function poisson(rng: () => number, mean: number): number {
  const l = Math.exp(-mean);
  let k = 0;
  let p = rng();
  while (p > l) {
    k++;
    p *= rng();
  }
  return k;
}

/**
 * Drivers and asks of a replay: same seed, same scenario. Asks are placed by the day of the trip (weekdays; few on
 * Saturdays, none on Sundays) over the replayed days, and called in `lead` days before (the first days' calls fall
 * before `from`: the replay starts with them on its first day).
 */
export function makeScenario(
  communes: Commune[],
  opts: { seed: string; from: string; days: number; demandFactor?: number },
  volunteers: SimVolunteer[] = [],
): Scenario {
  const rng = seedrandom(`comobi-simulate-${opts.seed}`);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rng() * a.length)];
  const between = (lo: number, hi: number) => lo + rng() * (hi - lo);
  const weighted = <T>(items: readonly T[], weight: (t: T) => number) => {
    const total = items.reduce((s, t) => s + weight(t), 0);
    let x = rng() * total;
    for (const t of items) if ((x -= weight(t)) <= 0) return t;
    return items[items.length - 1];
  };
  const jitter = ([lng, lat]: LngLat, m: number): LngLat => [
    +(lng + between(-m, m) / 78_000).toFixed(6),
    +(lat + between(-m, m) / 111_000).toFixed(6),
  ];
  const byInsee = new Map(communes.map((c) => [c.insee, c]));
  const hubs = HUBS.map((h) => ({ ...h, centre: byInsee.get(h.insee)!.centre }));
  const homeWeight = (c: Commune) => Math.sqrt(c.population || 50);

  // Supply: the demo generator's commuters (fixtures/generate.ts), 331 of them.
  const drivers: SimDriver[] = Array.from({ length: DRIVERS }, (_, i) => {
    const home = weighted(communes, homeWeight);
    let hub = weighted(hubs, (h) => h.share);
    if (hub.insee === home.insee) hub = hubs[(hubs.indexOf(hub) + 1) % hubs.length];
    const oneoff = rng() < 0.12;
    const weekdays = oneoff
      ? []
      : rng() < 0.8
        ? [1, 2, 3, 4, 5]
        : [1, 2, 3, 4, 5].filter(() => rng() < 0.6).concat(rng() < 0.3 ? [6] : []);
    return {
      ref: `d${i + 1}`,
      communeInsee: home.insee,
      home: jitter(home.centre, 900),
      kind: oneoff ? 'oneoff' : 'regular',
      weekdays: oneoff ? [] : weekdays.length ? weekdays : [1, 3, 5],
      date: oneoff ? addDays(opts.from, Math.floor(between(0, opts.days))) : null,
      departureTime: hhmm(Math.round(between(6 * 60 + 15, 9 * 60 + 30) / 5) * 5),
      returnTime: oneoff ? null : hhmm(Math.round(between(16 * 60 + 15, 19 * 60) / 5) * 5),
      destination: jitter(hub.centre, 1200),
      originLabel: home.name,
      destinationLabel: `${hub.name}, ${pick(hub.places)}`,
      seats: pick([1, 2, 2, 3, 3, 3, 4]),
    };
  });

  // Demand: asks a trip day, weekdays mostly (Saturday a fifth of a weekday, Sunday none).
  // demandFactor (default 1, the calibration) scales the asks only: a sensitivity run, never the reported instance.
  const perWeekday = ((REQUESTS_PER_MONTH * 12) / 52 / (5 + 0.2)) * (opts.demandFactor ?? 1);
  const asks: SimRequest[] = [];
  let n = 0;
  for (let d = 0; d < opts.days; d++) {
    const date = addDays(opts.from, d);
    const wd = isoWeekday(date);
    const mean = wd === 7 ? 0 : wd === 6 ? perWeekday * 0.2 : perWeekday;
    const count = poisson(rng, mean);
    for (let k = 0; k < count; k++) {
      const origin = weighted(
        communes.filter((c) => !HUBS.some((h) => h.insee === c.insee)),
        homeWeight,
      );
      // A hub near 22 km by road from home: shares of the hubs times a bell around the published mean length.
      const hub = weighted(hubs, (h) => {
        const km = (distanceM(origin.centre, h.centre) / 1000) * ROAD_FACTOR;
        return h.share * Math.exp(-(((km - TRIP_KM) / 10) ** 2) / 2);
      });
      const purpose = weighted(PURPOSE_SHARES, ([, w]) => w)[0];
      const lead = weighted(LEAD_DAYS, ([, w]) => w)[0];
      // An appointment is an arrive-by time in the day; work starts early; shopping and leisure leave in the morning.
      const slot =
        purpose === 'work' || purpose === 'training'
          ? { min: 7 * 60 + 30, max: 9 * 60, kind: 'arrive' as const }
          : purpose === 'shopping' || purpose === 'leisure'
            ? { min: 9 * 60, max: 14 * 60, kind: 'depart' as const }
            : { min: 8 * 60 + 30, max: 16 * 60 + 30, kind: 'arrive' as const };
      const timeMin = Math.round(between(slot.min, slot.max) / 15) * 15;
      const home = jitter(origin.centre, 900);
      const place = jitter(hub.centre, 1000);
      const toLabel = `${hub.name}, ${pick(hub.places)}`;
      const cancels = rng() < CANCEL_SHARE;
      const round = rng() < ROUND_TRIP_SHARE;
      const ref = `a${++n}`;
      const callDay = addDays(date, -lead);
      // A round trip is ONE request with its return, as the console's intake enters it (returnTime): home after the
      // appointment (work: after the day), from the same place back home, at the request's tolerance. Its legs are
      // matched, called and counted together: served only when both are (replay.ts).
      const back = round
        ? purpose === 'work' || purpose === 'training'
          ? between(16 * 60 + 30, 18 * 60)
          : timeMin + between(60, 180)
        : null;
      asks.push({
        ref,
        callDay,
        date,
        time: hhmm(timeMin),
        timeKind: slot.kind,
        toleranceMin: 30,
        from: home,
        to: place,
        fromLabel: origin.name,
        toLabel,
        purpose,
        returnTime: back === null ? null : hhmm(Math.min(20 * 60, Math.round(back / 15) * 15)),
        cancels,
      });
    }
  }
  // Calls in the order they come: by call day, a day's calls in a drawn order. (One draw per leg, as when a return was
  // a second request: the same seed keeps the same calls in the same order.)
  const order = new Map<string, number>();
  for (const a of asks) {
    order.set(a.ref, rng());
    if (a.returnTime) rng();
  }
  const requests = asks
    .map((a, i) => ({ a, i }))
    .sort((x, y) => x.a.callDay.localeCompare(y.a.callDay) || order.get(x.a.ref)! - order.get(y.a.ref)! || x.i - y.i)
    .map((x) => x.a);
  return {
    seed: opts.seed,
    demandFactor: opts.demandFactor ?? 1,
    from: opts.from,
    days: opts.days,
    drivers,
    volunteers,
    requests,
  };
}

/** The ref a round trip's return leg is drawn with (answerOf): the outbound leg uses the ask's own ref. */
export const returnRef = (askRef: string) => `${askRef}r`;

/**
 * A driver's answer to a call for a leg of an ask: drawn from (seed, the leg's ref: the ask's for the outbound,
 * returnRef for the return; driver ref: a commuter's `d…` or a volunteer's `v…`), so both strategies hear the same.
 */
export function answerOf(seed: string, askRef: string, tripRef: string): 'accept' | 'decline' | 'noAnswer' {
  const x = seedrandom(`answer-${seed}-${askRef}-${tripRef}`)();
  return x < ANSWERS.accept ? 'accept' : x < ANSWERS.accept + ANSWERS.decline ? 'decline' : 'noAnswer';
}
