import type { Queryable } from '@comobi/db';
import { coarsePointSql } from '../privacy/coarsen.ts';
import { consentSql } from '../privacy/consents.ts';
import type { LngLat } from '../routing/types.ts';
import type { MatchStatus } from '../domain/match-workflow.ts';

/**
 * What the interoperability API reads and keeps: its bookings and messages, and the few facts of people, trips and
 * requests it must check (writes of those go through the domain). The route files hold no SQL.
 */

/** A truncated point moves less than this: the exact test goes first, so that the spatial index serves. */
const TRUNCATION_SLACK_M = 2_000;

export interface OpenRequestRow {
  id: number;
  passenger_id: number | null;
  /** The ends as operators may see them (exact with the passenger's consent to partner apps, else truncated). */
  from_lng: number;
  from_lat: number;
  to_lng: number;
  to_lat: number;
  exact_from_lng: number;
  exact_from_lat: number;
  exact_to_lng: number;
  exact_to_lat: number;
  date: string | null;
  weekdays: number[];
  time_min: number;
  time_kind: 'depart' | 'arrive';
  seats: number;
}

/**
 * Open requests whose two ends, as operators see them, lie within the radii: what a driver going that way could
 * take. Not the requests of other operators' users (booked through us) nor anonymised ones: not ours to show.
 */
export async function openRequestsAround(
  db: Queryable,
  q: {
    territoryIds: number[];
    departure: LngLat;
    departureRadiusM: number;
    arrival: LngLat;
    arrivalRadiusM: number;
    timeMin: number;
    toleranceMin: number;
    date: string | null;
    weekdays: number[];
    limit: number;
  },
): Promise<OpenRequestRow[]> {
  const shown = (col: string) => `CASE WHEN e.exact THEN ${col} ELSE ${coarsePointSql(col)} END`;
  const { rows } = await db.query<OpenRequestRow>(
    `SELECT r.id, r.passenger_id, ST_X(v.f) AS from_lng, ST_Y(v.f) AS from_lat, ST_X(v.t) AS to_lng, ST_Y(v.t) AS to_lat,
       ST_X(r.from_point) AS exact_from_lng, ST_Y(r.from_point) AS exact_from_lat, ST_X(r.to_point) AS exact_to_lng,
       ST_Y(r.to_point) AS exact_to_lat, r.date, r.weekdays, r.time_min, r.time_kind, r.seats
     FROM requests r
       CROSS JOIN LATERAL (SELECT ${consentSql('partner_apps', 'r.passenger_id')} AS exact) e
       CROSS JOIN LATERAL (SELECT ${shown('r.from_point')} AS f, ${shown('r.to_point')} AS t) v
     WHERE r.status = 'open' AND r.territory_id = ANY($1::int[]) AND r.anonymized_at IS NULL
       AND COALESCE(r.created_by, '') NOT LIKE 'interop:%'
       AND ST_DWithin(r.from_point::geography, ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography, $4 + ${TRUNCATION_SLACK_M})
       AND ST_DWithin(r.to_point::geography, ST_SetSRID(ST_MakePoint($5, $6), 4326)::geography, $7 + ${TRUNCATION_SLACK_M})
       AND ST_DWithin(v.f::geography, ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography, $4)
       AND ST_DWithin(v.t::geography, ST_SetSRID(ST_MakePoint($5, $6), 4326)::geography, $7)
       AND abs(r.time_min - $8) <= $9
       AND (CASE WHEN $10::date IS NULL THEN r.date IS NULL AND r.weekdays && $11::smallint[] ELSE r.date = $10::date END)
     ORDER BY abs(r.time_min - $8), r.id LIMIT $12`,
    [
      q.territoryIds,
      q.departure[0],
      q.departure[1],
      q.departureRadiusM,
      q.arrival[0],
      q.arrival[1],
      q.arrivalRadiusM,
      q.timeMin,
      q.toleranceMin,
      q.date,
      q.weekdays,
      q.limit,
    ],
  );
  return rows;
}

/** The territory of an active trip (a driver journey being booked), or null. */
export async function activeTripTerritory(db: Queryable, tripId: number): Promise<number | null> {
  const { rows } = await db.query<{ territory_id: number }>('SELECT territory_id FROM trips WHERE id = $1 AND active', [
    tripId,
  ]);
  return rows[0]?.territory_id ?? null;
}

