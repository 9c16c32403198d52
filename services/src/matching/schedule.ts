import { isoWeekday } from '../time/days.ts';

/** When a driver trip runs. Dates are 'YYYY-MM-DD' in the territory's local calendar. */
export interface Schedule {
  kind: 'regular' | 'oneoff';
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  weekdays: number[];
  date: string | null;
  validFrom: string | null;
  validTo: string | null;
}

/** `weekday` may be given when the caller checks many schedules against one date. */
export function runsOn(s: Schedule, date: string, weekday = isoWeekday(date)): boolean {
  if (s.kind === 'oneoff') return s.date === date;
  if (s.validFrom && date < s.validFrom) return false;
  if (s.validTo && date > s.validTo) return false;
  return s.weekdays.includes(weekday);
}

/** Weekdays a recurring request shares with a regular trip (one-off trips never serve recurring requests). */
export function commonWeekdays(s: Schedule, weekdays: number[]): number[] {
  if (s.kind !== 'regular') return [];
  return weekdays.filter((d) => s.weekdays.includes(d));
}

export interface TimeWindow {
  timeMin: number;
  timeKind: 'depart' | 'arrive';
  toleranceMin: number;
}

/**
 * Depart: pickup within ± tolerance of the asked time. Arrive: drop-off no later than the asked time and no earlier
 * than tolerance before it (someone due at a doctor's must not be late).
 */
export function inWindow(w: TimeWindow, pickupMin: number, dropoffMin: number): boolean {
  if (w.timeKind === 'depart') return Math.abs(pickupMin - w.timeMin) <= w.toleranceMin;
  return dropoffMin <= w.timeMin && dropoffMin >= w.timeMin - w.toleranceMin;
}

/** Signed gap between what was asked and what is offered, in minutes. */
export function deviationMin(w: TimeWindow, pickupMin: number, dropoffMin: number): number {
  return w.timeKind === 'depart' ? pickupMin - w.timeMin : dropoffMin - w.timeMin;
}
