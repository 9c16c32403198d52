import type { Db, Queryable } from '@comobi/db';
import { cumulativeM, flatten } from '../geo/polyline.ts';
import type { LngLat } from '../routing/types.ts';
import type { LegIndex } from './leg-index.ts';
import { legKey, NO_BOOKINGS, type Leg } from './legs.ts';

interface TripRow {
  id: number;
  driver_id: number;
  territory_id: number;
  kind: 'regular' | 'oneoff';
  weekdays: number[];
  date: string | null;
  valid_from: string | null;
  valid_to: string | null;
  departure_min: number;
  return_min: number | null;
  seats: number;
  active: boolean;
  route: string;
  distance_m: number;
  duration_s: number;
  return_route: string | null;
  return_distance_m: number | null;
  return_duration_s: number | null;
  direct_contact: boolean;
  booked: Record<string, number> | null;
}

const SELECT_TRIPS = `
  SELECT t.id, t.driver_id, t.territory_id, t.kind, t.weekdays, t.date, t.valid_from, t.valid_to,
         t.departure_min, t.return_min, t.seats, t.active,
         ST_AsGeoJSON(t.route, 6) AS route, t.distance_m, t.duration_s,
         ST_AsGeoJSON(t.return_route, 6) AS return_route, t.return_distance_m, t.return_duration_s,
         p.direct_contact_consent AS direct_contact,
         (SELECT jsonb_object_agg(b.d, b.n) FROM (
            SELECT m.leg || ' ' || m.date::text AS d, sum(r.seats)::int AS n FROM matches m JOIN requests r ON r.id = m.request_id
            WHERE m.trip_id = t.id AND m.status IN ('accepted', 'confirmed', 'done') AND m.date IS NOT NULL
            GROUP BY m.leg, m.date) b) AS booked
  FROM trips t JOIN people p ON p.id = t.driver_id`;

function legsOf(r: TripRow): Leg[] {
  if (!r.active) return [];
  const schedule = {
    kind: r.kind,
    weekdays: r.weekdays.map(Number),
    date: r.date,
    validFrom: r.valid_from,
    validTo: r.valid_to,
  };
  // Seats are held per leg and date: a passenger on the morning trip does not fill the evening return.
  const bookedOn = (leg: 'outbound' | 'return') => {
    const on = Object.entries(r.booked ?? {}).filter(([k]) => k.startsWith(`${leg} `));
    return on.length ? new Map(on.map(([k, n]) => [k.slice(leg.length + 1), n])) : NO_BOOKINGS;
  };
  const make = (
    leg: 'outbound' | 'return',
    geojson: string,
    departureMin: number,
    distanceM: number,
    durationS: number,
  ): Leg => {
    const coords = (JSON.parse(geojson) as { coordinates: LngLat[] }).coordinates;
    const flat = flatten(coords);
    return {
      key: legKey(r.id, leg),
      tripId: r.id,
      leg,
      driverId: r.driver_id,
      territoryId: r.territory_id,
      schedule,
      departureMin,
      seats: r.seats,
      bookedByDate: bookedOn(leg),
      directContact: r.direct_contact,
      coords: flat,
      cumM: cumulativeM(flat),
      distanceM,
      durationS,
      origin: coords[0],
      destination: coords[coords.length - 1],
    };
  };
  const legs = [make('outbound', r.route, r.departure_min, r.distance_m, r.duration_s)];
  if (r.return_route && r.return_min !== null) {
    legs.push(make('return', r.return_route, r.return_min, r.return_distance_m ?? 0, r.return_duration_s ?? 0));
  }
  return legs;
}

/** The in-memory index is a cache of the trips table: loaded at start, refreshed per trip on every change. */
export async function loadAllLegs(db: Queryable, index: LegIndex): Promise<number> {
  const { rows } = await db.query<TripRow>(`${SELECT_TRIPS} WHERE t.active`);
  index.clear();
  index.load(rows.flatMap(legsOf));
  return rows.length;
}

export async function refreshTrip(db: Queryable, index: LegIndex, tripId: number): Promise<void> {
  const { rows } = await db.query<TripRow>(`${SELECT_TRIPS} WHERE t.id = $1`, [tripId]);
  index.remove(legKey(tripId, 'outbound'));
  index.remove(legKey(tripId, 'return'));
  for (const leg of rows[0] ? legsOf(rows[0]) : []) index.upsert(leg);
}

/**
 * Keeps this process's index in sync with writes made by any process on the same database (NOTIFY from the
 * trips/matches triggers). A lost listening connection triggers a full reload, since notifications may be missed.
 */
export async function syncLegs(
  db: Db,
  index: LegIndex,
  log: (m: string) => void = () => {},
): Promise<() => Promise<void>> {
  let queue = Promise.resolve();
  const enqueue = (work: () => Promise<unknown>) => {
    queue = queue
      .then(() => work())
      .then(
        () => undefined,
        (e) => log(`index sync failed: ${(e as Error).message}`),
      );
  };
  return db.listen(
    'comobi_trips',
    (payload) => {
      const id = Number(payload);
      if (Number.isInteger(id)) enqueue(() => refreshTrip(db, index, id));
    },
    () => enqueue(() => loadAllLegs(db, index)),
  );
}
