import type { Queryable } from '@comobi/db';
import { badRequest, notFound } from '../http/errors.ts';
import { legKey, freeSeats } from '../matching/legs.ts';
import type { LegIndex } from '../matching/leg-index.ts';
import { mergeByExtraKm, volunteerQueryOf } from '../matching/combined.ts';
import type { Matcher, Proposal } from '../matching/matcher.ts';
import { matchVolunteers, type VolunteerProposal } from '../matching/volunteers.ts';
import { toClock } from '../time/clock.ts';
import { hasReturn, matchJourney, returnQuery } from '../matching/round-trip.ts';
import type { Router } from '../routing/types.ts';
import type { PlanCandidate, PlanInstance, Plan } from '../planning/model.ts';
import { seatKey, unitsOf } from '../planning/model.ts';
import { solvePlan } from '../planning/solve.ts';
import { HOLDS_SEAT } from './match-workflow.ts';
import {
  matchOf,
  matchOfVolunteer,
  refuseVolunteerClash,
  SELECT_MATCHES,
  storeProposals,
  type Leg,
  type MatchRow,
} from './matches.ts';
import { loadRequest, matchQueryOf, openRequestsOf, returnAskOf, type RequestRow } from './requests.ts';
import { inScope, type Scope } from './scope.ts';
import { volunteerProposalFor } from './volunteer-proposals.ts';

export type Change = 'kept' | 'changed' | 'added' | 'dropped' | 'unserved';

/** Who drives a request leg: a commuter's trip leg, or a volunteer (no trip; their outing covers a round trip's both legs). */
export interface Supply {
  tripId: number | null;
  leg: Leg;
  volunteerId: number | null;
}

const sameSupply = (a: Supply, b: Supply) =>
  a.volunteerId !== null || b.volunteerId !== null
    ? a.volunteerId === b.volunteerId
    : a.tripId === b.tripId && a.leg === b.leg;

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
  today: Map<string, Supply>;
}

const LEGS_OF = (r: RequestRow): Leg[] => (hasReturn(returnAskOf(r)) ? ['outbound', 'return'] : ['outbound']);

/** Matches that already hold a seat stay; pairs a driver or passenger turned down are not proposed again. */
const TURNED_DOWN = ['declined', 'cancelled'];

/** A stored match's or a proposal's driver, as the keys of turned-down pairs read it. */
const pairKey = (unit: string, s: { tripId: number | null; leg: Leg; volunteerId: number | null }) =>
  s.volunteerId !== null ? `${unit}:v${s.volunteerId}` : `${unit}:${s.tripId}:${s.leg}`;
const supplyOfMatch = (m: MatchRow): Supply =>
  m.kind === 'volunteer'
    ? { tripId: null, leg: 'outbound', volunteerId: m.volunteer_id }
    : { tripId: m.trip_id, leg: m.leg, volunteerId: null };

