import type { Queryable } from '@comobi/db';
import { conflict, notFound } from '../http/errors.ts';
import { roundEur } from './costs.ts';
import type { MatchKind } from './matches.ts';
import { inScope, type Scope } from './scope.ts';

/**
 * What the volunteers' statements and the passengers' receipts say: the trips confirmed or done, with the amounts
 * kept on each match when it was handled (a change of the territory's rules afterwards changes nothing here).
 */
export const STATEMENT_STATUSES = ['confirmed', 'done'] as const;

export interface StatementLine {
  matchId: number;
  date: string;
  status: 'confirmed' | 'done';
  leaveHomeMin: number;
  backHomeMin: number;
  pickupMin: number;
  passenger: string;
  from: string;
  to: string;
  /** Home back to home, on the road. */
  distanceKm: number;
  waitMin: number | null;
  roundTrip: boolean;
  allowanceEur: number;
  participationEur: number;
}

export interface Statement {
  volunteerId: number;
  volunteerName: string;
  homeLabel: string | null;
  territoryId: number;
  territory: string;
  coordinatorPhone: string | null;
  month: string;
  lines: StatementLine[];
  totals: { trips: number; distanceKm: number; allowanceEur: number; participationEur: number };
}

const nameOf = (first: string | null, last: string | null) => `${first ?? ''} ${last ?? ''}`.trim();
/** The passenger as a statement names them: first name and initial (the volunteer knows whom they drove). */
const shortName = (first: string | null, last: string | null) =>
  [first, last ? `${last.slice(0, 1)}.` : null].filter(Boolean).join(' ') || 'Passager';

/** A place as a document names it: the request's label, else the commune it lies in. */
const PLACE = (label: string, point: string) =>
  `COALESCE(${label}, (SELECT c.name FROM communes c WHERE ST_Intersects(c.geom, ${point}) LIMIT 1), 'lieu convenu')`;

/** The month of a volunteer: every trip confirmed or done, and the totals the allowance is paid on. */
export async function volunteerStatement(tx: Queryable, scope: Scope, volunteerId: number, month: string): Promise<Statement> {
  const { rows: who } = await tx.query<{
    territory_id: number;
    territory: string;
    coordinator_phone: string | null;
    first_name: string | null;
    last_name: string | null;
    home_label: string | null;
  }>(
    `SELECT v.territory_id, t.name AS territory, t.coordinator_phone, i.first_name, i.last_name, v.home_label
     FROM volunteers v JOIN territories t ON t.id = v.territory_id LEFT JOIN person_identities i ON i.person_id = v.person_id
     WHERE v.person_id = $1`,
    [volunteerId],
  );
  const w = who[0];
  if (!w || !inScope(scope, w.territory_id)) throw notFound('volunteer', volunteerId);
  const { rows } = await tx.query<{
    id: number;
    date: string;
    status: 'confirmed' | 'done';
    volunteer_start_min: number;
    volunteer_end_min: number;
    pickup_min: number;
    first_name: string | null;
    last_name: string | null;
    from_place: string;
    to_place: string;
    volunteer_distance_m: number;
    wait_min: number | null;
    round_trip: boolean;
    allowance_eur: string | null;
    participation_eur: string | null;
  }>(
    `SELECT m.id, m.date::text AS date, m.status, m.volunteer_start_min, m.volunteer_end_min, m.pickup_min,
       pi.first_name, pi.last_name, ${PLACE('rq.from_label', 'rq.from_point')} AS from_place,
       ${PLACE('rq.to_label', 'rq.to_point')} AS to_place, m.volunteer_distance_m, m.wait_min,
       COALESCE(m.volunteer_plan->>'returnPlan', 'none') <> 'none' AS round_trip, m.allowance_eur, m.participation_eur
     FROM matches m JOIN requests rq ON rq.id = m.request_id LEFT JOIN person_identities pi ON pi.person_id = rq.passenger_id
     WHERE m.kind = 'volunteer' AND m.volunteer_id = $1 AND m.status = ANY($2::text[])
       AND m.date >= ($3 || '-01')::date AND m.date < ($3 || '-01')::date + interval '1 month'
     ORDER BY m.date, m.volunteer_start_min, m.id`,
    [volunteerId, STATEMENT_STATUSES, month],
  );
  const lines: StatementLine[] = rows.map((r) => ({
    matchId: r.id,
    date: r.date,
    status: r.status,
    leaveHomeMin: r.volunteer_start_min,
    backHomeMin: r.volunteer_end_min,
    pickupMin: r.pickup_min,
    passenger: shortName(r.first_name, r.last_name),
    from: r.from_place,
    to: r.to_place,
    distanceKm: Math.round(r.volunteer_distance_m / 100) / 10,
    waitMin: r.wait_min,
    roundTrip: r.round_trip,
    allowanceEur: Number(r.allowance_eur ?? 0),
    participationEur: Number(r.participation_eur ?? 0),
  }));
  const sum = (f: (l: StatementLine) => number) => lines.reduce((s, l) => s + f(l), 0);
  return {
    volunteerId,
    volunteerName: nameOf(w.first_name, w.last_name) || `Bénévole n° ${volunteerId}`,
    homeLabel: w.home_label,
    territoryId: w.territory_id,
    territory: w.territory,
    coordinatorPhone: w.coordinator_phone,
    month,
    lines,
    totals: {
      trips: lines.length,
      distanceKm: Math.round(sum((l) => l.distanceKm) * 10) / 10,
      allowanceEur: roundEur(sum((l) => l.allowanceEur)),
      participationEur: roundEur(sum((l) => l.participationEur)),
    },
  };
}

