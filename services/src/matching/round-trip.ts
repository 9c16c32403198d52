import type { Router } from '../routing/types.ts';
import { MINUTES_PER_DAY } from '../time/clock.ts';
import type { MatchAnswer, Matcher, MatchQuery } from './matcher.ts';

/** The passenger's way back: a departure time, or "about N minutes after arrival" (never both). */
export interface ReturnAsk {
  returnMin: number | null;
  returnAfterMin: number | null;
}

/** Longest wait a return may be asked for after arrival (a day out at the hospital, not an overnight stay). */
export const MAX_RETURN_AFTER_MIN = 12 * 60;

export const hasReturn = (r: ReturnAsk) => r.returnMin !== null || r.returnAfterMin !== null;

/**
 * When the passenger arrives: the asked time of an arrive-by request; for a depart-at one, the departure plus the
 * direct drive on the road network (null when the router finds no way: the return is then not searched).
 */
async function arrivalMin(q: MatchQuery, router: Router): Promise<number | null> {
  if (q.timeKind === 'arrive') return q.timeMin;
  const t = await router.table([q.from], [q.to]);
  const s = t.durationsS[0]?.[0];
  return s == null ? null : q.timeMin + s / 60;
}

/**
 * The return leg as a query of its own: the outbound's ends swapped, the same day(s), seats and tolerance, a
 * depart-at time (the passenger waits at the destination until then). A return that would leave after midnight is
 * kept at 23:59: the API refuses the ones that clearly do, an estimate may still cross it by a few minutes.
 */
export async function returnQuery(q: MatchQuery, r: ReturnAsk, router: Router): Promise<MatchQuery | null> {
  if (!hasReturn(r)) return null;
  let timeMin: number;
  if (r.returnMin !== null) timeMin = r.returnMin;
  else {
    const arrival = await arrivalMin(q, router);
    if (arrival === null) return null;
    timeMin = Math.round(arrival + r.returnAfterMin!);
  }
  return { ...q, from: q.to, to: q.from, timeKind: 'depart', timeMin: Math.min(timeMin, MINUTES_PER_DAY - 1) };
}

export interface JourneyAnswer {
  outbound: MatchAnswer;
  /** null when the request has no return (or its time could not be worked out). */
  return: MatchAnswer | null;
  /** The return's departure time searched, minutes after midnight. */
  returnTimeMin: number | null;
}

/** Both legs of a passenger's journey matched, each on its own (run before any transaction: the router may be slow). */
export async function matchJourney(matcher: Matcher, router: Router, q: MatchQuery, r: ReturnAsk): Promise<JourneyAnswer> {
  const [outbound, back] = await Promise.all([matcher.match(q), returnQuery(q, r, router)]);
  const ret = back ? await matcher.match(back) : null;
  return { outbound, return: ret, returnTimeMin: back?.timeMin ?? null };
}
