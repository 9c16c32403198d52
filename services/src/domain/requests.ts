import type { Queryable } from '@comobi/db';
import { drawIds } from './ids.ts';
import { coarsePoint } from '../geo/coarse.ts';
import { pointCols, pointSql, readPoint, type LngLatPoint } from '../geo/sql.ts';
import { badRequest, conflict, notFound } from '../http/errors.ts';
import { filterBy, type ListSpec, type Where } from '../http/simple-rest.ts';
import { toClock, toMinutes } from '../time/clock.ts';
import type { PointSource } from '../geocoding/types.ts';
import type { MatchAnswer, MatchQuery } from '../matching/matcher.ts';
import { PURPOSES, toMatchQuery } from '../matching/query.ts';
import { hasReturn, type ReturnAsk } from '../matching/round-trip.ts';
import { matchesOfRequest, presentMatch, storeProposals, type Match } from './matches.ts';
import { rankBothLegsFirst, roundTripPairs, type RoundTripPair } from './round-trips.ts';
import { checkPassengers, type Need } from './people.ts';
import { inScope, type Scope, type Visibility } from './scope.ts';

export const REQUEST_STATUSES = ['open', 'matched', 'served', 'unserved', 'cancelled'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export const UNSERVED_REASONS = [
  'no_driver',
  'no_driver_at_time',
  'no_seat',
  'driver_declined',
  'passenger_cancelled',
  'transit_used',
  'tad_used',
  'medical_transport_used',
  'out_of_territory',
  'other',
] as const;
export type UnservedReason = (typeof UNSERVED_REASONS)[number];
export type Purpose = (typeof PURPOSES)[number];

export interface RequestRow {
  id: number;
  territory_id: number;
  passenger_id: number | null;
  from_lng: number;
  from_lat: number;
  to_lng: number;
  to_lat: number;
  from_label: string | null;
  to_label: string | null;
  from_source: PointSource;
  to_source: PointSource;
  date: string | null;
  weekdays: number[];
  time_min: number;
  time_kind: 'depart' | 'arrive';
  tolerance_min: number;
  /** The way back: a departure time, or about this many minutes after arrival (at most one is set). */
  return_min: number | null;
  return_after_min: number | null;
  seats: number;
  purpose: Purpose;
  needs: Need[];
  status: RequestStatus;
  unserved_reason: UnservedReason | null;
  note: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface TripRequest {
  id: number;
  territoryId: number;
  passengerId: number | null;
  from: LngLatPoint | null;
  to: LngLatPoint | null;
  fromLabel: string | null;
  toLabel: string | null;
  /** Where each end came from: a commune centre is approximate. */
  fromSource: PointSource;
  toSource: PointSource;
  date: string | null;
  weekdays: number[];
  time: string;
  timeKind: 'depart' | 'arrive';
  toleranceMin: number;
  /** The way back at this time ("HH:MM"), or about `returnAfterMin` minutes after arrival; both null: one way. */
  returnTime: string | null;
  returnAfterMin: number | null;
  seats: number;
  purpose: Purpose;
  needs: Need[];
  status: RequestStatus;
  unservedReason: UnservedReason | null;
  note: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A passenger's request as the console, the public form or a partner gives it. */
export interface RequestInput {
  passengerId?: number | null;
  from: LngLatPoint;
  to: LngLatPoint;
  fromLabel?: string | null;
  toLabel?: string | null;
  fromSource?: PointSource;
  toSource?: PointSource;
  date?: string | null;
  weekdays?: number[];
  time: string;
  timeKind: 'depart' | 'arrive';
  toleranceMin: number;
  returnTime?: string | null;
  returnAfterMin?: number | null;
  seats: number;
  purpose: Purpose;
  needs?: Need[];
  note?: string | null;
}

const FROM = 'FROM requests r';
const SELECT = `SELECT r.id, r.territory_id, r.passenger_id, ${pointCols('r.from_point', 'from')}, ${pointCols('r.to_point', 'to')},
  r.from_label, r.to_label, r.from_source, r.to_source, r.date, r.weekdays, r.time_min, r.time_kind, r.tolerance_min, r.return_min, r.return_after_min, r.seats, r.purpose, r.needs,
  r.status, r.unserved_reason, r.note, r.created_by, r.created_at, r.updated_at ${FROM}`;

/**
 * A request's ends are often the passenger's home and a doctor; its note says why ("dialyse 3x/semaine"). Readers
 * who do not handle people get coarse ends and no labels, needs or note.
 */
export function presentRequest(r: RequestRow, v: Visibility): TripRequest {
  const personal = v === 'personal';
  const end = (as: string) => (personal ? readPoint(r, as) : coarsePoint(readPoint(r, as)));
  return {
    id: r.id,
    territoryId: r.territory_id,
    passengerId: r.passenger_id,
    from: end('from'),
    to: end('to'),
    fromLabel: personal ? r.from_label : null,
    toLabel: personal ? r.to_label : null,
    fromSource: r.from_source,
    toSource: r.to_source,
    date: r.date,
    weekdays: r.weekdays.map(Number),
    time: toClock(r.time_min),
    timeKind: r.time_kind,
    toleranceMin: r.tolerance_min,
    returnTime: r.return_min === null ? null : toClock(r.return_min),
    returnAfterMin: r.return_after_min,
    seats: r.seats,
    purpose: r.purpose,
    needs: personal ? r.needs : [],
    status: r.status,
    unservedReason: r.unserved_reason,
    note: personal ? r.note : null,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A stored request as the matcher's query, in its own territory. */
export function matchQueryOf(r: RequestRow): MatchQuery {
  const ask = {
    from: readPoint(r, 'from')!,
    to: readPoint(r, 'to')!,
    date: r.date ?? undefined,
    weekdays: r.weekdays.length ? r.weekdays.map(Number) : undefined,
    time: toClock(r.time_min),
    timeKind: r.time_kind,
    toleranceMin: r.tolerance_min,
    seats: r.seats,
    purpose: r.purpose,
  };
  return toMatchQuery(ask, [r.territory_id], r.tolerance_min, r.passenger_id ?? undefined);
}

/** A stored request's way back, as `matchJourney` takes it. */
export const returnAskOf = (r: RequestRow): ReturnAsk => ({ returnMin: r.return_min, returnAfterMin: r.return_after_min });

export const requestList: ListSpec = {
  select: SELECT,
  count: `SELECT count(*)::int AS n ${FROM}`,
  territoryColumn: 'r.territory_id',
  sortable: {
    id: 'r.id',
    date: 'r.date',
    createdAt: 'r.created_at',
    status: 'r.status',
    time: 'r.time_min',
    purpose: 'r.purpose',
  },
  filters: {
    territoryId: filterBy.int('r.territory_id', 'territoryId'),
    passengerId: filterBy.int('r.passenger_id', 'passengerId'),
    status: filterBy.oneOf('r.status', 'status', REQUEST_STATUSES),
    purpose: filterBy.oneOf('r.purpose', 'purpose', PURPOSES),
    unservedReason: filterBy.oneOf('r.unserved_reason', 'unservedReason', UNSERVED_REASONS),
    date: filterBy.date('r.date', 'date', '='),
    dateFrom: filterBy.date('r.date', 'dateFrom', '>='),
    dateTo: filterBy.date('r.date', 'dateTo', '<='),
    communeInsee: (w: Where, v: unknown) => {
      if (typeof v !== 'string') throw badRequest('filter.communeInsee', 'must be an INSEE code');
      w.add(
        (ph) =>
          `EXISTS (SELECT 1 FROM communes c WHERE c.insee = ${ph} AND (ST_Intersects(c.geom, r.from_point) OR ST_Intersects(c.geom, r.to_point)))`,
        v,
      );
    },
  },
};

export async function loadRequest(tx: Queryable, scope: Scope, id: number): Promise<RequestRow> {
  const { rows } = await tx.query<RequestRow>(`${SELECT} WHERE r.id = $1`, [id]);
  const row = rows[0];
  if (!row || !inScope(scope, row.territory_id)) throw notFound('request', id);
  return row;
}

/**
 * A request with its proposals as the reader may see them: the drivers who can do both legs of a round trip first
 * (`bothLegs`, and their pairs in `roundTrip`), then by score; each proposal says which passenger leg it serves.
 */
export async function requestWithProposals(
  tx: Queryable,
  row: RequestRow,
  v: Visibility,
): Promise<TripRequest & { proposals: (Match & { bothLegs: boolean })[]; roundTrip: RoundTripPair[] | null }> {
  const matches = await matchesOfRequest(tx, row.id);
  const pairs = hasReturn(returnAskOf(row)) ? roundTripPairs(matches) : null;
  return {
    ...presentRequest(row, v),
    proposals: rankBothLegsFirst(matches, pairs ?? []).map((m) => ({
      ...presentMatch(m, v),
      bothLegs: Boolean(pairs?.some((p) => p.driverId === m.driver_id)),
    })),
    roundTrip: pairs,
  };
}

/** One request (see `recordRequests`). */
export async function recordRequest(
  tx: Queryable,
  scope: Scope,
  territoryId: number,
  b: RequestInput,
  answer: Pick<MatchAnswer, 'proposals' | 'approximate'>,
  returnAnswer?: Pick<MatchAnswer, 'proposals' | 'approximate'> | null,
): Promise<number> {
  return (await recordRequests(tx, scope, territoryId, [{ input: b, answer, returnAnswer }]))[0];
}

/**
 * The one writer of requests: requests (one or many) and the proposals the matcher found for each (matched before
 * the transaction: the router may be slow, a lock must not wait on it), in the caller's transaction. Returns the
 * ids in the order given.
 */
export async function recordRequests(
  tx: Queryable,
  scope: Scope,
  territoryId: number,
  items: {
    input: RequestInput;
    answer: Pick<MatchAnswer, 'proposals' | 'approximate'>;
    /** The return leg's proposals, for a round trip. */
    returnAnswer?: Pick<MatchAnswer, 'proposals' | 'approximate'> | null;
  }[],
): Promise<number[]> {
  if (!items.length) return [];
  await checkPassengers(tx, items.flatMap(({ input }) => (input.passengerId ? [input.passengerId] : [])), territoryId);
  const ids = await drawIds(tx, 'requests', items.length);
  const rows = items.map(({ input: b }, i) => ({
    id: ids[i],
    passenger_id: b.passengerId ?? null,
    f_lng: b.from.lng,
    f_lat: b.from.lat,
    t_lng: b.to.lng,
    t_lat: b.to.lat,
    from_label: b.fromLabel ?? null,
    to_label: b.toLabel ?? null,
    from_source: b.fromSource ?? 'unknown',
    to_source: b.toSource ?? 'unknown',
    date: b.date ?? null,
    weekdays: b.weekdays ?? [],
    time_min: toMinutes(b.time),
    time_kind: b.timeKind,
    tolerance_min: b.toleranceMin,
    return_min: b.returnTime ? toMinutes(b.returnTime) : null,
    return_after_min: b.returnAfterMin ?? null,
    seats: b.seats,
    purpose: b.purpose,
    needs: b.needs ?? [],
    note: b.note ?? null,
  }));
  await tx.query(
    `INSERT INTO requests (id, territory_id, passenger_id, from_point, to_point, from_label, to_label, from_source,
       to_source, date, weekdays, time_min, time_kind, tolerance_min, return_min, return_after_min, seats, purpose, needs, note, created_by)
     SELECT x.id, $1, x.passenger_id, ${pointSql('x.f_lng', 'x.f_lat')}, ${pointSql('x.t_lng', 'x.t_lat')}, x.from_label,
       x.to_label, x.from_source, x.to_source, x.date, x.weekdays, x.time_min, x.time_kind, x.tolerance_min, x.return_min, x.return_after_min, x.seats, x.purpose, x.needs, x.note, $3
     FROM jsonb_to_recordset($2::jsonb) AS x(id int, passenger_id int, f_lng float8, f_lat float8, t_lng float8,
       t_lat float8, from_label text, to_label text, from_source text, to_source text, date date, weekdays smallint[], time_min int, time_kind text,
       tolerance_min int, return_min int, return_after_min int, seats int, purpose text, needs text[], note text)`,
    [territoryId, JSON.stringify(rows), scope.actor],
  );
  for (const [i, { input, answer, returnAnswer }] of items.entries()) {
    await storeProposals(tx, rows[i].id, territoryId, input.date ?? null, answer.proposals, answer.approximate);
    if (returnAnswer)
      await storeProposals(tx, rows[i].id, territoryId, input.date ?? null, returnAnswer.proposals, returnAnswer.approximate, 'return');
  }
  return rows.map((r) => r.id);
}

export interface RequestChange {
  status?: RequestStatus;
  unservedReason?: UnservedReason | null;
  note?: string | null;
}

/**
 * Status (with its coded reason when unserved) and note; the unserved reason goes when the status moves on. A status
 * that changes is kept in request_events with `actor` (the request's timeline).
 */
export async function changeRequest(tx: Queryable, id: number, b: RequestChange, actor = 'unknown') {
  const before = b.status
    ? (await tx.query<{ status: RequestStatus }>('SELECT status FROM requests WHERE id = $1 FOR UPDATE', [id])).rows[0]?.status
    : undefined;
  if (b.status && before && before !== b.status)
    await tx.query('INSERT INTO request_events (request_id, from_status, to_status, reason, actor) VALUES ($1, $2, $3, $4, $5)', [
      id, before, b.status, b.status === 'unserved' ? (b.unservedReason ?? null) : null, actor,
    ]);
  await tx.query(
    `UPDATE requests SET status = COALESCE($2, status),
     unserved_reason = CASE WHEN $2 = 'unserved' THEN $3 WHEN $2 IS NOT NULL THEN NULL ELSE unserved_reason END,
     note = CASE WHEN $4::boolean THEN $5 ELSE note END, updated_at = now() WHERE id = $1`,
    [id, b.status ?? null, b.unservedReason ?? null, b.note !== undefined, b.note ?? null],
  );
}

/**
 * A request is deleted only while nothing happened on it: once a driver was contacted, its matches, their history,
 * the proof-registry declarations and partners' bookings feed statistics and obligations, and must stay. Such a
 * request is cancelled instead.
 */
export async function deleteRequest(tx: Queryable, scope: Scope, id: number): Promise<RequestRow> {
  const row = await loadRequest(tx, scope, id);
  const { rows } = await tx.query<{ handled: number; booked: number }>(
    `SELECT (SELECT count(*)::int FROM matches WHERE request_id = $1 AND status <> 'proposed') AS handled,
            (SELECT count(*)::int FROM interop_bookings WHERE request_id = $1) AS booked`,
    [id],
  );
  if (rows[0].handled || rows[0].booked) {
    throw conflict(
      rows[0].booked
        ? 'this request was booked through a partner: cancel it instead (its history is kept)'
        : 'a driver was already contacted for this request: cancel it instead (its history is kept)',
      'id',
    );
  }
  await tx.query('DELETE FROM requests WHERE id = $1', [id]);
  return row;
}

/** A passenger's requests, for their own page ("Mes trajets"). */
export async function requestsOfPassenger(tx: Queryable, passengerId: number) {
  const { rows } = await tx.query<{
    id: number;
    date: string | null;
    time_min: number;
    from_label: string | null;
    to_label: string | null;
    status: RequestStatus;
  }>(
    'SELECT id, date::text AS date, time_min, from_label, to_label, status FROM requests WHERE passenger_id = $1 ORDER BY id DESC LIMIT 50',
    [passengerId],
  );
  return rows;
}

/** The open dated requests of a territory over a horizon, in the order they came (first come, first served). */
export async function openRequestsOf(tx: Queryable, territoryId: number, from: string, to: string): Promise<RequestRow[]> {
  const { rows } = await tx.query<RequestRow>(
    `${SELECT} WHERE r.territory_id = $1 AND r.status = 'open' AND r.date BETWEEN $2::date AND $3::date
     ORDER BY r.created_at, r.id`,
    [territoryId, from, to],
  );
  return rows;
}
