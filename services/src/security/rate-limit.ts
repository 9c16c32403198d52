import crypto from 'node:crypto';
import type { Context } from 'koa';
import type { Queryable } from '@comobi/db';
import { HttpError } from '../http/errors.ts';

export interface RateLimit {
  /** Name of the limited action ("form", "login"). */
  name: string;
  max: number;
  windowS: number;
}

/**
 * The counted value (a client address, an e-mail) is personal data: only a hash of it is stored, with the action
 * name.
 */
export const rateLimitKey = (name: string, value: string) =>
  `${name}:${crypto.createHash('sha256').update(`comobi:${value}`).digest('hex').slice(0, 32)}`;

export interface Counted {
  key: string;
  count: number;
  /** Start of the window the hit was counted in (as PostgreSQL wrote it), and seconds until it ends. */
  windowStart: string;
  resetS: number;
}

/**
 * Counts one hit under each key and returns the new counts. A key's window starts at its first hit and lasts
 * `windowS`; the first hit after it starts a new one. One INSERT … ON CONFLICT DO UPDATE: the row lock makes
 * concurrent hits (from any replica) each see a distinct count, so that N parallel requests cannot all read "below
 * the limit" before any of them is counted.
 */
export async function countHits(db: Queryable, keys: string[], windowS: number): Promise<Counted[]> {
  // Keys are inserted in the caller's order: every caller passes its keys in one fixed order (no lock cycle).
  const { rows } = await db.query<{ key: string; count: number; window_start: string; reset_s: number }>(
    `INSERT INTO rate_limits (key, window_start, count)
     SELECT k, now(), 1 FROM unnest($1::text[]) WITH ORDINALITY AS t(k, i)
     ORDER BY i
     ON CONFLICT (key) DO UPDATE SET
       window_start = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => $2::float8) THEN now()
                           ELSE rate_limits.window_start END,
       count = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => $2::float8) THEN 1
                    ELSE rate_limits.count + 1 END
     RETURNING key, count, window_start::text AS window_start,
       ceil(extract(epoch FROM window_start) + $2 - extract(epoch FROM now()))::int AS reset_s`,
    [keys, windowS],
  );
  return keys.map((k) => {
    const r = rows.find((x) => x.key === k)!;
    return { key: k, count: r.count, windowStart: r.window_start, resetS: Math.max(1, r.reset_s) };
  });
}

/**
 * Counts one hit of the action for the client in its current window, in the database so that every replica
 * sees the same counts. Throws 429 past the limit.
 */
export async function hit(db: Queryable, ctx: Context, limit: RateLimit): Promise<void> {
  const [{ count, resetS }] = await countHits(db, [rateLimitKey(limit.name, ctx.ip || 'unknown')], limit.windowS);
  if (count > limit.max) {
    throw new HttpError(429, 'too_many_requests', 'too many requests, try again later', [], { 'Retry-After': String(resetS) });
  }
}