export interface Receipt {
  matchId: number;
  kind: MatchKind;
  territory: string;
  coordinatorPhone: string | null;
  date: string | null;
  pickupMin: number;
  dropoffMin: number;
  back: { pickupMin: number; dropoffMin: number } | null;
  passengerId: number | null;
  passengerName: string;
  driverId: number;
  driverName: string;
  from: string;
  to: string;
  /** The passenger's kilometres (there and back for a round trip), when known. */
  passengerKm: number | null;
  waitMin: number | null;
  participationEur: number | null;
  status: string;
}

/** A trip's receipt for the passenger ("carnet de voyage"): only once the trip is agreed. */
export async function tripReceipt(tx: Queryable, scope: Scope, matchId: number): Promise<Receipt> {
  const { rows } = await tx.query<{
    id: number;
    territory_id: number;
    kind: MatchKind;
    territory: string;
    coordinator_phone: string | null;
    date: string | null;
    pickup_min: number;
    dropoff_min: number;
    plan: { back?: { pickupMin: number; dropoffMin: number } | null; passengerDistanceM?: number } | null;
    passenger_id: number | null;
    p_first: string | null;
    p_last: string | null;
    driver_id: number;
    d_first: string | null;
    d_last: string | null;
    from_place: string;
    to_place: string;
    road_m: number | null;
    wait_min: number | null;
    participation_eur: string | null;
    status: string;
  }>(
    `SELECT m.id, m.territory_id, m.kind, tr.name AS territory, tr.coordinator_phone, m.date::text AS date, m.pickup_min,
       m.dropoff_min, m.volunteer_plan AS plan, rq.passenger_id, pi.first_name AS p_first, pi.last_name AS p_last,
       COALESCE(t.driver_id, m.volunteer_id) AS driver_id, di.first_name AS d_first, di.last_name AS d_last,
       ${PLACE('rq.from_label', 'rq.from_point')} AS from_place, ${PLACE('rq.to_label', 'rq.to_point')} AS to_place,
       COALESCE((m.volunteer_plan->>'passengerDistanceM')::real, m.shared_m) AS road_m, m.wait_min,
       m.participation_eur, m.status
     FROM matches m JOIN requests rq ON rq.id = m.request_id JOIN territories tr ON tr.id = m.territory_id
     LEFT JOIN trips t ON t.id = m.trip_id
     LEFT JOIN person_identities pi ON pi.person_id = rq.passenger_id
     LEFT JOIN person_identities di ON di.person_id = COALESCE(t.driver_id, m.volunteer_id)
     WHERE m.id = $1`,
    [matchId],
  );
  const r = rows[0];
  if (!r || !inScope(scope, r.territory_id)) throw notFound('match', matchId);
  if (!['accepted', 'confirmed', 'done'].includes(r.status))
    throw conflict(`a ${r.status} match has no receipt: the trip must be accepted first`, 'status');
  return {
    matchId: r.id,
    kind: r.kind,
    territory: r.territory,
    coordinatorPhone: r.coordinator_phone,
    date: r.date,
    pickupMin: r.pickup_min,
    dropoffMin: r.dropoff_min,
    back: r.plan?.back ?? null,
    passengerId: r.passenger_id,
    passengerName: nameOf(r.p_first, r.p_last) || 'Passager',
    driverId: r.driver_id,
    driverName: nameOf(r.d_first, r.d_last) || 'Conducteur',
    from: r.from_place,
    to: r.to_place,
    passengerKm: r.road_m === null ? null : Math.round(r.road_m / 100) / 10,
    waitMin: r.wait_min,
    participationEur: r.participation_eur === null ? null : Number(r.participation_eur),
    status: r.status,
  };
}
