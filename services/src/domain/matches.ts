import type { Queryable } from '@comobi/db';
import { coarsePoint } from '../geo/coarse.ts';
import { pointCols, readPoint, type LngLatPoint } from '../geo/sql.ts';
import { badRequest, conflict, notFound } from '../http/errors.ts';
import { filterBy, type ListSpec } from '../http/simple-rest.ts';
import { toClock } from '../time/clock.ts';
import { mergeByExtraKm, type AnyProposal } from '../matching/combined.ts';
import type { Proposal } from '../matching/matcher.ts';
import type { ReturnPlan } from '../matching/volunteers.ts';
import { HOLDS_SEAT, MATCH_STATUSES, REASONS, TRANSITIONS, type MatchStatus } from './match-workflow.ts';
import { queueForTransition } from './messages.ts';
import { inScope, type Scope, type Visibility } from './scope.ts';

export type Leg = 'outbound' | 'return';
export type MatchKind = 'carpool' | 'volunteer';

/** How a volunteer's trip is driven, kept with the match (times and distances only: never the volunteer's home). */
export interface VolunteerPlan {
  returnPlan: ReturnPlan;
  waitMin: number | null;
  back: { pickupMin: number; dropoffMin: number } | null;
  passengerDistanceM: number;
  durationS: number;
}

export interface MatchRow {
  id: number;
  territory_id: number;
  request_id: number;
  /** Null for a volunteer's trip (no commuter trip behind it). */
  trip_id: number | null;
  /** The commuter driving, or the volunteer. */
  driver_id: number;
  kind: MatchKind;
  volunteer_id: number | null;
  /** numeric: the driver gives them as text. */
  participation_eur: string | number | null;
  allowance_eur: string | number | null;
  volunteer_distance_m: number | null;
  volunteer_start_min: number | null;
  volunteer_end_min: number | null;
  volunteer_plan: VolunteerPlan | null;
  leg: Leg;
  /** The passenger's leg this match serves (`leg` is the driver's). */
  request_leg: Leg;
  date: string | null;
  pickup_lng: number;
  pickup_lat: number;
  dropoff_lng: number;
  dropoff_lat: number;
  pickup_min: number;
  dropoff_min: number;
  detour_m: number;
  detour_s: number;
  score: number;
  approximate: boolean;
  status: MatchStatus;
  status_reason: string | null;
  note: string | null;
  status_changed_at: Date | null;
  status_changed_by: string | null;
  created_at: Date;
  updated_at: Date;
  widened: Widened | null;
  direct_contact: boolean;
  request_created_by: string | null;
  passenger_id: number | null;
  passenger_first_name: string | null;
  passenger_last_name: string | null;
  driver_first_name: string | null;
  driver_last_name: string | null;
}

/** What a one-click widening changed to find a match (see matching/near-misses.ts); null: the request's own search. */
export interface Widened {
  kind: 'tolerance' | 'corridor' | 'day' | 'detour';
  from: number;
  to: number;
  label: string;
}

export interface Stop extends Partial<LngLatPoint> {
  time: string;
}

export interface Match {
  id: number;
  territoryId: number;
  requestId: number;
  tripId: number | null;
  driverId: number;
  kind: MatchKind;
  volunteerId: number | null;
  /** What the passenger pays (the territory's rules), kept as it was when the match was handled. */
  participationEur: number | null;
  /** The volunteer's mileage allowance, home back to home; null for a commuter. */
  allowanceEur: number | null;
  /** A volunteer's whole trip: road distance home → home, leaving and coming back home, the way back. */
  volunteerTrip: {
    distanceM: number;
    durationS: number;
    leaveHome: string;
    backHome: string;
    returnPlan: ReturnPlan;
    waitMin: number | null;
    back: { pickup: string; dropoff: string } | null;
  } | null;
  /** The driver's leg: the trip's outbound route or its return. */
  leg: Leg;
  /** The passenger's leg served: their outbound, or their way back. */
  requestLeg: Leg;
  date: string | null;
  pickup: Stop;
  dropoff: Stop;
  detourM: number;
  detourS: number;
  score: number;
  approximate: boolean;
  directContact: boolean;
  status: MatchStatus;
  statusReason: string | null;
  note: string | null;
  statusChangedAt: Date | null;
  statusChangedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  widened: Widened | null;
  passengerId?: number | null;
  /** Only with `names` (console readers with personal visibility; the reads are audited by the caller). */
  passengerName?: string | null;
  driverName?: string | null;
}

