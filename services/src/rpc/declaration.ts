import type { Queryable } from '@comobi/db';
import { toUnix } from '../interop/time.ts';
import type { Router } from '../routing/types.ts';
import { rpcIdentity, type RpcIdentity } from './identity.ts';

/** The body of POST /journeys (registry API v3.3). */
export interface RpcJourney {
  operator_journey_id: string;
  operator_trip_id: string;
  operator_class: 'A' | 'B' | 'C';
  incentives: { index: number; amount: number; siret: string }[];
  start: { datetime: string; lat: number; lon: number };
  end: { datetime: string; lat: number; lon: number };
  distance: number;
  driver: { identity: RpcIdentity; revenue: number };
  passenger: { identity: RpcIdentity; contribution: number; seats: number };
}

const iso = (unixS: number) => new Date(unixS * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Builds the declaration of a match done: the passenger's pickup and drop-off (time and place), the distance
 * carried on the road, and both identities. Solidarity carpooling: no revenue, no contribution, no incentive.
 * Returns an error (the row becomes 'invalid') when an identity lacks what the registry requires.
 */
export async function buildJourney(
  db: Queryable,
  router: Router,
  matchId: number,
  operatorJourneyId: string,
  opts: { operatorClass: 'A' | 'B' | 'C'; timeZone: string },
): Promise<RpcJourney | { error: string }> {
  const { rows } = await db.query<{
    id: number;
    trip_id: number;
    date: string | null;
    pickup_min: number;
    dropoff_min: number;
    status: string;
    p_lng: number;
    p_lat: number;
    d_lng: number;
    d_lat: number;
    seats: number;
    passenger_id: number | null;
    driver_id: number;
    d_phone: string | null;
    d_last: string | null;
    p_phone: string | null;
    p_last: string | null;
    p_over18: boolean | null;
  }>(
    `SELECT m.id, m.trip_id, m.date::text AS date, m.pickup_min, m.dropoff_min, m.status,
       ST_X(m.pickup) AS p_lng, ST_Y(m.pickup) AS p_lat, ST_X(m.dropoff) AS d_lng, ST_Y(m.dropoff) AS d_lat,
       r.seats, r.passenger_id, t.driver_id,
       di.phone AS d_phone, di.last_name AS d_last, pi.phone AS p_phone, pi.last_name AS p_last,
       CASE WHEN pi.birthdate IS NULL THEN NULL ELSE pi.birthdate <= (m.date - interval '18 years') END AS p_over18
     FROM matches m JOIN requests r ON r.id = m.request_id JOIN trips t ON t.id = m.trip_id
       LEFT JOIN person_identities di ON di.person_id = t.driver_id
       LEFT JOIN person_identities pi ON pi.person_id = r.passenger_id
     WHERE m.id = $1`,
    [matchId],
  );
  const m = rows[0];
  if (!m) return { error: `match ${matchId} not found` };
  if (m.status !== 'done') return { error: `match ${matchId} is ${m.status}, not done` };
  if (!m.date) return { error: `match ${matchId} has no date (recurring request)` };
  if (!m.passenger_id) return { error: `match ${matchId}: the passenger is not a person of this territory (booked by another operator, who declares it)` };
  const driver = rpcIdentity({ personId: m.driver_id, phone: m.d_phone, lastName: m.d_last });
  if ('error' in driver) return driver;
  const passenger = rpcIdentity({ personId: m.passenger_id, phone: m.p_phone, lastName: m.p_last, over18: m.p_over18 });
  if ('error' in passenger) return passenger;
  const route = await router.route([[Number(m.p_lng), Number(m.p_lat)], [Number(m.d_lng), Number(m.d_lat)]]);
  // The drop-off minute may wrap past midnight: it is then on the next day.
  const dropMin = m.dropoff_min < m.pickup_min ? m.dropoff_min + 1440 : m.dropoff_min;
  return {
    operator_journey_id: operatorJourneyId,
    operator_trip_id: `cmbt${m.trip_id}d${m.date.replaceAll('-', '')}`,
    operator_class: opts.operatorClass,
    incentives: [],
    start: { datetime: iso(toUnix(m.date, m.pickup_min, opts.timeZone)), lat: Number(m.p_lat), lon: Number(m.p_lng) },
    end: { datetime: iso(toUnix(m.date, dropMin, opts.timeZone)), lat: Number(m.d_lat), lon: Number(m.d_lng) },
    distance: Math.min(1_000_000, Math.max(0, Math.round(route.distanceM))),
    driver: { identity: driver, revenue: 0 },
    passenger: { identity: passenger, contribution: 0, seats: m.seats },
  };
}
