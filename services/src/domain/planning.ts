import type { Queryable } from '@comobi/db';
import { badRequest, notFound } from '../http/errors.ts';
import { legKey, freeSeats } from '../matching/legs.ts';
import type { LegIndex } from '../matching/leg-index.ts';
import type { Matcher, Proposal } from '../matching/matcher.ts';
import type { PlanCandidate, PlanInstance, Plan } from '../planning/model.ts';
import { seatKey } from '../planning/model.ts';
import { solvePlan } from '../planning/solve.ts';
import { HOLDS_SEAT } from './match-workflow.ts';
import { matchOf, SELECT_MATCHES, storeProposals, type Leg, type MatchRow } from './matches.ts';
import { loadRequest, matchQueryOf, openRequestsOf, type RequestRow } from './requests.ts';
import { inScope, type Scope } from './scope.ts';

export type Change = 'kept' | 'changed' | 'added' | 'dropped' | 'unserved';

interface TripLeg {
  tripId: number;
  leg: Leg;
}

/** What a plan needs from the service: the matcher for the candidates, the index for the seats. */
export interface PlanningDeps {
  matcher: Matcher;
  index: LegIndex;
}

export interface Gathered {
  requests: RequestRow[];
  instance: PlanInstance;
  /** Each request's best proposal today: what a coordinator would call first. */
  today: Map<number, TripLeg>;
}

/** Matches that already hold a seat stay; pairs a driver or passenger turned down are not proposed again. */
const TURNED_DOWN = ['declined', 'cancelled'];

/**
 * The instance of a horizon: its open dated requests (oldest first), every proposal the matcher finds for each (its
 * order kept), their stored matches; an accepted match is fixed, and the seats of each trip leg on each date are
 * the index's free seats plus those the fixed matches hold.
 */
export async function gatherInstance(
  tx: Queryable,
  deps: PlanningDeps,
  territoryId: number,
  from: string,
  to: string,
): Promise<Gathered> {
  const requests = await openRequestsOf(tx, territoryId, from, to);
  const { rows: stored } = await tx.query<MatchRow>(
    `${SELECT_MATCHES} WHERE m.request_id = ANY($1::int[]) AND m.request_leg = 'outbound' ORDER BY m.request_id, m.score DESC, m.id`,
    [requests.map((r) => r.id)],
  );
  const held = new Map<number, MatchRow>();
  const turnedDown = new Set<string>();
  const today = new Map<number, TripLeg>();
  for (const m of stored) {
    if (HOLDS_SEAT.includes(m.status) && m.date && !held.has(m.request_id)) held.set(m.request_id, m);
    if (TURNED_DOWN.includes(m.status)) turnedDown.add(`${m.request_id}:${m.trip_id}:${m.leg}`);
    if ((m.status === 'proposed' || m.status === 'contacted') && !today.has(m.request_id))
      today.set(m.request_id, { tripId: m.trip_id, leg: m.leg });
  }
  const candidates: PlanCandidate[] = [];
  const fixedSeats = new Map<string, number>();
  for (const r of requests) {
    const h = held.get(r.id);
    if (h) {
      const c: PlanCandidate = {
        requestId: r.id,
        tripId: h.trip_id,
        driverId: h.driver_id,
        leg: h.leg,
        date: r.date!,
        detourS: Math.round(h.detour_s),
        seats: r.seats,
        pickupMin: h.pickup_min,
        dropoffMin: h.dropoff_min,
        fixed: true,
      };
      candidates.push(c);
      fixedSeats.set(seatKey(c), (fixedSeats.get(seatKey(c)) ?? 0) + c.seats);
      today.set(r.id, { tripId: h.trip_id, leg: h.leg });
      continue;
    }
    const answer = await deps.matcher.match(matchQueryOf(r));
    for (const p of answer.proposals) {
      if (turnedDown.has(`${r.id}:${p.tripId}:${p.leg}`)) continue;
      candidates.push(candidateOf(r, p));
    }
  }
  const capacity = new Map<string, number>();
  for (const c of candidates) {
    const key = seatKey(c);
    if (capacity.has(key)) continue;
    const leg = deps.index.legs.get(legKey(c.tripId, c.leg));
    capacity.set(key, (leg ? Math.max(0, freeSeats(leg, c.date)) : 0) + (fixedSeats.get(key) ?? 0));
  }
  // Plans assign the outbound legs only: a request's return leg (request_leg = 'return') is matched and confirmed
  // from its request page; pairing both legs here (`roundTrips`) needs a candidate id per leg.
  return { requests, instance: { candidates, capacity, roundTrips: [] }, today };
}

const candidateOf = (r: RequestRow, p: Proposal): PlanCandidate => ({
  requestId: r.id,
  tripId: p.tripId,
  driverId: p.driverId,
  leg: p.leg,
  date: r.date!,
  detourS: p.detourS,
  seats: r.seats,
  pickupMin: p.pickup.timeMin,
  dropoffMin: p.dropoff.timeMin,
});