export interface MatchEvent {
  from: MatchStatus | null;
  to: MatchStatus;
  reason: string | null;
  note: string | null;
  actor: string;
  at: Date;
}

/** The driver: the commuter of the trip, or the volunteer (a volunteer's match has no trip). */
const DRIVER = 'COALESCE(t.driver_id, m.volunteer_id)';
const FROM = `FROM matches m LEFT JOIN trips t ON t.id = m.trip_id JOIN people p ON p.id = ${DRIVER}
  JOIN requests rq ON rq.id = m.request_id LEFT JOIN person_identities di ON di.person_id = ${DRIVER}
  LEFT JOIN person_identities pi ON pi.person_id = rq.passenger_id`;
export const SELECT_MATCHES = `SELECT m.id, m.territory_id, m.request_id, m.trip_id, ${DRIVER} AS driver_id, m.kind,
  m.volunteer_id, m.participation_eur, m.allowance_eur, m.volunteer_distance_m, m.volunteer_start_min,
  m.volunteer_end_min, m.volunteer_plan, m.leg, m.request_leg, m.date,
  ${pointCols('m.pickup', 'pickup')}, ${pointCols('m.dropoff', 'dropoff')}, m.pickup_min, m.dropoff_min,
  m.detour_m, m.detour_s, m.score, m.approximate, m.status, m.status_reason, m.note, m.status_changed_at,
  m.status_changed_by, m.created_at, m.updated_at, m.widened, p.direct_contact_consent AS direct_contact,
  rq.created_by AS request_created_by, rq.passenger_id, pi.first_name AS passenger_first_name,
  pi.last_name AS passenger_last_name, di.first_name AS driver_first_name, di.last_name AS driver_last_name ${FROM}`;

const nameOf = (first: string | null, last: string | null) => `${first ?? ''} ${last ?? ''}`.trim() || null;

/**
 * Pickup and drop-off are the passenger's door: coarse for readers who do not handle people, and no notes. With
 * `names`, the passenger's and the driver's names too (for the console's lists; the caller audits the read).
 */
export function presentMatch(r: MatchRow, v: Visibility, names = false): Match {
  const personal = v === 'personal';
  const at = (as: string) => (personal ? readPoint(r, as) : coarsePoint(readPoint(r, as)));
  return {
    id: r.id,
    territoryId: r.territory_id,
    requestId: r.request_id,
    tripId: r.trip_id,
    driverId: r.driver_id,
    kind: r.kind,
    volunteerId: r.volunteer_id,
    participationEur: r.participation_eur === null ? null : Number(r.participation_eur),
    allowanceEur: r.allowance_eur === null ? null : Number(r.allowance_eur),
    volunteerTrip: volunteerTripOf(r),
    leg: r.leg,
    requestLeg: r.request_leg,
    date: r.date,
    pickup: { ...at('pickup'), time: toClock(r.pickup_min) },
    dropoff: { ...at('dropoff'), time: toClock(r.dropoff_min) },
    detourM: Math.round(r.detour_m),
    detourS: Math.round(r.detour_s),
    score: r.score,
    approximate: r.approximate,
    directContact: r.direct_contact,
    status: r.status,
    statusReason: r.status_reason,
    note: personal ? r.note : null,
    statusChangedAt: r.status_changed_at,
    statusChangedBy: r.status_changed_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    widened: r.widened,
    ...(names && personal
      ? {
          passengerId: r.passenger_id,
          passengerName: nameOf(r.passenger_first_name, r.passenger_last_name),
          driverName: nameOf(r.driver_first_name, r.driver_last_name),
        }
      : {}),
  };
}