export interface BookingRow {
  id: string;
  operator: string;
  token_id: number;
  territory_id: number;
  match_id: number;
  request_id: number;
  passenger_ref: { user: { id: string; operator: string; alias: string }; journeyId?: string };
  price: unknown;
  pickup_address: string | null;
  drop_address: string | null;
  validated: boolean;
  last_message: string | null;
  match_status: MatchStatus;
  trip_id: number;
  leg: 'outbound' | 'return';
  date: string;
  pickup_min: number;
  dropoff_min: number;
  detour_m: number;
  pickup_lng: number;
  pickup_lat: number;
  drop_lng: number;
  drop_lat: number;
  driver_id: number;
}

/** A booking an operator holds with us, with the match it is the standard's view of. */
export async function loadBooking(
  db: Queryable,
  bookingId: string,
  operator: string,
  territoryIds: number[],
): Promise<BookingRow | null> {
  const { rows } = await db.query<BookingRow>(
    `SELECT b.*, m.status AS match_status, m.trip_id, m.leg, m.date::text AS date, m.pickup_min, m.dropoff_min, m.detour_m,
       ST_X(m.pickup) AS pickup_lng, ST_Y(m.pickup) AS pickup_lat, ST_X(m.dropoff) AS drop_lng, ST_Y(m.dropoff) AS drop_lat, t.driver_id
     FROM interop_bookings b JOIN matches m ON m.id = b.match_id JOIN trips t ON t.id = m.trip_id
     WHERE b.id = $1 AND b.operator = $2 AND b.territory_id = ANY($3::int[])`,
    [bookingId, operator, territoryIds],
  );
  return rows[0] ?? null;
}

/** The person a message is written to, when ours (in these territories, not erased, in that role). */
export async function recipientTerritory(
  db: Queryable,
  personId: number,
  territoryIds: number[],
  kind: 'DRIVER' | 'PASSENGER',
): Promise<number | null> {
  const { rows } = await db.query<{ territory_id: number }>(
    `SELECT territory_id FROM people WHERE id = $1 AND territory_id = ANY($2::int[]) AND anonymized_at IS NULL
       AND (CASE WHEN $3 = 'DRIVER' THEN is_driver ELSE is_passenger END)`,
    [personId, territoryIds, kind],
  );
  return rows[0]?.territory_id ?? null;
}

/** A request of these territories: its territory and passenger (null: a partner's user booked through us). */
export async function requestParties(
  db: Queryable,
  requestId: number,
  territoryIds: number[],
): Promise<{ territory_id: number; passenger_id: number | null } | null> {
  const { rows } = await db.query<{ territory_id: number; passenger_id: number | null }>(
    'SELECT territory_id, passenger_id FROM requests WHERE id = $1 AND territory_id = ANY($2::int[])',
    [requestId, territoryIds],
  );
  return rows[0] ?? null;
}

/** The match, request, trip and driver of a booking an operator holds with us. */
export async function bookingParties(
  db: Queryable,
  bookingId: string,
  operator: string,
  territoryIds: number[],
): Promise<{ match_id: number; request_id: number; trip_id: number; driver_id: number } | null> {
  const { rows } = await db.query<{ match_id: number; request_id: number; trip_id: number; driver_id: number }>(
    `SELECT b.match_id, b.request_id, m.trip_id, tr.driver_id FROM interop_bookings b JOIN matches m ON m.id = b.match_id
     JOIN trips tr ON tr.id = m.trip_id WHERE b.id = $1 AND b.operator = $2 AND b.territory_id = ANY($3::int[])`,
    [bookingId, operator, territoryIds],
  );
  return rows[0] ?? null;
}

/** The driver of a trip of these territories. */
export async function tripDriver(db: Queryable, tripId: number, territoryIds: number[]): Promise<number | null> {
  const { rows } = await db.query<{ driver_id: number }>(
    'SELECT driver_id FROM trips WHERE id = $1 AND territory_id = ANY($2::int[])',
    [tripId, territoryIds],
  );
  return rows[0]?.driver_id ?? null;
}