export interface PlanItem {
  requestId: number;
  date: string;
  after: (TripLeg & { detourS: number; pickupMin: number; dropoffMin: number; fixed: boolean }) | null;
  before: TripLeg | null;
  change: Change;
}

export function itemsOf(g: Gathered, plan: Plan): PlanItem[] {
  const chosen = new Map(plan.chosen.map((c) => [c.requestId, c]));
  return g.requests.map((r) => {
    const c = chosen.get(r.id);
    const before = g.today.get(r.id) ?? null;
    const change: Change = c
      ? !before
        ? 'added'
        : before.tripId === c.tripId && before.leg === c.leg
          ? 'kept'
          : 'changed'
      : before
        ? 'dropped'
        : 'unserved';
    return {
      requestId: r.id,
      date: r.date!,
      before,
      change,
      after: c
        ? {
            tripId: c.tripId,
            leg: c.leg,
            detourS: c.detourS,
            pickupMin: c.pickupMin,
            dropoffMin: c.dropoffMin,
            fixed: Boolean(c.fixed),
          }
        : null,
    };
  });
}

/** Computes the plan of a horizon (the matcher and the solver run outside any lock) and stores it. */
export async function computePlan(
  run: <T>(fn: (tx: Queryable) => Promise<T>) => Promise<T>,
  deps: PlanningDeps,
  scope: Scope,
  territoryId: number,
  from: string,
  to: string,
  timeLimitS: number,
): Promise<number> {
  if (!inScope(scope, territoryId)) throw notFound('territory', territoryId);
  const g = await run((tx) => gatherInstance(tx, deps, territoryId, from, to));
  const plan = await solvePlan(g.instance, { timeLimitS });
  const items = itemsOf(g, plan);
  return run((tx) => storePlan(tx, scope, territoryId, from, to, plan, items));
}