/**
 * The instance of a horizon: its open dated requests (oldest first), every proposal the service finds for each leg
 * of each, in the service's ranked order (commuters from the matcher, volunteers beside them on the outbound, merged
 * by the kilometres each adds, as a request's page lists them; a round trip's return leg from the return query,
 * served only with its outbound; a volunteer's outing there and back covers both legs), their stored matches. An
 * accepted match is fixed; the seats of each trip leg on each date are the index's free seats plus those the fixed
 * matches hold. A volunteer has no seat count: their outings (home → home) may not overlap, and the matcher already
 * leaves out the hours their accepted outings hold.
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
    `${SELECT_MATCHES} WHERE m.request_id = ANY($1::int[]) ORDER BY m.request_id, m.score DESC, m.id`,
    [requests.map((r) => r.id)],
  );
  const twoLegged = new Set(requests.filter((r) => LEGS_OF(r).length === 2).map((r) => r.id));
  const held = new Map<string, MatchRow>();
  const turnedDown = new Set<string>();
  const today = new Map<string, Supply>();
  const byRequest = new Map<number, MatchRow[]>();
  for (const m of stored) byRequest.set(m.request_id, [...(byRequest.get(m.request_id) ?? []), m]);
  for (const [requestId, ms] of byRequest)
    // The order a request's page lists them in: what a coordinator calls first.
    for (const m of mergeByExtraKm(
      ms,
      (x) => x.kind === 'volunteer',
      (x) => x.volunteer_distance_m ?? x.detour_m,
    )) {
      // A volunteer's outing of a round-trip request drives both legs.
      const legs: Leg[] = m.kind === 'volunteer' && twoLegged.has(requestId) ? ['outbound', 'return'] : [m.request_leg];
      for (const l of legs) {
        const unit = `${requestId}:${l}`;
        if (HOLDS_SEAT.includes(m.status) && m.date && !held.has(unit)) held.set(unit, m);
        if (TURNED_DOWN.includes(m.status)) turnedDown.add(pairKey(unit, supplyOfMatch(m)));
        if ((m.status === 'proposed' || m.status === 'contacted') && !today.has(unit))
          today.set(unit, supplyOfMatch(m));
      }
    }
  const candidates: PlanCandidate[] = [];
  const fixedSeats = new Map<string, number>();
  const twoLegs: number[] = [];
  for (const r of requests) {
    const legs = LEGS_OF(r);
    if (legs.length === 2) twoLegs.push(r.id);
    const open = legs.filter((l) => !held.has(`${r.id}:${l}`));
    const fixedMatches = new Set<number>();
    for (const l of legs) {
      const h = held.get(`${r.id}:${l}`);
      if (!h || fixedMatches.has(h.id)) continue;
      fixedMatches.add(h.id);
      const c: PlanCandidate =
        h.kind === 'volunteer'
          ? {
              requestId: r.id,
              requestLeg: 'outbound',
              tripId: 0,
              driverId: h.volunteer_id!,
              leg: 'outbound',
              date: r.date!,
              detourS: Math.round(h.detour_s),
              seats: r.seats,
              pickupMin: h.volunteer_start_min!,
              dropoffMin: h.volunteer_end_min!,
              fixed: true,
              volunteer: true,
              bothLegs: legs.length === 2,
            }
          : {
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
      if (!c.volunteer) fixedSeats.set(seatKey(c), (fixedSeats.get(seatKey(c)) ?? 0) + c.seats);
      for (const u of unitsOf(c)) today.set(u, supplyOfMatch(h));
    }
    if (!open.length) continue;
    const q = matchQueryOf(r);
    const journey =
      legs.length === 2
        ? await matchJourney(deps.matcher, deps.router, q, returnAskOf(r))
        : { outbound: await deps.matcher.match(q), return: null };
    // Volunteers take the whole request (both legs of a round trip, or none): only when no leg is held already.
    const volunteers =
      open.length === legs.length
        ? outingsToPlan(
            (await matchVolunteers(tx, deps.router, volunteerQueryOf(q, r), undefined, { allTimes: true })).proposals,
          )
        : [];
    for (const l of open) {
      const unit = `${r.id}:${l}`;
      const answer = l === 'outbound' ? journey.outbound : journey.return;
      const commuters = (answer?.proposals ?? []).filter(
        (p) => !turnedDown.has(pairKey(unit, { tripId: p.tripId, leg: p.leg, volunteerId: null })),
      );
      const mine = (l === 'outbound' ? volunteers : []).filter(
        (p) => !turnedDown.has(pairKey(unit, { tripId: null, leg: 'outbound', volunteerId: p.volunteerId })),
      );
      candidates.push(
        ...rankedCandidates({ requestId: r.id, date: r.date!, seats: r.seats }, l, commuters, mine, legs.length === 2),
      );
    }
  }
  const capacity = new Map<string, number>();
  for (const c of candidates) {
    if (c.volunteer) continue;
    const key = seatKey(c);
    if (capacity.has(key)) continue;
    const leg = deps.index.legs.get(legKey(c.tripId, c.leg));
    capacity.set(key, (leg ? Math.max(0, freeSeats(leg, c.date)) : 0) + (fixedSeats.get(key) ?? 0));
  }
  return { requests, instance: { candidates, capacity, twoLegs }, today };
}

/** Minutes between two outings of one volunteer the plan considers for one request. */
const OUTING_STEP_MIN = 15;

/**
 * The outings of each volunteer a plan chooses among (from every one that fits, in the order matching tries the
 * times: the asked one first): the first, as a request's page proposes it, and those 15, 30… minutes from it. Per
 * request, matching shifts a volunteer's time around the bookings she has when the request is taken; the plan, which
 * books several requests at once, needs those shifted outings as candidates to do the same (its greedy answer takes
 * the first that fits, as per-request matching would).
 */
