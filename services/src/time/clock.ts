/**
 * Clock times of the day. Times are minutes after midnight in the territory's local time (`departureMin`,
 * `timeMin`); a time past midnight or before it (a night trip of the previous service day) shows as the clock does.
 */
export const MINUTES_PER_DAY = 1440;

/** "HH:MM" → minutes after midnight (the string is validated at the boundary). */
export const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Minutes (rounded, any value: wraps around midnight) → "HH:MM". */
export function toClock(min: number): string {
  const m = ((Math.round(min) % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/**
 * "HH:MM" of a timetable time in seconds after the service day's midnight, as GTFS writes it: past midnight it goes
 * on (25:05 is 01:05 the next morning, on the same service day); before midnight (the previous service day's night
 * trip seen from today) as the clock shows it.
 */
export function serviceDayClock(s: number): string {
  const m = s < 0 ? Math.floor(s / 60) + MINUTES_PER_DAY : Math.floor(s / 60);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}
