import type { LngLat, Router } from '../routing/types.ts';
import { toClock } from '../time/clock.ts';
import type { LegColumns, LegFilter } from './leg-columns.ts';
import type { LegIndex, NearHit } from './leg-index.ts';
import { freeSeats, type Leg } from './legs.ts';
import { DEFAULT_RULES, maxDetourS, type MatchingRules } from './rules.ts';
import { commonWeekdays, deviationMin, inWindow, runsOn, type TimeWindow } from './schedule.ts';
import { dayNumber, isoWeekday } from '../time/days.ts';

export interface MatchQuery extends TimeWindow {
  from: LngLat;
  to: LngLat;
  /** A dated request, or a recurring one on weekdays. */
  date: string | null;
  weekdays: number[];
  seats: number;
  /** Territories to search; null for all. */
  territoryIds: number[] | null;
  /** The passenger's own trips never match. */
  passengerId?: number;
}

export interface Stop {
  lng: number;
  lat: number;
  /** HH:MM */
  time: string;
  timeMin: number;
}

export interface Proposal {
  tripId: number;
  driverId: number;
  territoryId: number;
  leg: 'outbound' | 'return';
  pickup: Stop;
  dropoff: Stop;
  detourS: number;
  detourM: number;
  /** 0…1, higher is better: small detour, close to the asked time. */
  score: number;
  driverDepartureTime: string;
  seatsFree: number;
  directContact: boolean;
  /** For recurring requests: the weekdays the trip shares with the request. */
  weekdays?: number[];
  /** Distances from the passenger's points to the driver's usual route. */
  pickupOffRouteM: number;
  dropoffOffRouteM: number;
}

export interface MatchAnswer {
  proposals: Proposal[];
  approximate: boolean;
  /**
   * corridor: legs within the corridor at both ends, in order, running that day with a free seat (the index also
   * leaves out those whose hours cannot fit); schedule: those left after the time check along the route (routed).
   */
  stats: { corridor: number; schedule: number; routed: number; feasible: number };
}

export interface Candidate {
  leg: Leg;
  pickup: NearHit;
  dropoff: NearHit;
  weekdays?: number[];
  /** Origin → destination answered during this request (not cached when approximate). */
  directNow?: Pair;
}

/** The legs left for routing, and how many were in the corridor at both ends. */
export interface CandidateSet {
  list: Candidate[];
  corridor: number;
}

/** [seconds, metres]; null when the router found no way. */
type Pair = [number | null, number | null];

interface LegTimes {
  toPickup: Pair;
  pickupToDropoff: Pair;
  dropoffToDest: Pair;
  direct: Pair;
}

interface BatchTimes {
  approximate: boolean;
  times: LegTimes[];
}

export interface MatcherOptions {
  /** Candidates per router table call (OSRM's default max-table-size is 100 coordinates: 2n + 2 ≤ 100). */
  tableBatch: number;
  /** One table call per batch (a remote OSRM), rather than a column, a row and cached direct times. */
  oneTable: boolean;
}

/**
 * No car drives faster than this as the crow flies: the straight line between two points, at this speed, is a lower
 * bound of any router's time between them (the embedded router's fastest road is 110 km/h; a test holds its graph
 * to this bound).
 */
export const MAX_CROW_SPEED_KMH = 150;
const crowMPerS = MAX_CROW_SPEED_KMH / 3.6;
/** Router times are rounded to 0.1 s: the bounds below give that much and more away. */
const ROUNDING_S = 1;
const ROUNDING_MIN = ROUNDING_S / 60;

/** Seconds no router can beat between two points (0.99: equirectangular distance against the router's own). */
function crowS(lng1: number, lat1: number, lng2: number, lat2: number): number {
  const kx = 111_319.49 * Math.cos(((lat1 + lat2) / 2) * (Math.PI / 180));
  const dx = (lng2 - lng1) * kx,
    dy = (lat2 - lat1) * 111_132.95;
  return (0.99 * Math.sqrt(dx * dx + dy * dy)) / crowMPerS;
}

/**
 * The request as the index filters it: bounds that the exact checks imply (see `mayBeOnTime`), with the largest
 * detour budget in scope.
 */
