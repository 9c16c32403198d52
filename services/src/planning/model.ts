/**
 * The batch assignment problem, independent of the database and the matcher: candidate pairs (a request on a
 * driver's trip leg on a date, as the matcher found them), the seats of each trip leg on each date, and the matches
 * already holding a seat.
 */

export type LegName = 'outbound' | 'return';

export interface PlanCandidate {
  requestId: number;
  tripId: number;
  driverId: number;
  leg: LegName;
  date: string;
  detourS: number;
  /** Seats the request needs. */
  seats: number;
  /** Minutes after midnight: the driver is busy with this passenger from pickup to drop-off. */
  pickupMin: number;
  dropoffMin: number;
  /** A match already accepted or confirmed: the plan keeps it as it is and counts its seats. */
  fixed?: boolean;
  /**
   * The request's own leg this candidate serves ('outbound' when absent): a round-trip request (see
   * PlanInstance.twoLegs) has candidates for both, and counts as served only when both are.
   */
  requestLeg?: LegName;
  /**
   * A volunteer driver's proposal (matches.kind = 'volunteer'): no commuter's trip leg and no seat count, driverId is
   * the volunteer (a person, as drivers are), pickupMin/dropoffMin the volunteer's whole span home → home; the
   * volunteer is in one place at a time (see conflicts).
   */
  volunteer?: boolean;
  /**
   * A volunteer's outing that takes the passenger there and back (a round-trip request: the volunteer waits or goes
   * home and comes back): one candidate for both of the request's legs, requestLeg 'outbound'.
   */
  bothLegs?: boolean;
  /** Minutes a volunteer's outing is shifted from the one the request's page proposes (the plan prefers none). */
  shiftMin?: number;
}

export interface PlanInstance {
  /**
   * Every candidate; those of one request in the matcher's order (best first), requests in the order they came:
   * the per-request greedy answer takes, for each request in turn, the first candidate that still fits.
   */
  candidates: PlanCandidate[];
  /** Seats of a trip leg on a date (see seatKey), before any match of the horizon. */
  capacity: Map<string, number>;
  /**
   * Round trips: [outbound request, return request], served both or neither. Requests have no return leg in the
   * data model yet (a return is a second request); the caller pairs them here once it does.
   */
  roundTrips?: [number, number][];
  /**
   * Round-trip requests (return_min or return_after_min set): one request, two legs, each leg with its own
   * candidates (requestLeg); served only when both legs are.
   */
  twoLegs?: number[];
}

export interface PlanOptions {
  /** Wall-clock limit of the MILP solver; past it, its best answer so far, or the greedy one. */
  timeLimitS: number;
  /** Cost of each passenger beyond the first and beyond the second on one driver over the horizon, in detour seconds. */
  spreadWeightS?: number;
  /** Relative MIP gap at which the solver stops. */
  mipRelGap?: number;
}

export interface Plan {
  /** Where the assignments come from: the MILP, or the greedy answer (solver failed, or not better). */
  source: 'milp' | 'greedy';
  /** The solver's own status (or the error that sent us to the greedy answer). */
  solverStatus: string;
  chosen: PlanCandidate[];
  /** Requests served by the plan, the fixed ones included. */
  served: number;
  greedyServed: number;
  greedyChosen: PlanCandidate[];
  totalDetourS: number;
  greedyDetourS: number;
  /** The MILP's objective for the plan chosen (served × weight − detour − spread). */
  objective: number;
  /** The LP relaxation's optimum: no plan can do better. */
  lpBound: number | null;
  /** (lpBound − objective) / lpBound, in per cent. */
  gapPct: number | null;
  /** At most this many requests can be served (from the LP bound). */
  servedBound: number | null;
  /** The weight of one request served, in detour seconds: larger than every detour and spread change together. */
  servedWeight: number;
  solveMs: number;
  variables: number;
  constraints: number;
}

export const seatKey = (c: Pick<PlanCandidate, 'tripId' | 'leg' | 'date'>) => `${c.tripId}:${c.leg}:${c.date}`;

/** A request's leg: what is assigned at most once. */
export const unitKey = (c: Pick<PlanCandidate, 'requestId' | 'requestLeg'>) =>
  `${c.requestId}:${c.requestLeg ?? 'outbound'}`;

