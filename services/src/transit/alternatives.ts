import type { Services } from '../context.ts';
import type { MatchAnswer } from '../matching/matcher.ts';
import { toMatchQuery, type TripAsk } from '../matching/query.ts';
import { isoWeekday } from '../time/days.ts';
import { carpoolToTransit } from './carpool-to-transit.ts';
import { findAlternatives } from './index.ts';

/** The next date (from today) falling on one of the weekdays: transit timetables are by date. */
function nextDateOn(weekdays: number[], from = new Date()): string {
  for (let i = 0; i < 7; i++) {
    const d = new Date(from.getTime() + i * 86_400_000).toISOString().slice(0, 10);
    if (weekdays.includes(isoWeekday(d))) return d;
  }
  return from.toISOString().slice(0, 10);
}

/**
 * What the coordinator can offer beside drivers: scheduled transit, on-demand transport (TAD), seated-patient
 * transport for health trips, and a driver to a stop when neither a driver nor transit alone serves the trip.
 */
export async function alternativesFor(s: Services, ask: TripAsk, territoryIds: number[] | null, answer: MatchAnswer) {
  const territoryId = territoryIds?.length === 1 ? territoryIds[0] : null;
  const rules = s.rulesOf(territoryId ?? 0);
  const date = ask.date ?? nextDateOn(ask.weekdays ?? []);
  const q = toMatchQuery({ ...ask, date, weekdays: undefined }, territoryIds, rules.toleranceMin);
  const base = {
    to: q.to,
    date,
    timeMin: q.timeMin,
    timeKind: q.timeKind,
    toleranceMin: q.toleranceMin,
    purpose: ask.purpose,
    territoryId,
    walkMaxM: rules.walkMaxM,
  };
  const found = await findAlternatives(s.db, { ...base, from: q.from });
  const combined =
    answer.proposals.length === 0 && found.transit.length === 0 ? await carpoolToTransit(s.db, s.matcher, q, base) : [];
  return { date, ...found, carpoolToTransit: combined };
}