export async function storePlan(
  tx: Queryable,
  scope: Scope,
  territoryId: number,
  from: string,
  to: string,
  plan: Plan,
  items: PlanItem[],
): Promise<number> {
  const { rows } = await tx.query<{ id: number }>(
    `INSERT INTO plans (territory_id, date_from, date_to, source, solver_status, open_requests, served, greedy_served,
       served_bound, lp_bound, objective, gap_pct, solve_ms, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
    [
      territoryId,
      from,
      to,
      plan.source,
      plan.solverStatus,
      items.length,
      plan.served,
      plan.greedyServed,
      plan.servedBound,
      plan.lpBound,
      plan.objective,
      plan.gapPct,
      plan.solveMs,
      scope.actor,
    ],
  );
  const id = rows[0].id;
  if (items.length)
    await tx.query(
      `INSERT INTO plan_items (plan_id, request_id, trip_id, leg, date, detour_s, pickup_min, dropoff_min, fixed,
         before_trip_id, before_leg, change)
       SELECT $1, x.request_id, x.trip_id, x.leg, x.date, x.detour_s, x.pickup_min, x.dropoff_min, x.fixed,
         x.before_trip_id, x.before_leg, x.change
       FROM jsonb_to_recordset($2::jsonb) AS x(request_id int, trip_id int, leg text, date date, detour_s int,
         pickup_min int, dropoff_min int, fixed boolean, before_trip_id int, before_leg text, change text)`,
      [
        id,
        JSON.stringify(
          items.map((i) => ({
            request_id: i.requestId,
            trip_id: i.after?.tripId ?? null,
            leg: i.after?.leg ?? null,
            date: i.date,
            detour_s: i.after?.detourS ?? null,
            pickup_min: i.after?.pickupMin ?? null,
            dropoff_min: i.after?.dropoffMin ?? null,
            fixed: i.after?.fixed ?? false,
            before_trip_id: i.before?.tripId ?? null,
            before_leg: i.before?.leg ?? null,
            change: i.change,
          })),
        ),
      ],
    );
  return id;
}

interface PlanRowDb {
  id: number;
  territory_id: number;
  date_from: string;
  date_to: string;
  source: string;
  solver_status: string;
  open_requests: number;
  served: number;
  greedy_served: number;
  served_bound: number | null;
  lp_bound: number | null;
  objective: number;
  gap_pct: number | null;
  solve_ms: number;
  created_by: string | null;
  created_at: Date;
}
interface ItemRowDb {
  request_id: number;
  trip_id: number | null;
  leg: Leg | null;
  date: string;
  detour_s: number | null;
  fixed: boolean;
  before_trip_id: number | null;
  before_leg: Leg | null;
  change: Change;
  match_id: number | null;
  confirmed_at: Date | null;
}

/** A stored plan as the API answers it: figures, the assignments, and what changes against today's proposals. */
export async function loadPlan(tx: Queryable, scope: Scope, id: number) {
  const { rows } = await tx.query<PlanRowDb>(
    `SELECT id, territory_id, date_from::text AS date_from, date_to::text AS date_to, source, solver_status,
       open_requests, served, greedy_served, served_bound, lp_bound, objective, gap_pct, solve_ms, created_by, created_at
     FROM plans WHERE id = $1`,
    [id],
  );
  const p = rows[0];
  if (!p || !inScope(scope, p.territory_id)) throw notFound('plan', id);
  const items = (
    await tx.query<ItemRowDb>(
      `SELECT request_id, trip_id, leg, date::text AS date, detour_s, fixed, before_trip_id, before_leg, change, match_id,
         confirmed_at FROM plan_items WHERE plan_id = $1 ORDER BY date, request_id`,
      [id],
    )
  ).rows;
  return {
    id: p.id,
    territoryId: p.territory_id,
    from: p.date_from,
    to: p.date_to,
    source: p.source,
    solverStatus: p.solver_status,
    openRequests: p.open_requests,
    served: p.served,
    greedyServed: p.greedy_served,
    servedBound: p.served_bound,
    lpBound: p.lp_bound,
    gapPct: p.gap_pct === null ? null : Math.round(p.gap_pct * 1000) / 1000,
    solveMs: p.solve_ms,
    createdBy: p.created_by,
    createdAt: p.created_at,
    assignments: items
      .filter((i) => i.trip_id !== null)
      .map((i) => ({
        requestId: i.request_id,
        tripId: i.trip_id!,
        leg: i.leg!,
        date: i.date,
        detourS: i.detour_s!,
        fixed: i.fixed,
        matchId: i.match_id,
        confirmedAt: i.confirmed_at,
      })),
    changes: items
      .filter((i) => i.change !== 'kept' && i.change !== 'unserved')
      .map((i) => ({
        requestId: i.request_id,
        change: i.change,
        before: i.before_trip_id === null ? null : { tripId: i.before_trip_id, leg: i.before_leg },
        after: i.trip_id === null ? null : { tripId: i.trip_id, leg: i.leg },
      })),
    unserved: items.filter((i) => i.trip_id === null).map((i) => i.request_id),
  };
}

export interface ConfirmResult {
  confirmed: { requestId: number; matchId: number }[];
  stale: { requestId: number; reason: string }[];
}

/**
 * Confirming an item makes the chosen pair a proposed match (or refreshes it), marked in the plan as the one to
 * call: the coordinator then calls the driver and the usual workflow (contacted, accepted, confirmed) follows. The
 * pair is checked again by the matcher first: since the plan, a seat may have gone or the request moved on.
 */
export async function confirmPlan(
  run: <T>(fn: (tx: Queryable) => Promise<T>) => Promise<T>,
  matcher: Matcher,
  scope: Scope,
  planId: number,
  requestIds: number[] | undefined,
): Promise<ConfirmResult> {
  const todo = await run(async (tx) => {
    const plan = await loadPlan(tx, scope, planId);
    const assigned = new Map(plan.assignments.map((a) => [a.requestId, a]));
    if (requestIds) {
      const unknown = requestIds.filter((r) => !assigned.has(r));
      if (unknown.length)
        throw badRequest('requestIds', `not assigned by this plan: ${unknown.slice(0, 20).join(', ')}`);
    }
    const picked = (requestIds ?? [...assigned.keys()]).map((r) => assigned.get(r)!);
    return Promise.all(
      picked
        .filter((a) => !a.fixed && a.matchId === null)
        .map(async (a) => ({ a, request: await loadRequest(tx, scope, a.requestId) })),
    );
  });
  const out: ConfirmResult = { confirmed: [], stale: [] };
  for (const { a, request } of todo) {
    if (request.status !== 'open') {
      out.stale.push({ requestId: a.requestId, reason: `the request is ${request.status} now` });
      continue;
    }
    const answer = await matcher.match(matchQueryOf(request));
    const proposal = answer.proposals.find((p) => p.tripId === a.tripId && p.leg === a.leg);
    if (!proposal) {
      out.stale.push({ requestId: a.requestId, reason: 'this trip can no longer take the passenger (seats or times)' });
      continue;
    }
    const matchId = await run(async (tx) => {
      await storeProposals(tx, request.id, request.territory_id, request.date, [proposal], answer.approximate);
      const m = await matchOf(tx, request.id, proposal.tripId, proposal.leg);
      if (TURNED_DOWN.includes(m.status)) return m.status;
      const done = await tx.query(
        `UPDATE plan_items SET match_id = $3, confirmed_at = now(), confirmed_by = $4
         WHERE plan_id = $1 AND request_id = $2 AND match_id IS NULL`,
        [planId, request.id, m.id, scope.actor],
      );
      return done.rowCount ? m.id : null;
    });
    if (typeof matchId === 'string')
      out.stale.push({ requestId: a.requestId, reason: `this match was ${matchId} since` });
    else if (matchId !== null) out.confirmed.push({ requestId: a.requestId, matchId });
  }
  return out;
}