function legFilter(q: MatchQuery, maxDetourMin: number): LegFilter {
  return {
    day: q.date ? dayNumber(q.date) : null,
    date: q.date,
    dayBits: q.date ? 1 << isoWeekday(q.date) : q.weekdays.reduce((b, d) => b | (1 << d), 0),
    territories: q.territoryIds,
    excludeDriver: q.passengerId ?? -1,
    seats: q.seats,
    // Depart-at: departure ≤ pickup ≤ t + tolerance. Arrive-by: departure ≤ drop-off ≤ t.
    latestDepartureMin: q.timeMin + (q.timeKind === 'depart' ? q.toleranceMin : 0) + ROUNDING_MIN,
    // Pickup (or drop-off) ≥ t − tolerance, and it comes before the arrival with the detour: ≤ departure + (direct
    // + detour budget).
    earliestArrivalMin: q.timeMin - q.toleranceMin - maxDetourMin - ROUNDING_MIN,
  };
}

/**
 * Whether the router could still find the leg on time, from bounds of its answer only: each of the driver's three
 * stretches (origin → pickup, pickup → drop-off, drop-off → destination) takes at least its straight line at
 * MAX_CROW_SPEED_KMH, and together at most the leg's own time plus the detour budget (when the router's time of the
 * leg is known). Never an estimate: a leg dropped here is one `evaluate` would drop, so the index and the scan agree
 * whatever the shape of the routes (a road passing a village twice, a router slower than the stored duration).
 */
function mayBeOnTime(q: MatchQuery, cols: LegColumns, slot: number, rules: MatchingRules, fromToS: number): boolean {
  const departureMin = cols.startMin[slot];
  const toPickupS = crowS(cols.originLng[slot], cols.originLat[slot], q.from[0], q.from[1]);
  const toDestinationS = crowS(q.to[0], q.to[1], cols.destinationLng[slot], cols.destinationLat[slot]);
  const depart = q.timeKind === 'depart';
  // Earliest pickup (depart-at) or drop-off (arrive-by): no later than t + tolerance, or t.
  const earliestMin = departureMin + (toPickupS + (depart ? 0 : fromToS)) / 60;
  if (earliestMin > q.timeMin + (depart ? q.toleranceMin : 0) + ROUNDING_MIN) return false;
  const directS = cols.directS[slot];
  if (Number.isNaN(directS)) return true;
  if (directS < 0) return false;
  const budgetS = maxDetourS(rules, directS);
  if (toPickupS + fromToS + toDestinationS > directS + budgetS + ROUNDING_S) return false;
  // Latest: what is left of the leg's time and budget once the stretches after that end are driven.
  const latestMin = departureMin + (directS + budgetS - toDestinationS - (depart ? fromToS : 0)) / 60;
  return latestMin >= q.timeMin - q.toleranceMin - ROUNDING_MIN;
}

/**
 * Finds every driver leg that can take a passenger: corridor at both ends (R-tree), pickup before drop-off, day and
 * time, free seats, then the exact detour on the road network (driver origin → pickup → drop-off → destination,
 * against origin → destination, from the same router answer).
 */
export class Matcher {
  constructor(
    readonly index: LegIndex,
    private router: Router,
    readonly rulesOf: (territoryId: number) => MatchingRules,
    private opts: MatcherOptions = { tableBatch: 49, oneTable: true },
  ) {}

  /**
   * The same matcher (index, router, batches) under other rules: a wider corridor or detour budget for the near
   * misses and the widening of a request. The rules are the only difference, so what it finds is exactly what the
   * matcher would find were the territory's rules those.
   */
  withRules(adjust: (rules: MatchingRules) => MatchingRules): Matcher {
    return new Matcher(this.index, this.router, (t) => adjust(this.rulesOf(t)), this.opts);
  }

  /** Corridor, order, day, seats and bounds on the times, through the index. */
  candidates(q: MatchQuery): CandidateSet {
    const { radiusM: radius, maxDetourMin: detourMin } = this.scope(q);
    const weekdays = (l: Leg) => (q.date ? undefined : commonWeekdays(l.schedule, q.weekdays));
    const list: Candidate[] = [];
    let corridor = 0;
    // The index and mayBeOnTime also skip legs whose hours cannot fit, on bounds of the router's answer; the
    // brute-force scan does not, so the recall check covers them too.
    const { slots, pickup, dropoff } = this.index.nearBoth(q.from, q.to, radius, legFilter(q, detourMin));
    const cols = this.index.columns;
    const fromToS = crowS(q.from[0], q.from[1], q.to[0], q.to[1]);
    let rulesTerritory = NaN;
    let rules = DEFAULT_RULES;
    for (const slot of slots) {
      const territory = cols.territory[slot];
      if (territory !== rulesTerritory) {
        rules = this.rulesOf(territory);
        rulesTerritory = territory;
      }
      const pDist = pickup.distM[slot],
        dDist = dropoff.distM[slot];
      if (pDist > rules.corridorM || dDist > rules.corridorM) continue;
      corridor++;
      if (!mayBeOnTime(q, cols, slot, rules, fromToS)) continue;
      const pAlong = pickup.alongM[slot],
        dAlong = dropoff.alongM[slot];
      // The leg object is read only for the legs that go on to routing.
      const leg = this.index.legAt(slot);
      list.push({
        leg,
        pickup: { leg, distM: pDist, alongM: pAlong },
        dropoff: { leg, distM: dDist, alongM: dAlong },
        weekdays: weekdays(leg),
      });
    }
    return { list, corridor };
  }

