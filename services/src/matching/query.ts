import { z } from 'zod';
import type { Principal } from '../auth/principal.ts';
import { forbidden } from '../http/errors.ts';
import { clockTime, isoDate, point, weekdays } from '../http/validate.ts';
import { MINUTES_PER_DAY, toMinutes } from '../time/clock.ts';
import { MAX_RETURN_AFTER_MIN } from './round-trip.ts';
import type { MatchQuery } from './matcher.ts';

export const PURPOSES = ['health', 'work', 'training', 'shopping', 'admin', 'leisure', 'other'] as const;

/** The passenger's trip as the API takes it (POST /api/match, POST /api/requests). */
export const tripAsk = z.object({
  territoryId: z.number().int().positive().optional(),
  from: point,
  to: point,
  date: isoDate.optional(),
  weekdays: weekdays.optional(),
  time: clockTime,
  timeKind: z.enum(['depart', 'arrive']).default('depart'),
  toleranceMin: z.number().int().min(0).max(240).optional(),
  seats: z.number().int().min(1).max(8).default(1),
  purpose: z.enum(PURPOSES).default('other'),
});

export type TripAsk = z.infer<typeof tripAsk>;

/** A round trip's way back (POST /api/requests): a departure time, or about N minutes after arrival. */
export const returnFields = {
  returnTime: clockTime.nullable().optional(),
  returnAfterMin: z.number().int().min(10).max(MAX_RETURN_AFTER_MIN).nullable().optional(),
};

/** At most one kind of return, after the outbound, and on the same day. */
export const returnAfterOutbound = (
  b: { time: string; returnTime?: string | null; returnAfterMin?: number | null },
  ctx: z.RefinementCtx,
) => {
  if (b.returnTime && b.returnAfterMin != null) {
    ctx.addIssue({ code: 'custom', path: ['returnAfterMin'], message: 'give returnTime or returnAfterMin, not both' });
    return;
  }
  if (b.returnTime && toMinutes(b.returnTime) <= toMinutes(b.time))
    ctx.addIssue({ code: 'custom', path: ['returnTime'], message: `must be after the outbound time (${b.time})` });
  if (b.returnAfterMin != null && toMinutes(b.time) + b.returnAfterMin >= MINUTES_PER_DAY)
    ctx.addIssue({ code: 'custom', path: ['returnAfterMin'], message: 'the return would leave after midnight: give a shorter wait' });
};

export const needsDateOrWeekdays = (b: { date?: string; weekdays?: number[] }, ctx: z.RefinementCtx) => {
  if (!b.date && !(b.weekdays && b.weekdays.length)) {
    ctx.addIssue({ code: 'custom', path: ['date'], message: 'give a date (YYYY-MM-DD) or weekdays' });
  }
  if (b.date && b.weekdays && b.weekdays.length) {
    ctx.addIssue({ code: 'custom', path: ['weekdays'], message: 'give a date or weekdays, not both' });
  }
};

export function scopeOf(p: Principal, territoryId: number | undefined): number[] | null {
  if (territoryId !== undefined) {
    if (p.territoryIds && !p.territoryIds.includes(territoryId))
      throw forbidden('territory not allowed for these credentials');
    return [territoryId];
  }
  return p.territoryIds;
}

export function toMatchQuery(
  a: TripAsk,
  territoryIds: number[] | null,
  defaultToleranceMin: number,
  passengerId?: number,
): MatchQuery {
  return {
    from: [a.from.lng, a.from.lat],
    to: [a.to.lng, a.to.lat],
    date: a.date ?? null,
    weekdays: a.weekdays ?? [],
    timeMin: toMinutes(a.time),
    timeKind: a.timeKind,
    toleranceMin: a.toleranceMin ?? defaultToleranceMin,
    seats: a.seats,
    territoryIds,
    passengerId,
  };
}