function volunteerTripOf(r: MatchRow): Match['volunteerTrip'] {
  if (r.kind !== 'volunteer' || r.volunteer_start_min === null || r.volunteer_end_min === null) return null;
  const plan = r.volunteer_plan;
  return {
    distanceM: Math.round(r.volunteer_distance_m ?? 0),
    durationS: Math.round(plan?.durationS ?? r.detour_s),
    leaveHome: toClock(r.volunteer_start_min),
    backHome: toClock(r.volunteer_end_min),
    returnPlan: plan?.returnPlan ?? 'none',
    waitMin: plan?.waitMin ?? null,
    back: plan?.back ? { pickup: toClock(plan.back.pickupMin), dropoff: toClock(plan.back.dropoffMin) } : null,
  };
}

/** The people whose names `presentMatch(…, names)` shows: one audit row each. */
export const namedPeople = (rows: MatchRow[]) => {
  const seen = new Map<number, { id: number; territoryId: number }>();
  for (const r of rows) {
    seen.set(r.driver_id, { id: r.driver_id, territoryId: r.territory_id });
    if (r.passenger_id !== null) seen.set(r.passenger_id, { id: r.passenger_id, territoryId: r.territory_id });
  }
  return [...seen.values()];
};

export const matchList: ListSpec = {
  select: SELECT_MATCHES,
  count: `SELECT count(*)::int AS n ${FROM}`,
  territoryColumn: 'm.territory_id',
  sortable: {
    id: 'm.id',
    score: 'm.score',
    detourS: 'm.detour_s',
    createdAt: 'm.created_at',
    status: 'm.status',
    date: 'm.date',
  },
  filters: {
    territoryId: filterBy.int('m.territory_id', 'territoryId'),
    requestId: filterBy.int('m.request_id', 'requestId'),
    tripId: filterBy.int('m.trip_id', 'tripId'),
    driverId: filterBy.int(DRIVER, 'driverId'),
    volunteerId: filterBy.int('m.volunteer_id', 'volunteerId'),
    kind: filterBy.oneOf('m.kind', 'kind', ['carpool', 'volunteer']),
    status: filterBy.oneOf('m.status', 'status', MATCH_STATUSES),
    date: filterBy.date('m.date', 'date', '='),
    dateFrom: filterBy.date('m.date', 'dateFrom', '>='),
    dateTo: filterBy.date('m.date', 'dateTo', '<='),
  },
};

export async function loadMatch(tx: Queryable, scope: Scope, id: number): Promise<MatchRow> {
  const { rows } = await tx.query<MatchRow>(`${SELECT_MATCHES} WHERE m.id = $1`, [id]);
  const row = rows[0];
  if (!row || !inScope(scope, row.territory_id)) throw notFound('match', id);
  return row;
}

export async function matchesOfRequest(tx: Queryable, requestId: number): Promise<MatchRow[]> {
  const { rows } = await tx.query<MatchRow>(`${SELECT_MATCHES} WHERE m.request_id = $1 ORDER BY m.score DESC, m.id`, [
    requestId,
  ]);
  return mergeByExtraKm(rows, (r) => r.kind === 'volunteer', (r) => r.volunteer_distance_m ?? r.detour_m);
}

/** The volunteer's match for a request. */
export async function matchOfVolunteer(tx: Queryable, requestId: number, volunteerId: number): Promise<MatchRow> {
  const { rows } = await tx.query<MatchRow>(
    `${SELECT_MATCHES} WHERE m.request_id = $1 AND m.kind = 'volunteer' AND m.volunteer_id = $2 AND m.leg = 'outbound'`,
    [requestId, volunteerId],
  );
  return rows[0];
}

export async function matchOf(
  tx: Queryable,
  requestId: number,
  tripId: number,
  leg: Leg,
  requestLeg: Leg = 'outbound',
): Promise<MatchRow> {
  const { rows } = await tx.query<MatchRow>(
    `${SELECT_MATCHES} WHERE m.request_id = $1 AND m.trip_id = $2 AND m.leg = $3 AND m.request_leg = $4`,
    [requestId, tripId, leg, requestLeg],
  );
  return rows[0];
}

