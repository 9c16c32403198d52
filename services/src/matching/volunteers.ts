import type { Queryable } from '@comobi/db';
import { allowanceEur, costRulesOf, participationIn, type TerritoryCosts, DEFAULT_COST_RULES } from '../domain/costs.ts';
import { volunteersForMatching, type VolunteerCandidate } from '../domain/volunteers.ts';
import type { Need } from '../domain/people.ts';
import type { Purpose } from '../domain/requests.ts';
import { distanceM } from '../geo/sphere.ts';
import type { LngLat, Router, TableResult } from '../routing/types.ts';
import { toClock } from '../time/clock.ts';
import { availableOn, covers, overlaps, type Interval } from './availability.ts';
import { MAX_CROW_SPEED_KMH, type MatchQuery, type Stop } from './matcher.ts';

/** The request as volunteer matching reads it: the carpool query and what only a volunteer's trip depends on. */
export interface VolunteerQuery extends MatchQuery {
  purpose: Purpose;
  needs: Need[];
  /** The way back: leaving the destination at this minute (`returnMin`) or this long after arriving. */
  returnMin?: number | null;
  returnAfterMin?: number | null;
}

/** How a volunteer covers the way back. */
export type ReturnPlan = 'none' | 'waits' | 'goes_home';

export interface VolunteerProposal {
  kind: 'volunteer';
  volunteerId: number;
  /** The volunteer drives: the same id, so that lists by driver find them. */
  driverId: number;
  tripId: null;
  territoryId: number;
  leg: 'outbound';
  pickup: Stop;
  dropoff: Stop;
  /** For a volunteer the whole trip is extra: its road time and distance, home back to home. */
  detourS: number;
  detourM: number;
  /** Ties broken by how often the volunteer was asked lately (fewer first): 1 / (1 + asks). */
  score: number;
  volunteerDistanceM: number;
  volunteerDurationS: number;
  /** Minutes after midnight of the date: leaving home, back home (the whole outing). */
  startMin: number;
  endMin: number;
  leaveHome: string;
  backHome: string;
  returnPlan: ReturnPlan;
  /** Minutes waited at the destination (`waits` only). */
  waitMin: number | null;
  /** The way back: from the destination to the passenger's door. */
  back: { pickup: Stop; dropoff: Stop } | null;
  passengerDistanceM: number;
  recentAsks: number;
  seatsFree: number;
  directContact: boolean;
  participationEur: number;
  allowanceEur: number;
}

/**
 * A volunteer who would have to drive home and back again within this many minutes rather waits at the destination
 * (a consultation, a market): going home is worth it only for longer waits.
 */
export const WAITS_UP_TO_MIN = 90;
/** Times tried around the asked one when the exact time does not fit the volunteer's hours, in minutes. */
const SHIFT_STEP_MIN = 5;

const crowMPerS = MAX_CROW_SPEED_KMH / 3.6;

type Cell = { s: number; m: number } | null;
const cell = (t: TableResult, i: number, j: number): Cell => {
  const s = t.durationsS[i]?.[j];
  const m = t.distancesM[i]?.[j];
  return s == null || m == null ? null : { s, m };
};

/** Road times and distances of one volunteer's trip (seconds, metres). */
interface Legs {
  homeToFrom: NonNullable<Cell>;
  fromToTo: NonNullable<Cell>;
  toToHome: NonNullable<Cell>;
  /** The way back (round trips only). */
  toToFrom: Cell;
  fromToHome: Cell;
  homeToTo: Cell;
}

interface Outing {
  spans: Interval[];
  pickupMin: number;
  dropoffMin: number;
  back: { pickupMin: number; dropoffMin: number } | null;
  plan: ReturnPlan;
  waitMin: number | null;
  distanceM: number;
  durationS: number;
  passengerM: number;
}

/** Why a volunteer is not proposed (tests and the bench read it; the console does not). */
export type Rejection = 'seats' | 'purpose' | 'wheelchair' | 'unavailable' | 'too_far' | 'no_route' | 'hours' | 'booked';

/**
 * The whole outing of a volunteer for a pickup at `pickupMin`: home → pickup → destination → home, or with a way
 * back: waiting at the destination, or going home and coming back at the return time. Null when the way back would
 * leave before the arrival.
 */
