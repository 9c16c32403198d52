import type { LngLat } from '../src/geo/types.ts';
import type { BothEndsHit } from '../src/matching/leg-index.ts';
import type { Leg } from '../src/matching/legs.ts';
import { freeSeats } from '../src/matching/legs.ts';
import type { CandidateSet, MatchAnswer, Matcher, MatchQuery } from '../src/matching/matcher.ts';
import { commonWeekdays, runsOn } from '../src/matching/schedule.ts';
import { isoWeekday } from '../src/time/days.ts';
import { nearestOnSegments, scaleAt, type Nearest } from '../src/geo/polyline.ts';

/**
 * The reference the recall test and the match bench hold the index to: every leg, every segment, no index and no
 * bound on the times. It measures with the same function as the index (`nearestOnSegments`, on every segment) and routes its candidates
 * through the same matcher, so any driver it finds and the index misses is a recall bug.
 */
export function bruteForce(matcher: Matcher) {
  const rulesOf = matcher.rulesOf;
  const candidates = (q: MatchQuery): CandidateSet => {
    const { radiusM } = matcher.scope(q);
    const weekday = q.date ? isoWeekday(q.date) : 0;
    // What a leg must satisfy whatever its geometry: territory, not the passenger's own trip, the day, a free seat.
    const serves = (l: Leg) =>
      (q.territoryIds === null || q.territoryIds.includes(l.territoryId)) &&
      (q.passengerId === undefined || l.driverId !== q.passengerId) &&
      (q.date ? runsOn(l.schedule, q.date, weekday) : commonWeekdays(l.schedule, q.weekdays).length > 0) &&
      freeSeats(l, q.date) >= q.seats;
    const list: CandidateSet['list'] = [];
    let corridor = 0;
    for (const { leg, pickup, dropoff } of scanBoth(matcher.index.legs.values(), q.from, q.to, radiusM, serves)) {
      const rules = rulesOf(leg.territoryId);
      if (pickup.distM > rules.corridorM || dropoff.distM > rules.corridorM || pickup.alongM >= dropoff.alongM)
        continue;
      corridor++;
      list.push({ leg, pickup, dropoff, weekdays: q.date ? undefined : commonWeekdays(leg.schedule, q.weekdays) });
    }
    return { list, corridor };
  };
  return {
    candidates,
    match: (q: MatchQuery): Promise<MatchAnswer> => matcher.routeCandidates(q, candidates(q)),
  };
}

/** Every leg whose route passes within radiusM of both points, measured on every segment. */
export function scanBoth(
  legs: Iterable<Leg>,
  from: LngLat,
  to: LngLat,
  radiusM: number,
  accept?: (l: Leg) => boolean,
): BothEndsHit[] {
  const p = scaleAt(from[1]),
    d = scaleAt(to[1]);
  const out: BothEndsHit[] = [];
  // Objects only for the legs kept: two per leg scanned were millions per request at a million legs.
  const best: Nearest = { distM: Infinity, alongM: 0 };
  const near = (leg: Leg, q: LngLat, kx: number, ky: number) => {
    best.distM = Infinity;
    nearestOnSegments(leg.coords, leg.cumM, 0, leg.coords.length / 2 - 1, q[0], q[1], kx, ky, best);
    return best.distM <= radiusM;
  };
  for (const leg of legs) {
    if (accept && !accept(leg)) continue;
    if (!near(leg, from, p.kx, p.ky)) continue;
    const pickup = { leg, distM: best.distM, alongM: best.alongM };
    if (near(leg, to, d.kx, d.ky)) out.push({ leg, pickup, dropoff: { leg, distM: best.distM, alongM: best.alongM } });
  }
  return out;
}
