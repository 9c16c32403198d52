import { z } from 'zod';
import { invalidFields } from './errors.ts';
import { ID_RANGE_REASON, INT4_MAX } from './input-guard.ts';

/** Validation happens at the boundary only; inside, types are trusted. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw invalidFields(
    r.error.issues.map((i) => ({
      field: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(body)',
      reason: i.message,
    })),
  );
}

export const lng = z
  .number()
  .min(-180, 'longitude must be between -180 and 180')
  .max(180, 'longitude must be between -180 and 180');
export const lat = z
  .number()
  .min(-90, 'latitude must be between -90 and 90')
  .max(90, 'latitude must be between -90 and 90');
export const point = z.object({ lng, lat }, { error: 'expected an object {lng, lat}' });

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'not a calendar date');

export const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time HH:MM (00:00 to 23:59)');

export const weekdays = z
  .array(
    z.number().int().min(1, 'weekdays are 1 (Monday) to 7 (Sunday)').max(7, 'weekdays are 1 (Monday) to 7 (Sunday)'),
  )
  .max(7)
  .refine((a) => new Set(a).size === a.length, 'weekdays must not repeat');

/**
 * A record id in a path: decimal digits only (a coercion to number took `0x10` for 16 and `1e1` for 10), within
 * PostgreSQL `integer` (beyond it the database refused the query without naming the field).
 */
export const id = z
  .string()
  .regex(/^[0-9]+$/, 'expected an id in decimal digits')
  .transform(Number)
  .refine((n) => n >= 1 && n <= INT4_MAX, ID_RANGE_REASON);