export async function eventsOfMatch(tx: Queryable, matchId: number, v: Visibility): Promise<MatchEvent[]> {
  const { rows } = await tx.query<{
    from_status: MatchStatus | null;
    to_status: MatchStatus;
    reason: string | null;
    note: string | null;
    actor: string;
    at: Date;
  }>('SELECT from_status, to_status, reason, note, actor, at FROM match_events WHERE match_id = $1 ORDER BY at, id', [
    matchId,
  ]);
  return rows.map((e) => ({
    from: e.from_status,
    to: e.to_status,
    reason: e.reason,
    note: v === 'personal' ? e.note : null,
    actor: e.actor,
    at: e.at,
  }));
}

/**
 * Proposals become matches (status "proposed"); running a request again refreshes them without touching the ones
 * a coordinator handled already (a confirmed match keeps its times and amounts). A proposal found by widening
 * carries what was widened and its own date (the day before or after the request's); found again by the request's
 * own search, it loses both. `requestLeg`: which of the passenger's legs they serve. Commuters' proposals and
 * volunteers' are stored alike; a volunteer's keeps the whole trip (span, distance, plan, the way back included) and
 * both amounts, on the outbound.
 */
export async function storeProposals(
  tx: Queryable,
  requestId: number,
  territoryId: number,
  date: string | null,
  proposals: ((Proposal & { date?: string | null; widened?: Widened }) | AnyProposal)[],
  approximate: boolean,
  requestLeg: Leg = 'outbound',
) {
  const carpool = proposals.filter((p): p is Proposal & { date?: string | null; widened?: Widened } => !('kind' in p) || p.kind === 'carpool');
  const volunteers = proposals.flatMap((p) => ('kind' in p && p.kind === 'volunteer' ? [p] : []));
  if (carpool.length)
    await tx.query(
      `INSERT INTO matches (territory_id, request_id, trip_id, leg, request_leg, date, pickup, dropoff, pickup_min, dropoff_min,
         detour_m, detour_s, score, approximate, widened, participation_eur)
       SELECT $1, $2, x.trip_id, x.leg, $6, COALESCE(x.date, $3::date), ST_SetSRID(ST_MakePoint(x.plng, x.plat), 4326),
         ST_SetSRID(ST_MakePoint(x.dlng, x.dlat), 4326), x.pmin, x.dmin, x.dm, x.ds, x.score, $4, x.widened, x.participation
       FROM jsonb_to_recordset($5::jsonb) AS x(trip_id int, leg text, plng float8, plat float8, dlng float8, dlat float8,
         pmin int, dmin int, dm float8, ds float8, score float8, date date, widened jsonb, participation numeric)
       ON CONFLICT (request_id, trip_id, leg, request_leg) DO UPDATE SET pickup_min = EXCLUDED.pickup_min, dropoff_min = EXCLUDED.dropoff_min,
         detour_m = EXCLUDED.detour_m, detour_s = EXCLUDED.detour_s, score = EXCLUDED.score, date = EXCLUDED.date,
         widened = EXCLUDED.widened,
         participation_eur = COALESCE(EXCLUDED.participation_eur, matches.participation_eur), updated_at = now()
         WHERE matches.status = 'proposed'`,
      [
        territoryId,
        requestId,
        date,
        approximate,
        JSON.stringify(
          carpool.map((p) => ({
            trip_id: p.tripId,
            leg: p.leg,
            plng: p.pickup.lng,
            plat: p.pickup.lat,
            dlng: p.dropoff.lng,
            dlat: p.dropoff.lat,
            pmin: p.pickup.timeMin % 1440,
            dmin: p.dropoff.timeMin % 1440,
            dm: p.detourM,
            ds: p.detourS,
            score: p.score,
            date: p.date ?? null,
            widened: p.widened ?? null,
            participation: 'participationEur' in p ? p.participationEur : null,
          })),
        ),
        requestLeg,
      ],
    );
  if (volunteers.length)
    await tx.query(
      `INSERT INTO matches (territory_id, request_id, trip_id, kind, volunteer_id, leg, date, pickup, dropoff, pickup_min,
         dropoff_min, detour_m, detour_s, score, approximate, participation_eur, allowance_eur,
         volunteer_distance_m, volunteer_start_min, volunteer_end_min, wait_min, volunteer_plan)
       SELECT $1, $2, NULL, 'volunteer', x.volunteer_id, 'outbound', $3::date, ST_SetSRID(ST_MakePoint(x.plng, x.plat), 4326),
         ST_SetSRID(ST_MakePoint(x.dlng, x.dlat), 4326), x.pmin, x.dmin, x.dm, x.ds, x.score, $4,
         x.participation, x.allowance, x.dm, x.start_min, x.end_min, x.wait_min, x.plan
       FROM jsonb_to_recordset($5::jsonb) AS x(volunteer_id int, plng float8, plat float8, dlng float8, dlat float8,
         pmin int, dmin int, dm float8, ds float8, score float8, participation numeric,
         allowance numeric, start_min int, end_min int, wait_min int, plan jsonb)
       ON CONFLICT (request_id, volunteer_id, leg) WHERE kind = 'volunteer' DO UPDATE SET pickup_min = EXCLUDED.pickup_min,
         dropoff_min = EXCLUDED.dropoff_min, detour_m = EXCLUDED.detour_m, detour_s = EXCLUDED.detour_s,
         score = EXCLUDED.score, approximate = EXCLUDED.approximate,
         participation_eur = EXCLUDED.participation_eur, allowance_eur = EXCLUDED.allowance_eur,
         volunteer_distance_m = EXCLUDED.volunteer_distance_m, volunteer_start_min = EXCLUDED.volunteer_start_min,
         volunteer_end_min = EXCLUDED.volunteer_end_min, wait_min = EXCLUDED.wait_min,
         volunteer_plan = EXCLUDED.volunteer_plan, updated_at = now()
         WHERE matches.status = 'proposed'`,
      [
        territoryId,
        requestId,
        date,
        approximate,
        JSON.stringify(
          volunteers.map((p) => ({
            volunteer_id: p.volunteerId,
            plng: p.pickup.lng,
            plat: p.pickup.lat,
            dlng: p.dropoff.lng,
            dlat: p.dropoff.lat,
            pmin: p.pickup.timeMin,
            dmin: p.dropoff.timeMin,
            dm: p.volunteerDistanceM,
            ds: p.volunteerDurationS,
            score: p.score,
            participation: p.participationEur,
            allowance: p.allowanceEur,
            start_min: p.startMin,
            end_min: p.endMin,
            wait_min: p.waitMin,
            plan: {
              returnPlan: p.returnPlan,
              waitMin: p.waitMin,
              back: p.back ? { pickupMin: p.back.pickup.timeMin, dropoffMin: p.back.dropoff.timeMin } : null,
              passengerDistanceM: p.passengerDistanceM,
              durationS: p.volunteerDurationS,
            } satisfies VolunteerPlan,
          })),
        ),
      ],
    );
}

