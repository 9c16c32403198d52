import { isoWeekday } from '../time/days.ts';

/**
 * A volunteer's availability on a date: the weekly slots of that weekday, plus the exceptions that add hours (a
 * one-off day available), minus those that remove some (holidays, a day off, an appointment). Minutes after
 * midnight, half-open intervals [start, end).
 */
export interface Slot {
  weekday: number;
  startMin: number;
  endMin: number;
}

export interface AvailabilityException {
  dateFrom: string;
  dateTo: string;
  available: boolean;
  /** Both null: the whole day. */
  startMin: number | null;
  endMin: number | null;
}

export type Interval = [number, number];

const WHOLE_DAY: Interval = [0, 1440];

/** Sorted, disjoint intervals (touching ones joined: 08:00–10:00 and 10:00–12:00 cover 09:00–11:00). */
export function union(intervals: Interval[]): Interval[] {
  const sorted = intervals.filter(([a, b]) => a < b).sort((x, y) => x[0] - y[0]);
  const out: Interval[] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** `from` without any part of `cut`. */
export function subtract(from: Interval[], cut: Interval[]): Interval[] {
  let out = union(from);
  for (const [c0, c1] of union(cut)) {
    out = out.flatMap(([a, b]): Interval[] => {
      if (c1 <= a || c0 >= b) return [[a, b]];
      const parts: Interval[] = [];
      if (a < c0) parts.push([a, c0]);
      if (c1 < b) parts.push([c1, b]);
      return parts;
    });
  }
  return out;
}

const covering = (e: AvailabilityException, date: string) => e.dateFrom <= date && date <= e.dateTo;
const hours = (e: AvailabilityException): Interval =>
  e.startMin === null || e.endMin === null ? WHOLE_DAY : [e.startMin, e.endMin];

/** The hours a volunteer is available on `date`. */
export function availableOn(slots: Slot[], exceptions: AvailabilityException[], date: string): Interval[] {
  const weekday = isoWeekday(date);
  const week = slots.filter((s) => s.weekday === weekday).map((s): Interval => [s.startMin, s.endMin]);
  const on = exceptions.filter((e) => covering(e, date));
  const added = on.filter((e) => e.available).map(hours);
  const removed = on.filter((e) => !e.available).map(hours);
  return subtract(union([...week, ...added]), removed);
}

/** Whether one interval of `available` holds the whole of [start, end]. */
export const covers = (available: Interval[], startMin: number, endMin: number) =>
  available.some(([a, b]) => a <= startMin && endMin <= b);

/** Whether two spans share more than an instant (a trip may start the minute another ends). */
export const overlaps = (a: Interval, b: Interval) => a[0] < b[1] && b[0] < a[1];
