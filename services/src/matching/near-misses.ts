import { addDays, isoWeekday } from '../time/days.ts';
import { legKey } from './legs.ts';
import type { Matcher, MatchQuery, Proposal } from './matcher.ts';
import { maxDetourS, type MatchingRules } from './rules.ts';
import type { NearMiss, NearMissAnswer, NearMissKind, Widening, WideningKind } from './near-miss-types.ts';

/**
 * When few drivers fit, the ones that nearly do: the same matcher under relaxed parameters (a wider time window,
 * other days, a wider corridor, a longer detour, no seat asked), less the proposals it finds under the request's own. Nothing here changes what
 * `Matcher.match` answers for the request itself.
 */

/** Below this many proposals the answers of a request also carry its near misses. */
export const NEAR_MISSES_BELOW = 3;
/** How far from the asked time a driver still counts as near (either side), minutes. */
export const NEAR_TIME_MIN = 180;
/** Other days searched at the asked time, either side of a dated request. */
export const NEAR_DAYS = 3;
/** The corridor of the near-miss search, and of a one-click widening: the territory's, times this. */
export const CORRIDOR_WIDENING = 2;
/** Longest tolerance a widening reaches (the API's own maximum). */
export const MAX_TOLERANCE_MIN = 240;
const MAX_CORRIDOR_M = 20_000;
/**
 * The detour of the near-miss search, and of its widening: the territory's cap plus this many minutes, its share of
 * the driver's own time times DETOUR_RATIO_WIDENING. A driver told "a few minutes more" on the phone often agrees.
 */
export const DETOUR_WIDENING_MIN = 10;
export const DETOUR_RATIO_WIDENING = 1.5;
const MAX_DETOUR_MIN = 120;
const PER_KIND = 5;

export type * from './near-miss-types.ts';

const key = (p: { tripId: number; leg: string }) => `${p.tripId}:${p.leg}`;

/** "1 h 50", "45 min", "2 h". */
export function frDuration(min: number): string {
  const m = Math.round(Math.abs(min));
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60),
    r = m % 60;
  return r ? `${h} h ${String(r).padStart(2, '0')}` : `${h} h`;
}

/** "2,3 km", "800 m". */
export function frDistance(m: number): string {
  if (m < 1000) return `${Math.round(m / 10) * 10} m`;
  return `${(m / 1000).toFixed(1).replace(/\.0$/, '').replace('.', ',')} km`;
}