/** The request legs a candidate serves: its own, or both for a volunteer's outing there and back. */
export const legsOf = (c: Pick<PlanCandidate, 'requestLeg' | 'bothLegs'>): LegName[] =>
  c.bothLegs ? ['outbound', 'return'] : [c.requestLeg ?? 'outbound'];
export const unitsOf = (c: Pick<PlanCandidate, 'requestId' | 'requestLeg' | 'bothLegs'>) =>
  legsOf(c).map((l) => `${c.requestId}:${l}`);

/**
 * One driver cannot carry two passengers of different trip legs whose rides overlap in time on the same date; a
 * volunteer drives one passenger per outing, so any two of their outings that overlap on a date exclude each other
 * (and a person who is both a commuter and a volunteer is in one place too: the ids are the same people).
 */
export function conflicts(a: PlanCandidate, b: PlanCandidate): boolean {
  return (
    a !== b &&
    a.driverId === b.driverId &&
    a.date === b.date &&
    (a.volunteer || b.volunteer || seatKey(a) !== seatKey(b)) &&
    a.pickupMin < b.dropoffMin &&
    b.pickupMin < a.dropoffMin
  );
}

/**
 * The requests a set of chosen candidates serves: a one-way request with its leg, a round trip with both legs (a
 * lone leg, even a fixed one, does not count), and a pair of roundTrips requests only together.
 */
export function servedRequests(inst: PlanInstance, chosen: PlanCandidate[]): Set<number> {
  const two = new Set(inst.twoLegs ?? []);
  const legs = new Map<number, Set<string>>();
  for (const c of chosen) {
    if (!legs.has(c.requestId)) legs.set(c.requestId, new Set());
    for (const l of legsOf(c)) legs.get(c.requestId)!.add(l);
  }
  const out = new Set<number>();
  for (const [r, ls] of legs) if (!two.has(r) || (ls.has('outbound') && ls.has('return'))) out.add(r);
  for (const [a, b] of inst.roundTrips ?? [])
    if (out.has(a) !== out.has(b)) {
      out.delete(a);
      out.delete(b);
    }
  return out;
}

/** What a set of chosen candidates breaks (empty when it is a valid plan): checked on every solver answer. */
export function violations(inst: PlanInstance, chosen: PlanCandidate[]): string[] {
  const out: string[] = [];
  const seen = new Set<number>();
  const used = new Map<string, number>();
  const seenUnits = new Set<string>();
  for (const c of chosen) {
    for (const u of unitsOf(c)) {
      if (seenUnits.has(u)) out.push(`request ${u} assigned twice`);
      seenUnits.add(u);
    }
    seen.add(c.requestId);
    if (!c.volunteer) used.set(seatKey(c), (used.get(seatKey(c)) ?? 0) + c.seats);
  }
  for (const [key, n] of used) {
    const fixed = chosen.filter((c) => c.fixed && !c.volunteer && seatKey(c) === key).reduce((s, c) => s + c.seats, 0);
    if (n > Math.max(inst.capacity.get(key) ?? 0, fixed)) out.push(`trip leg ${key} over its seats`);
  }
  for (let a = 0; a < chosen.length; a++)
    for (let b = a + 1; b < chosen.length; b++)
      if (conflicts(chosen[a], chosen[b]) && !(chosen[a].fixed && chosen[b].fixed))
        out.push(`driver ${chosen[a].driverId} in two places`);
  for (const c of inst.candidates)
    if (c.fixed && !chosen.includes(c)) out.push(`fixed match of request ${c.requestId} moved`);
  for (const [a, b] of inst.roundTrips ?? [])
    if (seen.has(a) !== seen.has(b)) out.push(`round trip ${a}/${b} served one way only`);
  // A leg holds a seat only for a round trip served both ways (a fixed leg stays whatever becomes of the other).
  for (const r of inst.twoLegs ?? []) {
    const mine = chosen.filter((c) => c.requestId === r);
    const legs = new Set(mine.flatMap(legsOf));
    if (legs.size === 1 && mine.some((c) => !c.fixed)) out.push(`round trip ${r} served one way only`);
  }
  return out;
}
