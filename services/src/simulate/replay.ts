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
 * A round trip is one request with its return (returnTime, as the console's intake enters it), with proposals for
 * each leg (a volunteer's outing there and back serves both). It is served only when both legs are: the coordinator
 * would not send someone out with no way back. Per-request, the coordinator calls down each leg's ranked list (the
 * service ranks the drivers who can do both legs first); batch, the plan assigns both legs or neither. A round trip
 * still missing a leg the day before is closed unserved with the reason of the leg that failed, and its accepted leg
 * is cancelled.
 *
 * In both, a driver called answers as drawn by `answerOf` per (seed, request leg, driver), the same in both
 * strategies; a coordinator gives up on a leg after MAX_CALLS calls; passengers who cancel do so the day before; a
 * trip accepted is confirmed (a round trip's two matches in one action, confirm-round-trip) and done on its day.
 */
import crypto from 'node:crypto';
import { distanceM } from '../geo/sphere.ts';
import { CO2_KG_PER_KM, ROAD_FACTOR } from '../stats/labels.ts';
import { addDays } from '../time/days.ts';
import { answerOf, MAX_CALLS, returnRef, type Scenario, type SimRequest } from './calibration.ts';
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
  /** Asks entered: a round trip is one request. */
  requests: number;
  /** Requests served: a round trip only with both legs. */
  served: number;
  /** Passenger legs driven (a round trip served: two). */
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

type LegName = 'outbound' | 'return';

interface MatchView {
  id: number;
  kind: 'carpool' | 'volunteer';
  requestLeg: LegName;
  tripId: number | null;
  volunteerId: number | null;
  status: string;
  date: string | null;
  pickup: { lng?: number; lat?: number };
  dropoff: { lng?: number; lat?: number };
}

interface LegState {
  calls: number;
  /** The match accepted for this leg (a volunteer's outing there and back: the same match on both legs). */
  accepted: MatchView | null;
}

interface AskState {
  ask: SimRequest;
  requestId: number;
  /** The legs the passenger needs: the outbound, and the return of a round trip. */
  legs: Partial<Record<LegName, LegState>> & { outbound: LegState };
  closed: boolean;
}

/** The outbound, then the return (the order the legs were made in). */
const legsOf = (s: AskState) => Object.keys(s.legs) as LegName[];
/** Every leg has its driver. */
const complete = (s: AskState) => legsOf(s).every((l) => s.legs[l]!.accepted);
/** The matches accepted, each once (a volunteer's outing serves both legs with one). */
const acceptedOf = (s: AskState) => [...new Map(legsOf(s).flatMap((l) => (s.legs[l]!.accepted ? [s.legs[l]!.accepted!] : [])).map((m) => [m.id, m])).values()];

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

  /** One call to the driver of a proposal for a leg; true when they accept and the seat is taken. */
  const call = async (s: AskState, m: MatchView, leg: LegName): Promise<boolean> => {
    const l = s.legs[leg]!;
    l.calls++;
    res.driverCalls++;
    action();
    await ok(api, 'PUT', `/api/matches/${m.id}`, { status: 'contacted' });
    // A commuter answers by their ref, a volunteer by theirs, for the leg asked: the same draw in both strategies.
    const who =
      m.kind === 'volunteer'
        ? (t.refOfVolunteer.get(m.volunteerId!) ?? `v?${m.volunteerId}`)
        : (t.driverOfTrip.get(m.tripId!) ?? String(m.tripId));
    const answer = answerOf(sc.seed, leg === 'return' ? returnRef(s.ask.ref) : s.ask.ref, who);
    if (answer === 'accept') {
      const r = await api('PUT', `/api/matches/${m.id}`, { status: 'accepted' });
      if (r.status === 200) {
        const accepted = r.body as MatchView;
        l.accepted = accepted;
        // A volunteer's outing of a round trip goes there and back: both legs.
        if (m.kind === 'volunteer' && s.legs.return) s.legs.return.accepted = accepted;
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
  /**
   * For each leg still without a driver, calls its open proposals in the service's order (drivers who can do both
   * legs first) until one accepts or the leg's calls run out. A volunteer (both legs at once) is not called for the
   * outbound once the return has its driver.
   */
  const callDown = async (s: AskState, proposals: MatchView[]) => {
    for (const leg of legsOf(s)) {
      const l = s.legs[leg]!;
      for (const m of proposals) {
        if (l.accepted || l.calls >= MAX_CALLS) break;
        if (m.requestLeg !== leg || m.status !== 'proposed') continue;
        if (m.kind === 'volunteer' && s.legs.return?.accepted) continue;
        await call(s, m, leg);
      }
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
      ...(ask.returnTime ? { returnTime: ask.returnTime } : {}),
      seats: 1,
      purpose: ask.purpose,
    });
    digest.update(
      JSON.stringify([body.from, body.to, body.date, body.time, body.timeKind, body.toleranceMin, body.returnTime, body.purpose]),
    );
    res.requests++;
    if (ask.returnTime) res.roundTrips++;
    const s: AskState = {
      ask,
      requestId: body.id,
      legs: ask.returnTime ? { outbound: { calls: 0, accepted: null }, return: { calls: 0, accepted: null } } : { outbound: { calls: 0, accepted: null } },
      closed: false,
    };
    states.set(ask.ref, s);
    byId.set(body.id, s);
    return { s, proposals: body.proposals as MatchView[] };
  };
  /** Cancels the request's accepted matches (a passenger's cancellation, or a round trip left with one way only). */
  const cancelAccepted = async (s: AskState, reason: 'passenger_cancelled' | 'other') => {
    for (const m of acceptedOf(s)) {
      action();
      await ok(api, 'PUT', `/api/matches/${m.id}`, { status: 'cancelled', reason });
    }
    for (const l of legsOf(s)) s.legs[l]!.accepted = null;
  };
  const close = async (s: AskState, reason: UnservedCode) => {
    action();
    s.closed = true;
    res.unserved[reason]++;
    await ok(api, 'PUT', `/api/requests/${s.requestId}`, { status: 'unserved', unservedReason: reason });
  };
  /**
   * Why a request ends without a driver: the reason of the leg that failed, from that leg's proposals as the service
   * has them (a volunteer's proposal, on the outbound, counts for both legs). Both legs without a driver: a leg nobody
   * can drive first (no_driver), then one whose drivers said no, then one still waiting for a seat: the leg that made
   * the round trip impossible, not the one the plan left aside because of it.
   */
  const reasonOf = async (s: AskState): Promise<UnservedCode> => {
    const r = await ok(api, 'GET', `/api/requests/${s.requestId}`);
    const reasons = legsOf(s)
      .filter((leg) => !s.legs[leg]!.accepted)
      .map((leg): UnservedCode => {
        const ps = (r.proposals as MatchView[]).filter((m) => m.requestLeg === leg || m.kind === 'volunteer');
        if (!ps.length) return 'no_driver';
        if (s.legs[leg]!.calls >= MAX_CALLS || ps.every((m) => m.status === 'declined' || m.status === 'cancelled'))
          return 'driver_declined';
        return 'no_seat';
      });
    return (['no_driver', 'driver_declined', 'no_seat'] as const).find((c) => reasons.includes(c))!;
  };
  /** A leg the coordinator may still call for. */
  const open = (s: AskState, leg: LegName) => {
    const l = s.legs[leg];
    return !!l && !l.accepted && l.calls < MAX_CALLS;
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
      await cancelAccepted(s, 'passenger_cancelled');
      await close(s, 'passenger_cancelled');
    }
    // 3. The strategy's work of the day.
    if (t.strategy === 'per-request') {
      for (const s of states.values()) {
        if (s.ask.date !== tomorrow || s.ask.callDay === day || s.closed) continue;
        if (!legsOf(s).some((l) => open(s, l))) continue;
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
        // The plan assigns a round trip's two legs together (or neither): its request is due while a leg it
        // assigns is still to call.
        const due = (
          plan.assignments as { requestId: number; requestLeg: LegName; date: string; fixed: boolean; matchId: number | null }[]
        )
          .filter((a) => !a.fixed && a.date <= addDays(day, CALL_WINDOW_DAYS))
          .filter((a) => {
            const s = byId.get(a.requestId);
            return s && !s.closed && open(s, a.requestLeg);
          });
        if (!due.length) break;
        action();
        const requestIds = [...new Set(due.map((a) => a.requestId))];
        const confirm = await api('POST', `/api/plans/${plan.id}/confirm`, { requestIds });
        // A volunteer booked since the plan: nothing was confirmed; the next round plans again.
        if (confirm.status === 409) continue;
        if (confirm.status >= 400) throw new Error(`confirming plan ${plan.id}: ${confirm.status} ${JSON.stringify(confirm.body).slice(0, 300)}`);
        const confirmed = confirm.body;
        let refused = 0;
        // One call a match (a volunteer's outing there and back confirms two legs with one match, its outbound).
        const calls = new Map(
          (confirmed.confirmed as { requestId: number; requestLeg: LegName; matchId: number }[]).map((c) => [c.matchId, c]),
        );
        for (const c of [...calls.values()].sort((a, b) => a.requestId - b.requestId || (a.requestLeg === 'outbound' ? -1 : 1))) {
          const s = byId.get(c.requestId)!;
          const m = (await ok(api, 'GET', `/api/matches/${c.matchId}`)) as MatchView;
          const leg: LegName = m.kind === 'volunteer' ? 'outbound' : c.requestLeg;
          if (!open(s, leg) || m.status !== 'proposed') continue;
          if (!(await call(s, m, leg))) refused++;
        }
        if (!refused) break;
      }
    }
    // 4. Asks of tomorrow still missing a driver are closed with their reason; a round trip with one way only is
    // called off: its accepted leg is cancelled (nobody is taken out without a way back).
    for (const s of states.values()) {
      if (s.ask.date !== tomorrow || s.closed || complete(s)) continue;
      const reason = await reasonOf(s);
      await cancelAccepted(s, 'other');
      await close(s, reason);
    }
    // 5. Today's trips: confirmed (a round trip's two matches in one action) and done.
    for (const s of states.values()) {
      if (s.ask.date !== day || s.closed || !complete(s)) continue;
      const ms = acceptedOf(s);
      if (ms.length === 2)
        await ok(api, 'POST', `/api/requests/${s.requestId}/confirm-round-trip`, {
          outboundMatchId: s.legs.outbound.accepted!.id,
          returnMatchId: s.legs.return!.accepted!.id,
        });
      else await ok(api, 'PUT', `/api/matches/${ms[0].id}`, { status: 'confirmed' });
      for (const m of ms) {
        const done = (await ok(api, 'PUT', `/api/matches/${m.id}`, { status: 'done' })) as MatchView;
        // A volunteer's outing of a round trip carries the passenger both ways.
        const legs = done.kind === 'volunteer' && s.legs.return ? 2 : 1;
        res.tripsDone += legs;
        if (done.kind === 'volunteer') res.byVolunteer += legs;
        if (done.pickup.lng !== undefined && done.dropoff.lng !== undefined) {
          // As the public statistics count it: the straight line from pickup to drop-off times the road factor.
          const km =
            legs * (distanceM([done.pickup.lng, done.pickup.lat!], [done.dropoff.lng, done.dropoff.lat!]) / 1000) * ROAD_FACTOR;
          res.kmShared += km;
          res.co2AvoidedKg += km * CO2_KG_PER_KM;
        }
      }
      s.closed = true;
      res.served++;
      if (s.legs.return) res.roundTripsBothWays++;
    }
  }
  res.kmShared = Math.round(res.kmShared);
  res.co2AvoidedKg = Math.round(res.co2AvoidedKg);
  res.demandDigest = digest.digest('hex').slice(0, 16);
  return res;
}