const WEEKDAYS = ['', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'];
const frDate = (d: string) => `${WEEKDAYS[isoWeekday(d)]} ${d.slice(8, 10)}/${d.slice(5, 7)}`;

/** The asked time as the matcher compares it: the pickup for depart-at, the drop-off for arrive-by. */
const offeredMin = (q: MatchQuery, p: Proposal) => (q.timeKind === 'depart' ? p.pickup.timeMin : p.dropoff.timeMin);

function passes(q: MatchQuery, p: Proposal): string {
  return q.timeKind === 'depart' ? `passe à ${p.pickup.time}` : `passe à ${p.pickup.time}, arrive à ${p.dropoff.time}`;
}

function nearMissOf(q: MatchQuery, kind: NearMissKind, p: Proposal, date: string | null, extra: Partial<NearMiss>, summary: string): NearMiss {
  return {
    kind,
    tripId: p.tripId,
    driverId: p.driverId,
    leg: p.leg,
    date,
    ...(p.weekdays ? { weekdays: p.weekdays } : {}),
    pickupTime: p.pickup.time,
    dropoffTime: p.dropoff.time,
    detourS: p.detourS,
    detourM: p.detourM,
    ...extra,
    summary,
  };
}

/**
 * The query a widening runs: a wider time window (depart-at: ± minutes around the time; arrive-by: from `early`
 * before to `late` after, the never-late rule moved to the later bound), another date, or all other weekdays.
 */
export function timeWindowed(q: MatchQuery, early: number, late: number): MatchQuery {
  if (q.timeKind === 'depart') return { ...q, toleranceMin: Math.max(early, late) };
  return { ...q, timeMin: q.timeMin + late, toleranceMin: early + late };
}

export const onDate = (q: MatchQuery, date: string): MatchQuery => ({ ...q, date, weekdays: [] });

export const widerCorridor = (m: Matcher) =>
  m.withRules((r) => ({ ...r, corridorM: Math.min(MAX_CORRIDOR_M, r.corridorM * CORRIDOR_WIDENING) }));

/** The detour cap a widening reaches from the territory's. */
const widenedDetourMin = (r: MatchingRules) => Math.min(MAX_DETOUR_MIN, r.maxDetourMin + DETOUR_WIDENING_MIN);

export const widerDetour = (m: Matcher) =>
  m.withRules((r) => ({ ...r, maxDetourMin: widenedDetourMin(r), maxDetourRatio: r.maxDetourRatio * DETOUR_RATIO_WIDENING }));

const detourLabel = (r: MatchingRules) => `détour ${r.maxDetourMin} → ${widenedDetourMin(r)} min`;

/** The request's territory's rules (a request is matched in its own territory). */
const rulesOfQuery = (m: Matcher, q: MatchQuery) => m.rulesOf(q.territoryIds?.[0] ?? 0);

const places = (n: number) => `${n} place${n > 1 ? 's' : ''}`;

export const widenedTolerance = (toleranceMin: number) =>
  Math.min(MAX_TOLERANCE_MIN, Math.max(toleranceMin + 30, toleranceMin * 2));

/**
 * Drivers near the request: the same day at other times (up to NEAR_TIME_MIN either side), other days at the asked
 * time (the NEAR_DAYS dates either side, or the other weekdays of a recurring request), just outside the corridor
 * (twice the territory's), a little over the detour limit (widerDetour), and, for a dated request, those with no
 * seat left that date (a seat may free up); with what each one-click widening would add. `own` are the request's
 * proposals.
 */
export async function findNearMisses(
  matcher: Matcher,
  q: MatchQuery,
  own: { tripId: number; leg: string }[],
  corridorM: number,
): Promise<NearMissAnswer> {
  // The request's own search now, too: a driver added since its proposals were stored is no near miss.
  const current = await matcher.match(q);
  const known = new Set([...own, ...current.proposals].map(key));
  const fresh = (ps: Proposal[]) => ps.filter((p) => !known.has(key(p)));
  const dated = q.date !== null;
  const otherDays = dated
    ? [...Array(2 * NEAR_DAYS + 1).keys()].map((i) => i - NEAR_DAYS).filter((d) => d !== 0)
    : [];
  const otherWeekdays = dated ? [] : [1, 2, 3, 4, 5, 6, 7].filter((d) => !q.weekdays.includes(d));
  const [time, corridor, detour, seats, ...days] = await Promise.all([
    matcher.match(timeWindowed(q, NEAR_TIME_MIN, NEAR_TIME_MIN)),
    widerCorridor(matcher).match(q),
    widerDetour(matcher).match(q),
    // No seat asked: every driver who fits but for the seats (free seats are counted per date).
    dated ? matcher.match({ ...q, seats: 0 }) : Promise.resolve(null),
    ...(dated
      ? otherDays.map((d) => matcher.match(onDate(q, addDays(q.date!, d))))
      : otherWeekdays.length
        ? [matcher.match({ ...q, weekdays: otherWeekdays })]
        : []),
  ]);
  const approximate = [current, time, corridor, detour, ...(seats ? [seats] : []), ...days].some((a) => a.approximate);

  const timeMisses = fresh(time.proposals)
    .map((p) => {
      const gap = offeredMin(q, p) - q.timeMin;
      return nearMissOf(q, 'time', p, q.date, { gapMin: gap }, `${passes(q, p)}, ${frDuration(gap)} ${gap < 0 ? 'avant' : 'après'}`);
    })
    .sort((a, b) => Math.abs(a.gapMin!) - Math.abs(b.gapMin!) || a.detourS - b.detourS);

  const dayMisses: NearMiss[] = [];
  days.forEach((answer, i) => {
    for (const p of fresh(answer.proposals)) {
      if (dated) {
        const shift = otherDays[i];
        const date = addDays(q.date!, shift);
        const when = `${Math.abs(shift)} jour${Math.abs(shift) > 1 ? 's' : ''} ${shift < 0 ? 'avant' : 'après'}`;
        dayMisses.push(nearMissOf(q, 'day', p, date, { dayShift: shift }, `le ${frDate(date)} (${when}), ${passes(q, p)}`));
      } else {
        const names = (p.weekdays ?? []).map((d) => WEEKDAYS[d]).join(', ');
        dayMisses.push(nearMissOf(q, 'day', p, null, {}, `le ${names}, ${passes(q, p)}`));
      }
    }
  });
  // Nearest day first; one line per driver's leg (a daily commuter runs on every day around).
  dayMisses.sort((a, b) => Math.abs(a.dayShift ?? 0) - Math.abs(b.dayShift ?? 0) || (a.dayShift ?? 0) - (b.dayShift ?? 0) || a.detourS - b.detourS);
  const seenDay = new Set<string>();
  const dayList = dayMisses.filter((m) => (seenDay.has(key(m)) ? false : (seenDay.add(key(m)), true)));

  const corridorMisses = fresh(corridor.proposals)
    .map((p) => {
      const off = Math.max(p.pickupOffRouteM, p.dropoffOffRouteM);
      return nearMissOf(q, 'corridor', p, q.date, { offRouteM: off, beyondCorridorM: Math.max(0, off - corridorM) },
        `à ${frDistance(off)} du trajet (couloir de ${frDistance(corridorM)}), ${passes(q, p)}`);
    })
    .sort((a, b) => a.offRouteM! - b.offRouteM! || a.detourS - b.detourS);

  const rules = rulesOfQuery(matcher, q);
  const detourMisses = fresh(detour.proposals)
    .flatMap((p) => {
      // The limit the request's own search held this driver to: the cap, or its share of the driver's own time.
      const leg = matcher.index.legs.get(legKey(p.tripId, p.leg));
      const limitS = Math.round(maxDetourS(matcher.rulesOf(p.territoryId), leg?.direct?.durationS ?? leg?.durationS ?? Infinity));
      const beyondS = p.detourS - limitS;
      if (beyondS <= 0) return []; // an approximate answer of the request's own search missed it
      const summary = `détour de ${frDuration(p.detourS / 60)}, ${beyondS < 60 ? 'moins d’une minute' : frDuration(beyondS / 60)} au-delà de la limite, ${passes(q, p)}`;
      return [nearMissOf(q, 'detour', p, q.date, { detourLimitS: limitS, beyondDetourS: beyondS }, summary)];
    })
    .sort((a, b) => a.beyondDetourS! - b.beyondDetourS! || a.detourS - b.detourS);

  const seatMisses = (seats ? fresh(seats.proposals) : [])
    .filter((p) => p.seatsFree < q.seats)
    .map((p) => {
      const leg = matcher.index.legs.get(legKey(p.tripId, p.leg));
      const free = Math.max(0, p.seatsFree);
      const taken = leg ? leg.seats - p.seatsFree : 0;
      const summary =
        free === 0
          ? `complet ce jour-là : ${places(taken)} déjà prise${taken > 1 ? 's' : ''}, ${passes(q, p)}`
          : `${places(free)} libre${free > 1 ? 's' : ''} ce jour-là pour ${q.seats} demandées, ${passes(q, p)}`;
      return nearMissOf(q, 'seats', p, q.date, { seatsFree: free, seatsTaken: taken }, summary);
    });
  // Best fit first, as the request's own proposals would be.
  const scoreOf = new Map((seats?.proposals ?? []).map((p) => [key(p), p.score]));
  seatMisses.sort((a, b) => (scoreOf.get(key(b)) ?? 0) - (scoreOf.get(key(a)) ?? 0) || a.detourS - b.detourS);

  const tolerance = widenedTolerance(q.toleranceMin);
  // What each widening adds, read off the near misses: each widened search is a subset of one near-miss search
  // (a wider window, the corridor doubled, the dates next to the request's), and equals its members that pass.
  const early = tolerance;
  const late = q.timeKind === 'depart' ? tolerance : 0;
  const widenings: Widening[] = [];
  if (tolerance > q.toleranceMin)
    widenings.push({
      kind: 'tolerance',
      from: q.toleranceMin,
      to: tolerance,
      adds: timeMisses.filter((m) => m.gapMin! >= -early && m.gapMin! <= late).length,
      label: `± ${q.toleranceMin} → ± ${tolerance} min`,
    });
  const wider = Math.min(MAX_CORRIDOR_M, corridorM * CORRIDOR_WIDENING);
  if (wider > corridorM)
    widenings.push({
      kind: 'corridor',
      from: corridorM,
      to: wider,
      adds: corridorMisses.length,
      label: `couloir ${frDistance(corridorM)} → ${frDistance(wider)}`,
    });
  // Only when someone is a little over the limit: the coordinator then calls them to ask for a few minutes more.
  if (detourMisses.length)
    widenings.push({
      kind: 'detour',
      from: rules.maxDetourMin,
      to: widenedDetourMin(rules),
      adds: detourMisses.length,
      label: detourLabel(rules),
    });
  if (dated)
    widenings.push({
      kind: 'day',
      from: 0,
      to: 1,
      adds: new Set(dayMisses.filter((m) => Math.abs(m.dayShift!) === 1).map(key)).size,
      label: 'la veille ou le lendemain',
    });

  return {
    nearMisses: [
      ...timeMisses.slice(0, PER_KIND),
      ...dayList.slice(0, PER_KIND),
      ...corridorMisses.slice(0, PER_KIND),
      ...detourMisses.slice(0, PER_KIND),
      ...seatMisses.slice(0, PER_KIND),
    ],
    widenings,
    approximate,
  };
}

export interface WidenResult {
  proposals: (Proposal & { date: string | null })[];
  approximate: boolean;
  widened: { kind: WideningKind; from: number; to: number; label: string };
}

/**
 * One widening, run: the request's search again with one parameter wider. Returns every proposal of the widened
 * search (the caller keeps the ones the request did not have), each with the date it runs.
 */
export async function widen(matcher: Matcher, q: MatchQuery, kind: WideningKind, corridorM: number): Promise<WidenResult> {
  if (kind === 'tolerance') {
    const to = widenedTolerance(q.toleranceMin);
    const a = await matcher.match({ ...q, toleranceMin: to });
    return {
      proposals: a.proposals.map((p) => ({ ...p, date: q.date })),
      approximate: a.approximate,
      widened: { kind, from: q.toleranceMin, to, label: `± ${q.toleranceMin} → ± ${to} min` },
    };
  }
  if (kind === 'detour') {
    const rules = rulesOfQuery(matcher, q);
    const a = await widerDetour(matcher).match(q);
    return {
      proposals: a.proposals.map((p) => ({ ...p, date: q.date })),
      approximate: a.approximate,
      widened: { kind, from: rules.maxDetourMin, to: widenedDetourMin(rules), label: detourLabel(rules) },
    };
  }
  if (kind === 'corridor') {
    const to = Math.min(MAX_CORRIDOR_M, corridorM * CORRIDOR_WIDENING);
    const a = await widerCorridor(matcher).match(q);
    return {
      proposals: a.proposals.map((p) => ({ ...p, date: q.date })),
      approximate: a.approximate,
      widened: { kind, from: corridorM, to, label: `couloir ${frDistance(corridorM)} → ${frDistance(to)}` },
    };
  }
  // ±1 day: the day before and the day after; a driver running on both is offered the day after (closest to the
  // request's own date on the side that does not make the passenger leave earlier).
  const [before, after] = await Promise.all([-1, 1].map((d) => matcher.match(onDate(q, addDays(q.date!, d)))));
  const byLeg = new Map<string, Proposal & { date: string | null }>();
  for (const p of before.proposals) byLeg.set(key(p), { ...p, date: addDays(q.date!, -1) });
  for (const p of after.proposals) byLeg.set(key(p), { ...p, date: addDays(q.date!, 1) });
  return {
    proposals: [...byLeg.values()].sort((a, b) => b.score - a.score),
    approximate: before.approximate || after.approximate,
    widened: { kind, from: 0, to: 1, label: 'la veille ou le lendemain' },
  };
}