  /** The widest corridor and detour budget of the territories in the request's scope: what the search must cover. */
  scope(q: MatchQuery): { radiusM: number; maxDetourMin: number } {
    const ids = q.territoryIds && q.territoryIds.length ? q.territoryIds : this.index.territories();
    const rules = ids.length ? ids.map((t) => this.rulesOf(t)) : [this.rulesOf(0)];
    return {
      radiusM: Math.max(0, ...rules.map((r) => r.corridorM)),
      maxDetourMin: Math.max(0, ...rules.map((r) => r.maxDetourMin)),
    };
  }

  async match(q: MatchQuery): Promise<MatchAnswer> {
    return this.routeCandidates(q, this.candidates(q));
  }

  /** The exact detour of each candidate on the road network, from one router answer per batch: the proposals. */
  async routeCandidates(q: MatchQuery, { list, corridor }: CandidateSet): Promise<MatchAnswer> {
    const proposals: Proposal[] = [];
    let approximate = this.router.approximate;
    const batches: Candidate[][] = [];
    for (let i = 0; i < list.length; i += this.opts.tableBatch) batches.push(list.slice(i, i + this.opts.tableBatch));
    await Promise.all(
      batches.map(async (batch) => {
        const legs = await (this.opts.oneTable ? this.oneTable(q, batch) : this.rowsAndColumns(q, batch));
        if (legs.approximate) approximate = true;
        batch.forEach((c, i) => {
          const p = this.evaluate(q, c, legs.times[i]);
          if (p) proposals.push(p);
        });
      }),
    );
    proposals.sort((a, b) => b.score - a.score || a.detourS - b.detourS || a.tripId - b.tripId);
    return {
      proposals,
      approximate,
      stats: { corridor, schedule: list.length, routed: list.length, feasible: proposals.length },
    };
  }

  /**
   * Origin → destination of every indexed leg, ahead of requests (in-process routers): a request then only asks a
   * column and a row. Yields to the event loop between batches so that a serving process stays responsive.
   */
  async warmDirects(batch = 200): Promise<number> {
    let done = 0;
    let pending: Leg[] = [];
    const flush = async () => {
      const answers = await Promise.all(pending.map((l) => this.router.table([l.origin], [l.destination])));
      pending.forEach((l, i) => {
        const t = answers[i];
        if (!t.approximate) this.keepDirect(l, t.durationsS[0][0], t.distancesM[0][0]);
      });
      done += pending.length;
      pending = [];
      await new Promise((r) => setImmediate(r));
    };
    for (const l of [...this.index.legs.values()]) {
      if (l.direct?.router === this.router) {
        // Known on the leg (loaded with it): the index's hours filter may use it too.
        this.index.setDirect(l.key, l.direct.durationS, this.router);
        continue;
      }
      pending.push(l);
      if (pending.length >= batch) await flush();
    }
    if (pending.length) await flush();
    return done;
  }

  /**
   * Keeps a leg's origin → destination time on the leg, and in the index's columns, whose hours filter and
   * `mayBeOnTime` bound the pickup time with it: the detour is then measured against that same time.
   */
  private keepDirect(leg: Leg, durationS: number | null, distanceM: number | null): void {
    leg.direct = { router: this.router, durationS, distanceM };
    this.index.setDirect(leg.key, durationS, this.router);
  }

  /**
   * A remote router (OSRM): one table call for the whole batch, sources [pickup, drop-off, origins…] and
   * destinations [pickup, drop-off, destinations…]; every term of every detour comes from that one answer, but the
   * leg's own origin → destination, kept from its first answer (the time bounds of later requests use it).
   */
  private async oneTable(q: MatchQuery, batch: Candidate[]): Promise<BatchTimes> {
    const table = await this.router.table(
      [q.from, q.to, ...batch.map((c) => c.leg.origin)],
      [q.from, q.to, ...batch.map((c) => c.leg.destination)],
    );
    const d = table.durationsS,
      m = table.distancesM;
    const approximate = Boolean(table.approximate);
    return {
      approximate,
      times: batch.map((c, i) => {
        const k = i + 2;
        const known = c.leg.direct?.router === this.router ? c.leg.direct : undefined;
        if (!known && !approximate) this.keepDirect(c.leg, d[k][k], m[k][k]);
        return {
          toPickup: [d[k][0], m[k][0]],
          pickupToDropoff: [d[0][1], m[0][1]],
          dropoffToDest: [d[1][k], m[1][k]],
          direct: known ? [known.durationS, known.distanceM] : [d[k][k], m[k][k]],
        };
      }),
    };
  }