/**
 * A volunteer is in one place at a time: 409 when another of their trips that day holds hours overlapping
 * [startMin, endMin) (accepted, confirmed or done). The volunteer row is locked first, so that two trips of theirs
 * cannot be accepted (or planned) for the same hours at once; the caller's transaction holds the lock.
 */
export async function refuseVolunteerClash(
  tx: Queryable,
  volunteerId: number,
  date: string,
  startMin: number,
  endMin: number,
  exceptMatchId: number,
  field: string,
) {
  await tx.query('SELECT 1 FROM volunteers WHERE person_id = $1 FOR UPDATE', [volunteerId]);
  const clash = await tx.query<{ id: number; start_min: number; end_min: number }>(
    `SELECT x.id, x.volunteer_start_min AS start_min, x.volunteer_end_min AS end_min FROM matches x
     WHERE x.kind = 'volunteer' AND x.volunteer_id = $1 AND x.date = $2 AND x.status = ANY($3::text[]) AND x.id <> $4
       AND x.volunteer_start_min < $6 AND $5 < x.volunteer_end_min ORDER BY x.volunteer_start_min LIMIT 1`,
    [volunteerId, date, HOLDS_SEAT, exceptMatchId, startMin, endMin],
  );
  const c = clash.rows[0];
  if (c)
    throw conflict(
      `the volunteer is already booked from ${toClock(c.start_min)} to ${toClock(c.end_min)} that day (match ${c.id})`,
      field,
    );
}