function outing(q: VolunteerQuery, l: Legs, pickupMin: number): Outing | null {
  const leave = pickupMin - l.homeToFrom.s / 60;
  const dropoffMin = pickupMin + l.fromToTo.s / 60;
  const roundTrip = q.returnMin != null || q.returnAfterMin != null;
  if (!roundTrip) {
    return {
      spans: [[leave, dropoffMin + l.toToHome.s / 60]],
      pickupMin,
      dropoffMin,
      back: null,
      plan: 'none',
      waitMin: null,
      distanceM: l.homeToFrom.m + l.fromToTo.m + l.toToHome.m,
      durationS: l.homeToFrom.s + l.fromToTo.s + l.toToHome.s,
      passengerM: l.fromToTo.m,
    };
  }
  if (!l.toToFrom || !l.fromToHome || !l.homeToTo) return null;
  const backMin = q.returnMin != null ? q.returnMin : dropoffMin + q.returnAfterMin!;
  const gap = backMin - dropoffMin;
  if (gap < 0) return null;
  const backDropoff = backMin + l.toToFrom.s / 60;
  const home = backDropoff + l.fromToHome.s / 60;
  const roundS = l.toToHome.s + l.homeToTo.s;
  // Waits when the wait is short, or when going home and back would not fit in it anyway.
  const waits = gap <= WAITS_UP_TO_MIN || roundS / 60 >= gap;
  const outbound = l.homeToFrom.m + l.fromToTo.m;
  const inbound = l.toToFrom.m + l.fromToHome.m;
  return {
    spans: waits
      ? [[leave, home]]
      : [
          [leave, dropoffMin + l.toToHome.s / 60],
          [backMin - l.homeToTo.s / 60, home],
        ],
    pickupMin,
    dropoffMin,
    back: { pickupMin: backMin, dropoffMin: backDropoff },
    plan: waits ? 'waits' : 'goes_home',
    waitMin: waits ? Math.round(gap) : null,
    distanceM: outbound + inbound + (waits ? 0 : l.toToHome.m + l.homeToTo.m),
    durationS: l.homeToFrom.s + l.fromToTo.s + l.toToFrom.s + l.fromToHome.s + (waits ? 0 : roundS),
    passengerM: l.fromToTo.m + l.toToFrom.m,
  };
}

/** Pickup times to try: the asked one first, then further and further within the tolerance. */
function pickupTimes(q: VolunteerQuery, fromToS: number): number[] {
  const base = q.timeKind === 'depart' ? q.timeMin : q.timeMin - fromToS / 60;
  const out = [base];
  for (let d = SHIFT_STEP_MIN; d <= q.toleranceMin; d += SHIFT_STEP_MIN) {
    // Arrive-by: never later than asked (someone due at a doctor's must not be late).
    if (q.timeKind === 'depart') out.push(base - d, base + d);
    else out.push(base - d);
  }
  return out;
}

/** Checks that need no router: seats, purpose, wheelchair, hours that day, and a bound on the distance from home. */
export function precheck(q: VolunteerQuery, v: VolunteerCandidate): Rejection | null {
  if (v.seats < q.seats) return 'seats';
  if (!v.purposes.includes(q.purpose)) return 'purpose';
  if (q.needs.includes('wheelchair') && !v.wheelchair) return 'wheelchair';
  if (!q.date || availableOn(v.slots, v.exceptions, q.date).length === 0) return 'unavailable';
  // No road is shorter than the straight line, no car faster than MAX_CROW_SPEED_KMH.
  // (0.99: the router snaps points to the road, which may bring them a little closer.)
  const far = 0.99 * Math.max(distanceM(v.home, q.from), distanceM(v.home, q.to));
  if (v.maxKm !== null && far > v.maxKm * 1000) return 'too_far';
  if (v.maxMinutes !== null && far / crowMPerS > v.maxMinutes * 60) return 'too_far';
  return null;
}

/** Which of a volunteer's possible outings an answer gives (see evaluateVolunteer). */
export interface OutingChoice {
  /** Every outing that fits, at each pickup time tried (the batch plan chooses among them). */
  allTimes?: boolean;
  /** The outing leaving home at this minute when it still fits (confirming a plan keeps the time it planned). */
  preferStartMin?: number;
}

/**
 * The volunteer's trip for this request, or why not: within their limit from home (the farther of the pickup and the
 * destination, by road), covered by their hours of that day, overlapping none of their bookings; at the asked time
 * or the nearest one within the tolerance that fits (`choice`: every one that fits, or a preferred one).
 */
export function evaluateVolunteer(
  q: VolunteerQuery,
  v: VolunteerCandidate,
  l: Legs,
  costs: TerritoryCosts,
  choice: OutingChoice = {},
): VolunteerProposal[] | Rejection {
  const farM = Math.max(l.homeToFrom.m, l.toToHome.m);
  const farS = Math.max(l.homeToFrom.s, l.toToHome.s);
  if (v.maxKm !== null && farM > v.maxKm * 1000) return 'too_far';
  if (v.maxMinutes !== null && farS > v.maxMinutes * 60) return 'too_far';
  const hours = availableOn(v.slots, v.exceptions, q.date!);
  let rejection: Rejection = 'hours';
  const fitting: VolunteerProposal[] = [];
  for (const pickupMin of pickupTimes(q, l.fromToTo.s)) {
    const o = outing(q, l, pickupMin);
    if (!o) continue;
    if (!o.spans.every(([a, b]) => covers(hours, a, b))) continue;
    if (o.spans.some((s) => v.booked.some((b) => overlaps(s, b)))) {
      rejection = 'booked';
      continue;
    }
    fitting.push(proposalOf(q, v, o, costs));
    if (!choice.allTimes && choice.preferStartMin === undefined) break;
  }
  if (!fitting.length) return rejection;
  if (choice.allTimes) return fitting;
  return [fitting.find((p) => p.startMin === choice.preferStartMin) ?? fitting[0]];
}