  /**
   * An in-process router: a full (n+2)² table would compute n² useless cells. Instead, origins → pickup (one
   * column), drop-off → destinations (one row), and each leg's own origin → destination, which does not depend on
   * the request and is kept on the leg for this router.
   */
  private async rowsAndColumns(q: MatchQuery, batch: Candidate[]): Promise<BatchTimes> {
    const missing = batch.filter((c) => c.leg.direct?.router !== this.router);
    const [column, row, ...directs] = await Promise.all([
      this.router.table(
        batch.map((c) => c.leg.origin),
        [q.from],
      ),
      this.router.table([q.from, q.to], batch.map((c) => c.leg.destination).concat([q.to])),
      ...missing.map((c) => this.router.table([c.leg.origin], [c.leg.destination])),
    ]);
    let approximate = Boolean(column.approximate || row.approximate);
    missing.forEach((c, i) => {
      const t = directs[i];
      if (t.approximate) approximate = true;
      // An approximate answer is not worth keeping: the next request may reach the real router.
      else this.keepDirect(c.leg, t.durationsS[0][0], t.distancesM[0][0]);
      c.directNow = [t.durationsS[0][0], t.distancesM[0][0]];
    });
    const n = batch.length;
    return {
      approximate,
      times: batch.map((c, i) => ({
        toPickup: [column.durationsS[i][0], column.distancesM[i][0]],
        pickupToDropoff: [row.durationsS[0][n], row.distancesM[0][n]],
        dropoffToDest: [row.durationsS[1][i], row.distancesM[1][i]],
        direct: c.directNow ?? [c.leg.direct!.durationS, c.leg.direct!.distanceM],
      })),
    };
  }

  private evaluate(q: MatchQuery, c: Candidate, t: LegTimes): Proposal | undefined {
    const [toPickup, mToPickup] = t.toPickup;
    const [pickupToDropoff, mPickupToDropoff] = t.pickupToDropoff;
    const [dropoffToDest, mDropoffToDest] = t.dropoffToDest;
    const [direct, mDirect] = t.direct;
    if (toPickup == null || pickupToDropoff == null || dropoffToDest == null || direct == null) return undefined;
    const rules = this.rulesOf(c.leg.territoryId);
    // Snapping can make the detour route a few seconds shorter than the direct one: no negative detours.
    const detourS = Math.max(0, toPickup + pickupToDropoff + dropoffToDest - direct);
    const detourM = Math.max(0, (mToPickup ?? 0) + (mPickupToDropoff ?? 0) + (mDropoffToDest ?? 0) - (mDirect ?? 0));
    const budgetS = maxDetourS(rules, direct);
    if (detourS > budgetS) return undefined;
    const pickupMin = c.leg.departureMin + toPickup / 60;
    const dropoffMin = pickupMin + pickupToDropoff / 60;
    if (!inWindow(q, pickupMin, dropoffMin)) return undefined;
    const gap = Math.abs(deviationMin(q, pickupMin, dropoffMin));
    const score =
      1 - 0.6 * (budgetS > 0 ? detourS / budgetS : 0) - 0.4 * (q.toleranceMin > 0 ? gap / q.toleranceMin : 0);
    return {
      tripId: c.leg.tripId,
      driverId: c.leg.driverId,
      territoryId: c.leg.territoryId,
      leg: c.leg.leg,
      pickup: { lng: q.from[0], lat: q.from[1], time: toClock(pickupMin), timeMin: Math.round(pickupMin) },
      dropoff: { lng: q.to[0], lat: q.to[1], time: toClock(dropoffMin), timeMin: Math.round(dropoffMin) },
      detourS: Math.round(detourS),
      detourM: Math.round(detourM),
      score: Math.round(Math.max(0, Math.min(1, score)) * 1000) / 1000,
      driverDepartureTime: toClock(c.leg.departureMin),
      seatsFree: freeSeats(c.leg, q.date),
      directContact: c.leg.directContact,
      ...(c.weekdays ? { weekdays: c.weekdays } : {}),
      pickupOffRouteM: Math.round(c.pickup.distM),
      dropoffOffRouteM: Math.round(c.dropoff.distM),
    };
  }
}