/**
 * The one way a match changes status, in the caller's transaction: the workflow, the coded reason, the free seats
 * (the trip row is locked so two acceptances cannot share the last seat), the history row, and the request that
 * follows its best match (confirmed → matched, done → served), and the messages the step causes (outbox, same
 * transaction: a rolled-back change sends nothing). Returns the trip id, whose index entry changes.
 */
export async function transition(
  tx: Queryable,
  scope: Scope,
  matchId: number,
  to: MatchStatus,
  reason: string | null,
  note: string | null,
  /** The caller queues the confirmation itself (a round trip's both legs in one message). */
  messages: { confirmationLater?: boolean } = {},
): Promise<{ tripId: number | null }> {
  const { rows } = await tx.query<{
    status: MatchStatus;
    kind: MatchKind;
    trip_id: number | null;
    volunteer_id: number | null;
    leg: string;
    date: string | null;
    seats: number;
    request_id: number;
    territory_id: number;
    volunteer_start_min: number | null;
    volunteer_end_min: number | null;
  }>(
    `SELECT m.status, m.kind, m.trip_id, m.volunteer_id, m.leg, m.date, r.seats, m.request_id, m.territory_id,
       m.volunteer_start_min, m.volunteer_end_min
     FROM matches m JOIN requests r ON r.id = m.request_id WHERE m.id = $1 FOR UPDATE OF m`,
    [matchId],
  );
  const m = rows[0];
  if (!m || !inScope(scope, m.territory_id)) throw notFound('match', matchId);
  if (m.status === to) return { tripId: m.trip_id };
  if (!TRANSITIONS[m.status].includes(to)) {
    throw conflict(
      `cannot go from ${m.status} to ${to}; allowed: ${TRANSITIONS[m.status].join(', ') || 'none (final)'}`,
      'status',
    );
  }
  if (to === 'declined' || to === 'cancelled') {
    const allowed: readonly string[] = REASONS[to];
    if (!reason || !allowed.includes(reason))
      throw badRequest('reason', `a coded reason is required: ${allowed.join(', ')}`);
  }
  const takesHold = HOLDS_SEAT.includes(to) && !HOLDS_SEAT.includes(m.status) && m.date;
  if (takesHold && m.kind === 'carpool' && m.trip_id !== null) {
    // The trip row is locked so two acceptances cannot share the last seat.
    const trip = await tx.query<{ seats: number }>('SELECT seats FROM trips WHERE id = $1 FOR UPDATE', [m.trip_id]);
    const taken = await tx.query<{ n: number }>(
      `SELECT COALESCE(sum(r.seats), 0)::int AS n FROM matches x JOIN requests r ON r.id = x.request_id
       WHERE x.trip_id = $1 AND x.date = $2 AND x.leg = $5 AND x.status = ANY($3::text[]) AND x.id <> $4`,
      [m.trip_id, m.date, HOLDS_SEAT, matchId, m.leg],
    );
    if (taken.rows[0].n + m.seats > trip.rows[0].seats)
      throw conflict('no free seat left on this trip for that date', 'status');
  }
  if (takesHold && m.kind === 'volunteer')
    await refuseVolunteerClash(tx, m.volunteer_id!, m.date!, m.volunteer_start_min!, m.volunteer_end_min!, matchId, 'status');
  await tx.query(
    `UPDATE matches SET status = $2, status_reason = $3, note = COALESCE($4, note), status_changed_at = now(),
       status_changed_by = $5, updated_at = now() WHERE id = $1`,
    [matchId, to, reason, note, scope.actor],
  );
  await tx.query(
    'INSERT INTO match_events (match_id, from_status, to_status, reason, note, actor) VALUES ($1, $2, $3, $4, $5, $6)',
    [matchId, m.status, to, reason, note, scope.actor],
  );
  // The request follows its match (confirmed: found a driver; done: served), and that change is a line of its timeline
  // like a coordinator's own change of status (request_events).
  const follows = to === 'confirmed' ? 'matched' : to === 'done' ? 'served' : null;
  if (follows) {
    const before = (await tx.query<{ status: string }>('SELECT status FROM requests WHERE id = $1 FOR UPDATE', [m.request_id])).rows[0]?.status;
    if (before && before !== follows && (follows === 'served' || before === 'open')) {
      await tx.query('UPDATE requests SET status = $2, updated_at = now() WHERE id = $1', [m.request_id, follows]);
      await tx.query('INSERT INTO request_events (request_id, from_status, to_status, reason, actor) VALUES ($1, $2, $3, NULL, $4)', [
        m.request_id, before, follows, scope.actor,
      ]);
    }
  }
  await queueForTransition(tx, matchId, m.status, to, messages);
  return { tripId: m.trip_id };
}