export function outingsToPlan(proposals: VolunteerProposal[]): VolunteerProposal[] {
  const first = new Map<number, VolunteerProposal>();
  return proposals.filter((p) => {
    const f = first.get(p.volunteerId);
    if (!f) {
      first.set(p.volunteerId, p);
      return true;
    }
    return (p.pickup.timeMin - f.pickup.timeMin) % OUTING_STEP_MIN === 0;
  });
}

/** What a candidate takes of its request. */
export interface CandidateRequest {
  requestId: number;
  date: string;
  seats: number;
}

/**
 * The candidates of one request leg, in the order the service ranks its proposals (a request's page, the list a
 * coordinator calls down): commuters in the matcher's order, volunteers merged in by the kilometres each adds (a
 * commuter's detour, a volunteer's whole outing home → home; matching/combined.ts). A commuter is busy with the
 * passenger from pickup to drop-off; a volunteer from leaving home to coming back, the whole outing's road time her
 * cost (all of it is extra); `bothLegs`: the outing takes a round trip there and back.
 */
export function rankedCandidates(
  r: CandidateRequest,
  requestLeg: Leg,
  commuters: Proposal[],
  volunteers: VolunteerProposal[],
  bothLegs: boolean,
): PlanCandidate[] {
  // Each volunteer's first outing is the one a request's page proposes; the others are shifted from it.
  const firstOf = new Map<number, VolunteerProposal>();
  for (const p of volunteers) if (!firstOf.has(p.volunteerId)) firstOf.set(p.volunteerId, p);
  const items: { c: PlanCandidate; extraM: number; score: number }[] = [
    ...commuters.map((p) => ({
      c: {
        requestId: r.requestId,
        requestLeg,
        tripId: p.tripId,
        driverId: p.driverId,
        leg: p.leg,
        date: r.date,
        detourS: p.detourS,
        seats: r.seats,
        pickupMin: p.pickup.timeMin,
        dropoffMin: p.dropoff.timeMin,
      },
      extraM: p.detourM,
      score: p.score,
    })),
    ...volunteers.map((p) => ({
      c: {
        requestId: r.requestId,
        requestLeg: 'outbound' as const,
        tripId: 0,
        driverId: p.volunteerId,
        leg: 'outbound' as const,
        date: r.date,
        detourS: p.detourS,
        seats: r.seats,
        pickupMin: p.startMin,
        dropoffMin: p.endMin,
        volunteer: true,
        bothLegs,
        shiftMin: Math.abs(p.pickup.timeMin - (firstOf.get(p.volunteerId) ?? p).pickup.timeMin),
      },
      extraM: p.volunteerDistanceM,
      score: p.score,
    })),
  ];
  return mergeByExtraKm(
    items,
    (x) => Boolean(x.c.volunteer),
    (x) => x.extraM,
  ).map((x) => x.c);
}

export interface PlanItem {
  requestId: number;
  requestLeg: Leg;
  date: string;
  /** pickupMin/dropoffMin: the passenger's ride with a commuter; a volunteer's whole outing (leaving home, back home). */
  after: (Supply & { detourS: number; pickupMin: number; dropoffMin: number; fixed: boolean }) | null;
  before: Supply | null;
  change: Change;
}

