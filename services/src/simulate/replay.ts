/**
 * The replay of a scenario through the service's HTTP API, as a coordinator would work, for each strategy:
 *
 * - per-request: each ask is entered when the passenger calls; the coordinator calls its proposals best first, as
 *   the service ranks them (commuters and volunteers in one list, by the kilometres each adds), until a
 *   driver accepts (first come, first served: a later ask finds the seats an earlier one took); an ask left without
 *   a driver is searched again the day before its trip.
 * - batch: asks are entered as they come; each day the coordinator computes a plan of the next 7 days
 *   (`POST /api/plans`), confirms the assignments of the trips of the next CALL_WINDOW_DAYS days and calls those
 *   drivers; after a refusal, the plan is computed again (at most PLAN_ROUNDS a day). Assignments further ahead wait:
 *   more asks will be known when their turn comes, and accepted matches are kept by every later plan.
 *
 * In both, a driver called answers as drawn by `answerOf` (the same in both strategies), a coordinator gives up after
 * MAX_CALLS calls, passengers who cancel do so the day before, and a trip accepted is confirmed and done on its day.
 */
import crypto from 'node:crypto';
import { distanceM } from '../geo/sphere.ts';
import { CO2_KG_PER_KM, ROAD_FACTOR } from '../stats/labels.ts';
import { addDays } from '../time/days.ts';
import { answerOf, MAX_CALLS, type Scenario, type SimRequest } from './calibration.ts';
import type { SimTerritory, Strategy } from './setup.ts';

export const CALL_WINDOW_DAYS = 2;
export const PLAN_ROUNDS = 3;
export const HORIZON_DAYS = 7;

