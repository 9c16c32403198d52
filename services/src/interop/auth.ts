import type { Context, Next } from 'koa';
import type { Principal } from '../auth/principal.ts';
import type { Db } from '@comobi/db';
import { resolveToken } from '../domain/tokens.ts';
import { HttpError, unauthorized } from '../http/errors.ts';

export interface Operator extends Principal {
  tokenId: number;
  /** The api_tokens label: the name bookings are filed under. */
  operator: string;
}

const WINDOW_S = 60;

/**
 * API keys of operators are api_tokens with role 'integration' (one territory each), sent as `X-API-Key` or as a
 * bearer token. Then a fixed-window counter per key: 429 with Retry-After beyond the limit.
 */
export function operatorAuth(db: Db, limitPerMin: number) {
  return async (ctx: Context, next: Next) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
    const key = ctx.get('x-api-key') || bearer;
    if (!key) throw unauthorized('an API key is required (X-API-Key header or Authorization: Bearer)');
    const t = await resolveToken(db, key);
    if (!t) throw unauthorized('invalid or revoked API key');
    // The standard documents 401 ("you must authenticate") and no 403: another role's key is no key here.
    if (t.role !== 'integration') throw unauthorized('this key is not an interoperability key (role integration)');
    const hit = await db.query<{ hits: number; left_s: number }>(
      `INSERT INTO interop_rate_counters (token_id, window_start, hits)
       VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / $2) * $2), 1)
       ON CONFLICT (token_id, window_start) DO UPDATE SET hits = interop_rate_counters.hits + 1
       RETURNING hits, (extract(epoch FROM window_start) + $2 - extract(epoch FROM now()))::float8 AS left_s`,
      [t.id, WINDOW_S],
    );
    const { hits, left_s } = hit.rows[0];
    ctx.set('X-RateLimit-Limit', String(limitPerMin));
    ctx.set('X-RateLimit-Remaining', String(Math.max(0, limitPerMin - hits)));
    if (hits === 1 && Math.random() < 0.05) {
      // Old windows are useless: pruned now and then by whichever replica opens a new one.
      await db.query(`DELETE FROM interop_rate_counters WHERE window_start < now() - interval '1 hour'`);
    }
    if (hits > limitPerMin) {
      throw new HttpError(429, 'too_many_requests', `rate limit of ${limitPerMin} requests per minute reached`, [], {
        'Retry-After': String(Math.max(1, Math.ceil(left_s))),
      });
    }
    const op: Operator = { actor: `token:${t.id}`, role: 'integration', territoryIds: [t.territoryId!], tokenId: t.id, operator: t.label };
    ctx.state.principal = op;
    return next();
  };
}

export const operatorOf = (ctx: Context) => ctx.state.principal as Operator;
