import type { Services } from '../../services/src/context.ts';
import { isoWeekday } from '../../services/src/time/days.ts';

/** The first date on or after `from` that falls on an ISO weekday. */
export function nextDateOn(weekday: number, from = '2026-09-07'): string {
  const d = new Date(`${from}T12:00:00Z`);
  while (isoWeekday(d.toISOString().slice(0, 10)) !== weekday) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * A passenger trip that the demo's drivers serve: two points on a regular driver's usual route (a quarter and three
 * quarters along), at the time the driver passes, on a date it runs. Checked with the matcher itself.
 */
export async function findServedTrip(s: Services) {
  for (const leg of s.index.legs.values()) {
    if (leg.schedule.kind !== 'regular' || leg.leg !== 'outbound' || leg.coords.length < 20) continue;
    const n = leg.coords.length / 2;
    const at = (f: number): [number, number] => {
      const i = Math.floor(n * f);
      return [leg.coords[2 * i], leg.coords[2 * i + 1]];
    };
    const from = at(0.25), to = at(0.75);
    const date = nextDateOn(leg.schedule.weekdays[0]);
    const timeMin = Math.round(leg.departureMin + (leg.durationS / 60) * 0.25);
    const answer = await s.matcher.match({ from, to, date, weekdays: [], timeMin, timeKind: 'depart', toleranceMin: 15, seats: 1, territoryIds: null });
    if (answer.proposals.some((p) => p.tripId === leg.tripId)) return { from, to, date, timeMin, tripId: leg.tripId, weekday: leg.schedule.weekdays[0], territoryId: leg.territoryId };
  }
  throw new Error('no served trip found in the demo');
}