function proposalOf(q: VolunteerQuery, v: VolunteerCandidate, o: Outing, costs: TerritoryCosts): VolunteerProposal {
  const wholeKm = o.distanceM / 1000;
  const stop = (p: LngLat, min: number): Stop => ({ lng: p[0], lat: p[1], time: toClock(min), timeMin: Math.round(min) });
  const startMin = o.spans[0][0];
  const endMin = o.spans[o.spans.length - 1][1];
  return {
    kind: 'volunteer',
    volunteerId: v.personId,
    driverId: v.personId,
    tripId: null,
    territoryId: v.territoryId,
    leg: 'outbound',
    pickup: stop(q.from, o.pickupMin),
    dropoff: stop(q.to, o.dropoffMin),
    detourS: Math.round(o.durationS),
    detourM: Math.round(o.distanceM),
    score: Math.round((1 / (1 + v.recentAsks)) * 1000) / 1000,
    volunteerDistanceM: Math.round(o.distanceM),
    volunteerDurationS: Math.round(o.durationS),
    startMin: Math.floor(startMin),
    endMin: Math.ceil(endMin),
    leaveHome: toClock(Math.floor(startMin)),
    backHome: toClock(Math.ceil(endMin)),
    returnPlan: o.plan,
    waitMin: o.waitMin,
    back: o.back ? { pickup: stop(q.to, o.back.pickupMin), dropoff: stop(q.from, o.back.dropoffMin) } : null,
    passengerDistanceM: Math.round(o.passengerM),
    recentAsks: v.recentAsks,
    seatsFree: v.seats,
    directContact: v.directContact,
    participationEur: participationIn(costs, { passengerKm: o.passengerM / 1000, wholeKm, waitMin: o.waitMin ?? 0 }),
    allowanceEur: allowanceEur(costs, wholeKm),
  };
}

export interface VolunteerAnswer {
  proposals: VolunteerProposal[];
  approximate: boolean;
  /** How many volunteers were looked at, and why each of the others was left out. */
  considered: number;
  rejected: Partial<Record<Rejection, number>>;
}

/**
 * Volunteers for a dated request (a recurring one is the regular drivers' business): the active volunteers of the
 * territory, first the checks that need no router, then one pair of router tables for all those left (homes →
 * pickup and destination; pickup and destination → homes and each other).
 */
export async function matchVolunteers(
  db: Queryable,
  router: Router,
  q: VolunteerQuery,
  only?: number,
  choice: OutingChoice = {},
): Promise<VolunteerAnswer> {
  if (!q.date) return { proposals: [], approximate: false, considered: 0, rejected: {} };
  const all = await volunteersForMatching(db, q.territoryIds, q.date, q.passengerId, only, only === undefined ? { from: q.from, to: q.to } : undefined);
  return volunteersAmong(router, q, all, (territoryIds) => costRulesOf(db, territoryIds), choice);
}

/** The same, among volunteers already read (the store's part done): the assignment benchmark calls it directly. */
export async function volunteersAmong(
  router: Router,
  q: VolunteerQuery,
  all: VolunteerCandidate[],
  costsOf: (territoryIds: number[]) => Promise<Map<number, TerritoryCosts>>,
  choice: OutingChoice = {},
): Promise<VolunteerAnswer> {
  const empty: VolunteerAnswer = { proposals: [], approximate: false, considered: 0, rejected: {} };
  if (!q.date) return empty;
  const rejected: Partial<Record<Rejection, number>> = {};
  const reject = (r: Rejection) => (rejected[r] = (rejected[r] ?? 0) + 1);
  const left = all.filter((v) => {
    const r = precheck(q, v);
    if (r) reject(r);
    return !r;
  });
  if (!left.length) return { ...empty, considered: all.length, rejected };
  const costs = await costsOf([...new Set(left.map((v) => v.territoryId))]);
  const homes = left.map((v) => v.home);
  const [out, back] = await Promise.all([
    router.table(homes, [q.from, q.to]),
    router.table([q.from, q.to], [...homes, q.from, q.to]),
  ]);
  const n = homes.length;
  const proposals: VolunteerProposal[] = [];
  left.forEach((v, i) => {
    const homeToFrom = cell(out, i, 0);
    const fromToTo = cell(back, 0, n + 1);
    const toToHome = cell(back, 1, i);
    if (!homeToFrom || !fromToTo || !toToHome) return reject('no_route');
    const legs: Legs = {
      homeToFrom,
      fromToTo,
      toToHome,
      toToFrom: cell(back, 1, n),
      fromToHome: cell(back, 0, i),
      homeToTo: cell(out, i, 1),
    };
    const r = evaluateVolunteer(q, v, legs, costs.get(v.territoryId) ?? { ...DEFAULT_COST_RULES, tus: false }, choice);
    if (typeof r === 'string') reject(r);
    else proposals.push(...r);
  });
  return {
    proposals,
    approximate: router.approximate || Boolean(out.approximate || back.approximate),
    considered: all.length,
    rejected,
  };
}