/** Walks several statuses in one transaction (the interoperability API's booking statuses map to paths). */
export async function walk(
  tx: Queryable,
  scope: Scope,
  matchId: number,
  steps: MatchStatus[],
  reasonOf: (to: MatchStatus) => string | null,
  note: string | null,
) {
  for (const to of steps) await transition(tx, scope, matchId, to, reasonOf(to), note);
}

/** A note on a match without a status change. */
export async function setMatchNote(tx: Queryable, matchId: number, note: string | null) {
  await tx.query('UPDATE matches SET note = $2, updated_at = now() WHERE id = $1', [matchId, note]);
}

/** Only a proposed match can be deleted; later ones keep their history. */
export async function deleteProposedMatch(tx: Queryable, scope: Scope, matchId: number): Promise<MatchRow> {
  const row = await loadMatch(tx, scope, matchId);
  if (row.status !== 'proposed')
    throw conflict(`a ${row.status} match keeps its history: cancel it instead`, 'status');
  await tx.query('DELETE FROM matches WHERE id = $1', [matchId]);
  return row;
}

/**
 * The driver's two ends in the direction of the match's leg (the driver's route for directions): a commuter's trip,
 * or a volunteer's home at both ends.
 */
export async function legEnds(tx: Queryable, m: MatchRow): Promise<{ origin: LngLatPoint; destination: LngLatPoint }> {
  if (m.kind === 'volunteer') {
    const { rows } = await tx.query<{ lng: number; lat: number }>(
      'SELECT ST_X(home) AS lng, ST_Y(home) AS lat FROM volunteers WHERE person_id = $1',
      [m.volunteer_id],
    );
    const home = { lng: rows[0].lng, lat: rows[0].lat };
    return { origin: home, destination: home };
  }
  const { rows } = await tx.query<{ o_lng: number; o_lat: number; d_lng: number; d_lat: number }>(
    `SELECT ST_X(CASE WHEN $2 = 'return' THEN destination ELSE origin END) AS o_lng,
            ST_Y(CASE WHEN $2 = 'return' THEN destination ELSE origin END) AS o_lat,
            ST_X(CASE WHEN $2 = 'return' THEN origin ELSE destination END) AS d_lng,
            ST_Y(CASE WHEN $2 = 'return' THEN origin ELSE destination END) AS d_lat
     FROM trips WHERE id = $1`,
    [m.trip_id, m.leg],
  );
  const e = rows[0];
  return { origin: { lng: e.o_lng, lat: e.o_lat }, destination: { lng: e.d_lng, lat: e.d_lat } };
}
