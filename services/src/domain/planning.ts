import type { Queryable } from '@comobi/db';
import { badRequest, notFound } from '../http/errors.ts';
import { legKey, freeSeats } from '../matching/legs.ts';
import type { LegIndex } from '../matching/leg-index.ts';
import type { Matcher, Proposal } from '../matching/matcher.ts';
import { hasReturn, matchJourney, returnQuery } from '../matching/round-trip.ts';
import type { Router } from '../routing/types.ts';
import type { PlanCandidate, PlanInstance, Plan } from '../planning/model.ts';
import { seatKey, unitKey } from '../planning/model.ts';
import { solvePlan } from '../planning/solve.ts';
import { HOLDS_SEAT } from './match-workflow.ts';
import { matchOf, SELECT_MATCHES, storeProposals, type Leg, type MatchRow } from './matches.ts';
import { loadRequest, matchQueryOf, openRequestsOf, returnAskOf, type RequestRow } from './requests.ts';
import { inScope, type Scope } from './scope.ts';

export type Change = 'kept' | 'changed' | 'added' | 'dropped' | 'unserved';

interface TripLeg {
  tripId: number;
  leg: Leg;
}

/** What a plan needs from the service: the matcher for the candidates, the index for the seats, the router for returns. */
export interface PlanningDeps {
  matcher: Matcher;
  index: LegIndex;
  router: Router;
}

export interface Gathered {
  requests: RequestRow[];
  instance: PlanInstance;
  /** Each request leg's best proposal today (by unitKey): what a coordinator would call first. */
  today: Map<string, TripLeg>;
}

const LEGS_OF = (r: RequestRow): Leg[] => (hasReturn(returnAskOf(r)) ? ['outbound', 'return'] : ['outbound']);

/** Matches that already hold a seat stay; pairs a driver or passenger turned down are not proposed again. */
const TURNED_DOWN = ['declined', 'cancelled'];

