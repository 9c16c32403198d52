/** Calendar days: 'YYYY-MM-DD' in the territory's local calendar, ISO weekdays (1 = Monday … 7 = Sunday). */

/** Days since 1970-01-01 of a 'YYYY-MM-DD' date. */
export const dayNumber = (date: string): number =>
  Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / 86_400_000;

/** The date n days after (before, for n < 0) a 'YYYY-MM-DD' date. */
export function addDays(date: string, n: number): string {
  return new Date((dayNumber(date) + n) * 86_400_000).toISOString().slice(0, 10);
}

export function isoWeekday(date: string): number {
  const d = new Date(`${date}T12:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

/** The first date strictly after `from` that falls on the ISO weekday (1 = Monday … 7 = Sunday). */
export function nextWeekday(weekday: number, from: string = new Date().toISOString().slice(0, 10)): string {
  return addDays(from, (weekday - isoWeekday(from) + 7) % 7 || 7);
}