export interface Api {
  (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/** The coded reasons a request is left unserved for (the service's UNSERVED_REASONS). */
export type UnservedCode = 'no_driver' | 'no_seat' | 'driver_declined' | 'passenger_cancelled';

export interface StrategyResult {
  strategy: Strategy;
  requests: number;
  served: number;
  tripsDone: number;
  /** Trips done by a volunteer driver (the rest by commuters). */
  byVolunteer: number;
  kmShared: number;
  co2AvoidedKg: number;
  unserved: Record<UnservedCode, number>;
  coordinatorActions: number;
  driverCalls: number;
  plans: number;
  /**
   * Over the day's first plans: the requests the plan served beyond the per-request greedy answer on the same
   * instance (how much the open requests competed for the same drivers), and the plans where it did.
   */
  planGain: number;
  plansWithGain: number;
  roundTrips: number;
  roundTripsBothWays: number;
  /** A digest of the requests as the service recorded them (ends, date, time, purpose): the same for both strategies. */
  demandDigest: string;
}

interface MatchView {
  id: number;
  kind: 'carpool' | 'volunteer';
  tripId: number | null;
  volunteerId: number | null;
  status: string;
  date: string | null;
  pickup: { lng?: number; lat?: number };
  dropoff: { lng?: number; lat?: number };
}

interface AskState {
  ask: SimRequest;
  requestId: number;
  calls: number;
  accepted: MatchView | null;
  closed: boolean;
}

const ok = async (api: Api, method: string, path: string, body?: unknown) => {
  const r = await api(method, path, body);
  if (r.status >= 400) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
};

export async function replayStrategy(api: Api, sc: Scenario, t: SimTerritory): Promise<StrategyResult> {
  const res: StrategyResult = {
    strategy: t.strategy,
    requests: 0,
    served: 0,
    tripsDone: 0,
    byVolunteer: 0,
    kmShared: 0,
    co2AvoidedKg: 0,
    unserved: { no_driver: 0, no_seat: 0, driver_declined: 0, passenger_cancelled: 0 },
    coordinatorActions: 0,
    driverCalls: 0,
    plans: 0,
    planGain: 0,
    plansWithGain: 0,
    roundTrips: 0,
    roundTripsBothWays: 0,
    demandDigest: '',
  };
  const digest = crypto.createHash('sha256');
  const states = new Map<string, AskState>();
  const byId = new Map<number, AskState>();
  const action = () => res.coordinatorActions++;

  /** One call to the driver of a proposal; true when they accept and the seat is taken. */
  const call = async (s: AskState, m: MatchView): Promise<boolean> => {
    s.calls++;
    res.driverCalls++;
    action();
    await ok(api, 'PUT', `/api/matches/${m.id}`, { status: 'contacted' });
    // A commuter answers by their ref, a volunteer by theirs: the same draw in both strategies.
    const who =
      m.kind === 'volunteer'
        ? (t.refOfVolunteer.get(m.volunteerId!) ?? `v?${m.volunteerId}`)
        : (t.driverOfTrip.get(m.tripId!) ?? String(m.tripId));
    const answer = answerOf(sc.seed, s.ask.ref, who);
    if (answer === 'accept') {
      const r = await api('PUT', `/api/matches/${m.id}`, { status: 'accepted' });
      if (r.status === 200) {
        s.accepted = r.body as MatchView;
        action(); // calling the passenger back with the driver's name and time
        return true;
      }
      if (r.status !== 409) throw new Error(`accepting match ${m.id}: ${r.status} ${JSON.stringify(r.body)}`);
      // The seat went since the proposal (or the volunteer was booked for those hours): the driver is sorry.
      await ok(api, 'PUT', `/api/matches/${m.id}`, { status: 'declined', reason: 'schedule_conflict' });
      return false;
    }
    await ok(api, 'PUT', `/api/matches/${m.id}`, {
      status: 'declined',
      reason: answer === 'decline' ? 'driver_unavailable' : 'no_answer',
    });
    return false;
  };
  /** Calls the open proposals best first until one accepts or the calls run out. */
  const callDown = async (s: AskState, proposals: MatchView[]) => {
    for (const m of proposals) {
      if (s.accepted || s.calls >= MAX_CALLS) return;
      if (m.status !== 'proposed') continue;
      await call(s, m);
    }
  };
  const enter = async (ask: SimRequest) => {
    action();
    const body = await ok(api, 'POST', '/api/requests', {
      territoryId: t.territoryId,
      from: { lng: ask.from[0], lat: ask.from[1] },
      to: { lng: ask.to[0], lat: ask.to[1] },
      fromLabel: ask.fromLabel,
      toLabel: ask.toLabel,
      date: ask.date,
      time: ask.time,
      timeKind: ask.timeKind,
      toleranceMin: ask.toleranceMin,
      seats: 1,
      purpose: ask.purpose,
    });
    digest.update(
      JSON.stringify([body.from, body.to, body.date, body.time, body.timeKind, body.toleranceMin, body.purpose]),
    );
    res.requests++;
    const s: AskState = { ask, requestId: body.id, calls: 0, accepted: null, closed: false };
    states.set(ask.ref, s);
    byId.set(body.id, s);
    return { s, proposals: body.proposals as MatchView[] };
  };
  const close = async (s: AskState, reason: UnservedCode) => {
    action();
    s.closed = true;
    res.unserved[reason]++;
    await ok(api, 'PUT', `/api/requests/${s.requestId}`, { status: 'unserved', unservedReason: reason });
  };
  /** Why a request ends without a driver, from its proposals as the service has them. */
  const reasonOf = async (s: AskState): Promise<UnservedCode> => {
    const r = await ok(api, 'GET', `/api/requests/${s.requestId}`);
    const ps = r.proposals as MatchView[];
    if (!ps.length) return 'no_driver';
    if (s.calls >= MAX_CALLS || ps.every((m) => m.status === 'declined' || m.status === 'cancelled'))
      return 'driver_declined';
    return 'no_seat';
  };

  const first = sc.requests.reduce((d, a) => (a.callDay < d ? a.callDay : d), sc.from);
  const last = addDays(sc.from, sc.days - 1);
  for (let day = first; day <= last; day = addDays(day, 1)) {
    // 1. The day's calls.
    for (const ask of sc.requests.filter((a) => a.callDay === day)) {
      const { s, proposals } = await enter(ask);
      if (t.strategy === 'per-request') await callDown(s, proposals);
    }
    // 2. Passengers who cancel do it the day before.
    const tomorrow = addDays(day, 1);
    for (const s of states.values()) {
      if (s.ask.date !== tomorrow || s.closed || !s.ask.cancels) continue;
      if (s.accepted) {
        action();
        await ok(api, 'PUT', `/api/matches/${s.accepted.id}`, { status: 'cancelled', reason: 'passenger_cancelled' });
        s.accepted = null;
      }
      await close(s, 'passenger_cancelled');
    }
    // 3. The strategy's work of the day.
    if (t.strategy === 'per-request') {
      for (const s of states.values()) {
        if (s.ask.date !== tomorrow || s.ask.callDay === day || s.closed || s.accepted || s.calls >= MAX_CALLS) continue;
        action();
        const again = await ok(api, 'POST', `/api/requests/${s.requestId}/match`);
        await callDown(s, again.proposals as MatchView[]);
      }
    } else {
      for (let round = 0; round < PLAN_ROUNDS; round++) {
        const plan = await ok(api, 'POST', '/api/plans', {
          territoryId: t.territoryId,
          from: tomorrow,
          to: addDays(day, HORIZON_DAYS),
        });
        res.plans++;
        if (round === 0 && plan.served > plan.greedyServed) {
          res.planGain += plan.served - plan.greedyServed;
          res.plansWithGain++;
        }
        action();
        const due = (plan.assignments as { requestId: number; date: string; fixed: boolean; matchId: number | null }[])
          .filter((a) => !a.fixed && a.date <= addDays(day, CALL_WINDOW_DAYS))
          .filter((a) => {
            const s = byId.get(a.requestId);
            return s && !s.closed && !s.accepted && s.calls < MAX_CALLS;
          });
        if (!due.length) break;
        action();
        const confirm = await api('POST', `/api/plans/${plan.id}/confirm`, { requestIds: due.map((a) => a.requestId) });
        // A volunteer booked since the plan: nothing was confirmed; the next round plans again.
        if (confirm.status === 409) continue;
        if (confirm.status >= 400) throw new Error(`confirming plan ${plan.id}: ${confirm.status} ${JSON.stringify(confirm.body).slice(0, 300)}`);
        const confirmed = confirm.body;
        let refused = 0;
        // One call a match (a volunteer's outing there and back confirms two legs with one match).
        const calls = new Map((confirmed.confirmed as { requestId: number; matchId: number }[]).map((c) => [c.matchId, c]));
        for (const c of calls.values()) {
          const s = byId.get(c.requestId)!;
          const m = (await ok(api, 'GET', `/api/matches/${c.matchId}`)) as MatchView;
          if (!(await call(s, m))) refused++;
        }
        if (!refused) break;
      }
    }
    // 4. Asks of tomorrow still without a driver are closed with their reason.
    for (const s of states.values())
      if (s.ask.date === tomorrow && !s.closed && !s.accepted) await close(s, await reasonOf(s));
    // 5. Today's trips: confirmed and done.
    for (const s of states.values()) {
      if (s.ask.date !== day || s.closed || !s.accepted) continue;
      await ok(api, 'PUT', `/api/matches/${s.accepted.id}`, { status: 'confirmed' });
      const done = (await ok(api, 'PUT', `/api/matches/${s.accepted.id}`, { status: 'done' })) as MatchView;
      s.closed = true;
      res.served++;
      res.tripsDone++;
      if (done.kind === 'volunteer') res.byVolunteer++;
      if (done.pickup.lng !== undefined && done.dropoff.lng !== undefined) {
        // As the public statistics count it: the straight line from pickup to drop-off times the road factor.
        const km = (distanceM([done.pickup.lng, done.pickup.lat!], [done.dropoff.lng, done.dropoff.lat!]) / 1000) * ROAD_FACTOR;
        res.kmShared += km;
        res.co2AvoidedKg += km * CO2_KG_PER_KM;
      }
    }
  }
  // A round trip counts as served both ways only when each of its two requests was.
  for (const s of states.values()) {
    if (!s.ask.pairRef || s.ask.ref.endsWith('r')) continue;
    const back = states.get(s.ask.pairRef);
    res.roundTrips++;
    if (back && isServed(s) && isServed(back)) res.roundTripsBothWays++;
  }
  res.kmShared = Math.round(res.kmShared);
  res.co2AvoidedKg = Math.round(res.co2AvoidedKg);
  res.demandDigest = digest.digest('hex').slice(0, 16);
  return res;
}

const isServed = (s: AskState) => s.closed && s.accepted !== null;