/** One item per leg of each request (a round trip has two, both assigned or, but for a fixed leg, neither). */
export function itemsOf(g: Gathered, plan: Plan): PlanItem[] {
  const chosen = new Map(plan.chosen.flatMap((c) => unitsOf(c).map((u) => [u, c] as const)));
  return g.requests
    .flatMap((r) => LEGS_OF(r).map((requestLeg) => ({ r, requestLeg })))
    .map(({ r, requestLeg }) => {
      const unit = `${r.id}:${requestLeg}`;
      const c = chosen.get(unit);
      const before = g.today.get(unit) ?? null;
      const after: Supply | null = c
        ? c.volunteer
          ? { tripId: null, leg: 'outbound', volunteerId: c.driverId }
          : { tripId: c.tripId, leg: c.leg, volunteerId: null }
        : null;
      const change: Change = after
        ? !before
          ? 'added'
          : sameSupply(before, after)
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
        after:
          c && after
            ? {
                ...after,
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
      `INSERT INTO plan_items (plan_id, request_id, request_leg, trip_id, volunteer_id, leg, date, detour_s, pickup_min,
         dropoff_min, fixed, before_trip_id, before_volunteer_id, before_leg, change)
       SELECT $1, x.request_id, x.request_leg, x.trip_id, x.volunteer_id, x.leg, x.date, x.detour_s, x.pickup_min,
         x.dropoff_min, x.fixed, x.before_trip_id, x.before_volunteer_id, x.before_leg, x.change
       FROM jsonb_to_recordset($2::jsonb) AS x(request_id int, request_leg text, trip_id int, volunteer_id int, leg text,
         date date, detour_s int, pickup_min int, dropoff_min int, fixed boolean, before_trip_id int,
         before_volunteer_id int, before_leg text, change text)`,
      [
        id,
        JSON.stringify(
          items.map((i) => ({
            request_id: i.requestId,
            request_leg: i.requestLeg,
            trip_id: i.after?.tripId ?? null,
            volunteer_id: i.after?.volunteerId ?? null,
            leg: i.after?.leg ?? null,
            date: i.date,
            detour_s: i.after?.detourS ?? null,
            pickup_min: i.after?.pickupMin ?? null,
            dropoff_min: i.after?.dropoffMin ?? null,
            fixed: i.after?.fixed ?? false,
            before_trip_id: i.before?.tripId ?? null,
            before_volunteer_id: i.before?.volunteerId ?? null,
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
  volunteer_id: number | null;
  before_volunteer_id: number | null;
  pickup_min: number | null;
  dropoff_min: number | null;
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
      `SELECT request_id, request_leg, trip_id, volunteer_id, leg, date::text AS date, detour_s, pickup_min, dropoff_min,
         fixed, before_trip_id, before_volunteer_id, before_leg, change, match_id, confirmed_at
       FROM plan_items WHERE plan_id = $1 ORDER BY date, request_id, request_leg DESC`,
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
    // A volunteer's item names the volunteer (their id: the console reads the name, audited, from /api/volunteers)
    // and their whole outing, leaving home and back home; a commuter's, the trip leg.
    assignments: items
      .filter((i) => i.trip_id !== null || i.volunteer_id !== null)
      .map((i) => ({
        requestId: i.request_id,
        requestLeg: i.request_leg,
        kind: i.volunteer_id !== null ? ('volunteer' as const) : ('carpool' as const),
        tripId: i.trip_id,
        volunteerId: i.volunteer_id,
        leg: i.leg!,
        date: i.date,
        detourS: i.detour_s!,
        ...(i.volunteer_id !== null ? { leaveHome: clockOf(i.pickup_min), backHome: clockOf(i.dropoff_min) } : {}),
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
        before: supplyOut(i.before_trip_id, i.before_volunteer_id, i.before_leg),
        after: supplyOut(i.trip_id, i.volunteer_id, i.leg),
      })),
    // A request unserved: a leg of it without a driver (a round trip counts only when both legs are served).
    unserved: [...new Set(items.filter((i) => i.trip_id === null && i.volunteer_id === null).map((i) => i.request_id))],
  };
}

const clockOf = (min: number | null) => (min === null ? null : toClock(((min % 1440) + 1440) % 1440));
/** A side of a change: a commuter's trip leg, a volunteer, or nobody. */
const supplyOut = (tripId: number | null, volunteerId: number | null, leg: Leg | null) =>
  volunteerId !== null
    ? { volunteerId, tripId: null, leg: 'outbound' as const }
    : tripId !== null
      ? { tripId, leg }
      : null;

export interface ConfirmResult {
  confirmed: { requestId: number; requestLeg: Leg; matchId: number }[];
  stale: { requestId: number; requestLeg: Leg; reason: string }[];
}

/** A plan item checked again and ready to write: the proposal to store and the plan items it confirms. */
type Checked =
  | { kind: 'carpool'; request: RequestRow; requestLeg: Leg; proposal: Proposal; approximate: boolean }
  | { kind: 'volunteer'; request: RequestRow; proposal: VolunteerProposal; approximate: boolean };

/**
 * Confirming an item makes the chosen pair a proposed match (or refreshes it), marked in the plan as the one to
 * call: the coordinator then calls the driver and the usual workflow (contacted, accepted, confirmed) follows. Each
 * pair is checked again first, outside any transaction: a commuter's by the matcher (since the plan, a seat may have
 * gone or the request moved on: the item is reported stale), a volunteer's by the same function as a coordinator
 * proposing that volunteer (volunteerProposalFor: hours, limits, their bookings of the day), which answers 409 when
 * the volunteer cannot take the passenger any more. Then everything is written in one transaction, the volunteer's
 * overlap checked again under the lock of their row (refuseVolunteerClash, as accepting does): a 409 writes nothing.
 * A volunteer's item of a round trip is one outing for both legs: one match, both plan items.
 */
export async function confirmPlan(
  run: <T>(fn: (tx: Queryable) => Promise<T>) => Promise<T>,
  deps: { matcher: Matcher; router: Router; db: Queryable },
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
    const picked = plan.assignments.filter((a) => wanted.has(a.requestId) && !a.fixed && a.matchId === null);
    // A volunteer's outing there and back is one item to confirm, on its outbound.
    const one = picked.filter(
      (a) =>
        a.volunteerId === null ||
        !picked.some(
          (b) => b !== a && b.requestId === a.requestId && b.requestLeg === 'outbound' && a.requestLeg === 'return',
        ),
    );
    // A volunteer's outing leaves home at the minute the plan chose (the plan may have shifted it around her others).
    const starts = new Map(
      (
        await tx.query<{ request_id: number; pickup_min: number }>(
          `SELECT request_id, pickup_min FROM plan_items WHERE plan_id = $1 AND volunteer_id IS NOT NULL AND request_leg = 'outbound'`,
          [planId],
        )
      ).rows.map((x) => [x.request_id, x.pickup_min]),
    );
    return Promise.all(
      one.map(async (a) => ({
        a,
        request: await loadRequest(tx, scope, a.requestId),
        startMin: starts.get(a.requestId),
      })),
    );
  });
  const out: ConfirmResult = { confirmed: [], stale: [] };
  const checked: Checked[] = [];
  for (const { a, request, startMin } of todo) {
    const { requestId, requestLeg } = a;
    if (request.status !== 'open') {
      out.stale.push({ requestId, requestLeg, reason: `the request is ${request.status} now` });
      continue;
    }
    if (a.volunteerId !== null) {
      const { proposal, approximate } = await volunteerProposalFor(
        deps.db,
        deps.router,
        request,
        a.volunteerId,
        'requestIds',
        startMin ?? undefined,
      );
      checked.push({ kind: 'volunteer', request, proposal, approximate });
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
    checked.push({ kind: 'carpool', request, requestLeg, proposal, approximate: answer.approximate });
  }
  await run(async (tx) => {
    for (const c of checked) {
      const { request } = c;
      const requestLeg: Leg = c.kind === 'carpool' ? c.requestLeg : 'outbound';
      await storeProposals(tx, request.id, request.territory_id, request.date, [c.proposal], c.approximate, requestLeg);
      const m =
        c.kind === 'carpool'
          ? await matchOf(tx, request.id, c.proposal.tripId, c.proposal.leg, requestLeg)
          : await matchOfVolunteer(tx, request.id, c.proposal.volunteerId);
      if (TURNED_DOWN.includes(m.status)) {
        out.stale.push({ requestId: request.id, requestLeg, reason: `this match was ${m.status} since` });
        continue;
      }
      if (c.kind === 'volunteer')
        await refuseVolunteerClash(
          tx,
          c.proposal.volunteerId,
          request.date!,
          c.proposal.startMin,
          c.proposal.endMin,
          m.id,
          'requestIds',
        );
      // A volunteer's match confirms the request's items of that volunteer (both legs of a round trip).
      const done = await tx.query<{ request_leg: Leg }>(
        `UPDATE plan_items SET match_id = $3, confirmed_at = now(), confirmed_by = $4
         WHERE plan_id = $1 AND request_id = $2 AND match_id IS NULL
           AND (CASE WHEN $6::int IS NULL THEN request_leg = $5 ELSE volunteer_id = $6 END)
         RETURNING request_leg`,
        [planId, request.id, m.id, scope.actor, requestLeg, c.kind === 'volunteer' ? c.proposal.volunteerId : null],
      );
      for (const row of done.rows)
        out.confirmed.push({ requestId: request.id, requestLeg: row.request_leg, matchId: m.id });
    }
  });
  return out;
}
