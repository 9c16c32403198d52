import crypto from 'node:crypto';
import type { Context } from 'koa';
import type { Queryable } from '../db/index.ts';
import { HttpError } from '../http/errors.ts';

export interface RateLimit {
  /** Name of the limited action ("form", "login"). */
  name: string;
  max: number;
  windowS: number;
}

/** The client address is personal data: only a hash of it is stored, with the action name. */
const keyOf = (name: string, ip: string) => `${name}:${crypto.createHash('sha256').update(`comobi:${ip}`).digest('hex').slice(0, 32)}`;

/**
 * Counts one hit of the action for the client in the current fixed window, in the database so that every replica
 * sees the same counts. Throws 429 past the limit.
 */
export async function hit(db: Queryable, ctx: Context, limit: RateLimit): Promise<void> {
  const { rows } = await db.query<{ count: number; reset_s: number }>(
    `INSERT INTO rate_limits (key, window_start, count)
     VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / $2) * $2), 1)
     ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
     RETURNING count, ceil(extract(epoch FROM window_start) + $2 - extract(epoch FROM now()))::int AS reset_s`,
    [keyOf(limit.name, ctx.ip || 'unknown'), limit.windowS],
  );
  const { count, reset_s } = rows[0];
  if (count > limit.max) {
    throw new HttpError(429, 'too_many_requests', 'too many requests, try again later', [], { 'Retry-After': String(Math.max(1, reset_s)) });
  }
}

/** Old windows are useless: removed by the daily job. */
export async function purgeRateLimits(db: Queryable): Promise<number> {
  const r = await db.query(`DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'`);
  return r.rowCount;
}