/**
 * The instance of a horizon: its open dated requests (oldest first), every proposal the matcher finds for each leg
 * of each (its order kept; a round trip's return leg too, served only with its outbound), their stored matches; an
 * accepted match is fixed, and the seats of each trip leg on each date are the index's free seats plus those the
 * fixed matches hold.
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
    // Commuters' trips only (a volunteer's trip is planned by the coordinator, not by the seat assignment), both legs.
    `${SELECT_MATCHES} WHERE m.request_id = ANY($1::int[]) AND m.kind = 'carpool' ORDER BY m.request_id, m.score DESC, m.id`,
    [requests.map((r) => r.id)],
  );
  const held = new Map<string, MatchRow>();
  const turnedDown = new Set<string>();
  const today = new Map<string, TripLeg>();
  for (const m of stored) {
    const unit = `${m.request_id}:${m.request_leg}`;
    if (HOLDS_SEAT.includes(m.status) && m.date && !held.has(unit)) held.set(unit, m);
    if (TURNED_DOWN.includes(m.status)) turnedDown.add(`${unit}:${m.trip_id}:${m.leg}`);
    if ((m.status === 'proposed' || m.status === 'contacted') && !today.has(unit))
      today.set(unit, { tripId: m.trip_id!, leg: m.leg });
  }
  const candidates: PlanCandidate[] = [];
  const fixedSeats = new Map<string, number>();
  const twoLegs: number[] = [];
  for (const r of requests) {
    const legs = LEGS_OF(r);
    if (legs.length === 2) twoLegs.push(r.id);
    const open = legs.filter((l) => !held.has(`${r.id}:${l}`));
    for (const l of legs) {
      const h = held.get(`${r.id}:${l}`);
      if (!h) continue;
      const c: PlanCandidate = {
        requestId: r.id,
        requestLeg: l,
        tripId: h.trip_id!,
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
      today.set(unitKey(c), { tripId: h.trip_id!, leg: h.leg });
    }
    if (!open.length) continue;
    const journey =
      legs.length === 2
        ? await matchJourney(deps.matcher, deps.router, matchQueryOf(r), returnAskOf(r))
        : { outbound: await deps.matcher.match(matchQueryOf(r)), return: null };
    for (const l of open) {
      const answer = l === 'outbound' ? journey.outbound : journey.return;
      for (const p of answer?.proposals ?? []) {
        if (turnedDown.has(`${r.id}:${l}:${p.tripId}:${p.leg}`)) continue;
        candidates.push(candidateOf(r, p, l));
      }
    }
  }
  const capacity = new Map<string, number>();
  for (const c of candidates) {
    const key = seatKey(c);
    if (capacity.has(key)) continue;
    const leg = deps.index.legs.get(legKey(c.tripId, c.leg));
    capacity.set(key, (leg ? Math.max(0, freeSeats(leg, c.date)) : 0) + (fixedSeats.get(key) ?? 0));
  }
  return { requests, instance: { candidates, capacity, twoLegs }, today };
}

const candidateOf = (r: RequestRow, p: Proposal, requestLeg: Leg): PlanCandidate => ({
  requestId: r.id,
  requestLeg,
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
  requestLeg: Leg;
  date: string;
  after: (TripLeg & { detourS: number; pickupMin: number; dropoffMin: number; fixed: boolean }) | null;
  before: TripLeg | null;
  change: Change;
}

/** One item per leg of each request (a round trip has two, both assigned or, but for a fixed leg, neither). */
export function itemsOf(g: Gathered, plan: Plan): PlanItem[] {
  const chosen = new Map(plan.chosen.map((c) => [unitKey(c), c]));
  return g.requests
    .flatMap((r) => LEGS_OF(r).map((requestLeg) => ({ r, requestLeg })))
    .map(({ r, requestLeg }) => {
      const unit = `${r.id}:${requestLeg}`;
      const c = chosen.get(unit);
      const before = g.today.get(unit) ?? null;
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
        requestLeg,
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
      new Set(items.map((i) => i.requestId)).size,
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
      `INSERT INTO plan_items (plan_id, request_id, request_leg, trip_id, leg, date, detour_s, pickup_min, dropoff_min,
         fixed, before_trip_id, before_leg, change)
       SELECT $1, x.request_id, x.request_leg, x.trip_id, x.leg, x.date, x.detour_s, x.pickup_min, x.dropoff_min, x.fixed,
         x.before_trip_id, x.before_leg, x.change
       FROM jsonb_to_recordset($2::jsonb) AS x(request_id int, request_leg text, trip_id int, leg text, date date,
         detour_s int, pickup_min int, dropoff_min int, fixed boolean, before_trip_id int, before_leg text, change text)`,
      [
        id,
        JSON.stringify(
          items.map((i) => ({
            request_id: i.requestId,
            request_leg: i.requestLeg,
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
  request_leg: Leg;
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
      `SELECT request_id, request_leg, trip_id, leg, date::text AS date, detour_s, fixed, before_trip_id, before_leg, change,
         match_id, confirmed_at FROM plan_items WHERE plan_id = $1 ORDER BY date, request_id, request_leg DESC`,
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
        requestLeg: i.request_leg,
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
        requestLeg: i.request_leg,
        change: i.change,
        before: i.before_trip_id === null ? null : { tripId: i.before_trip_id, leg: i.before_leg },
        after: i.trip_id === null ? null : { tripId: i.trip_id, leg: i.leg },
      })),
    // A request unserved: a leg of it without a trip (a round trip counts only when both legs are served).
    unserved: [...new Set(items.filter((i) => i.trip_id === null).map((i) => i.request_id))],
  };
}

export interface ConfirmResult {
  confirmed: { requestId: number; requestLeg: Leg; matchId: number }[];
  stale: { requestId: number; requestLeg: Leg; reason: string }[];
}

/**
 * Confirming an item makes the chosen pair a proposed match (or refreshes it), marked in the plan as the one to
 * call: the coordinator then calls the driver and the usual workflow (contacted, accepted, confirmed) follows. The
 * pair is checked again by the matcher first: since the plan, a seat may have gone or the request moved on.
 */
export async function confirmPlan(
  run: <T>(fn: (tx: Queryable) => Promise<T>) => Promise<T>,
  deps: { matcher: Matcher; router: Router },
  scope: Scope,
  planId: number,
  requestIds: number[] | undefined,
): Promise<ConfirmResult> {
  const { matcher } = deps;
  const todo = await run(async (tx) => {
    const plan = await loadPlan(tx, scope, planId);
    const assigned = new Set(plan.assignments.map((a) => a.requestId));
    if (requestIds) {
      const unknown = requestIds.filter((r) => !assigned.has(r));
      if (unknown.length)
        throw badRequest('requestIds', `not assigned by this plan: ${unknown.slice(0, 20).join(', ')}`);
    }
    // A request's legs together: confirming a round trip confirms both.
    const wanted = new Set(requestIds ?? assigned);
    const picked = plan.assignments.filter((a) => wanted.has(a.requestId));
    return Promise.all(
      picked
        .filter((a) => !a.fixed && a.matchId === null)
        .map(async (a) => ({ a, request: await loadRequest(tx, scope, a.requestId) })),
    );
  });
  const out: ConfirmResult = { confirmed: [], stale: [] };
  for (const { a, request } of todo) {
    const { requestId, requestLeg } = a;
    if (request.status !== 'open') {
      out.stale.push({ requestId, requestLeg, reason: `the request is ${request.status} now` });
      continue;
    }
    const query =
      requestLeg === 'return'
        ? await returnQuery(matchQueryOf(request), returnAskOf(request), deps.router)
        : matchQueryOf(request);
    const answer = query ? await matcher.match(query) : null;
    const proposal = answer?.proposals.find((p) => p.tripId === a.tripId && p.leg === a.leg);
    if (!answer || !proposal) {
      out.stale.push({ requestId, requestLeg, reason: 'this trip can no longer take the passenger (seats or times)' });
      continue;
    }
    const matchId = await run(async (tx) => {
      await storeProposals(
        tx,
        request.id,
        request.territory_id,
        request.date,
        [proposal],
        answer.approximate,
        requestLeg,
      );
      const m = await matchOf(tx, request.id, proposal.tripId, proposal.leg, requestLeg);
      if (TURNED_DOWN.includes(m.status)) return m.status;
      const done = await tx.query(
        `UPDATE plan_items SET match_id = $3, confirmed_at = now(), confirmed_by = $4
         WHERE plan_id = $1 AND request_id = $2 AND request_leg = $5 AND match_id IS NULL`,
        [planId, request.id, m.id, scope.actor, requestLeg],
      );
      return done.rowCount ? m.id : null;
    });
    if (typeof matchId === 'string')
      out.stale.push({ requestId, requestLeg, reason: `this match was ${matchId} since` });
    else if (matchId !== null) out.confirmed.push({ requestId, requestLeg, matchId });
  }
  return out;
}
