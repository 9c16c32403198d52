import type { Queryable } from '@comobi/db';
import { HttpError } from '../http/errors.ts';
import { countHits, rateLimitKey, type Counted } from '../security/rate-limit.ts';
import type { ConsoleOptions } from './options.ts';

const tooMany = (retryAfterS: number) =>
  new HttpError(429, 'too_many_attempts', 'too many failed logins; try again later', [], { 'Retry-After': String(retryAfterS) });

export const accountKey = (email: string) => rateLimitKey('console-login-account', email);
export const addressKey = (ip: string) => rateLimitKey('console-login-ip', ip);

export interface CountedAttempt {
  account: Counted;
  address: Counted;
}

/**
 * Counts the attempt against the account and the client address BEFORE the password is checked, in one atomic
 * statement: checking first and counting after the slow scrypt let 30 parallel guesses all read "0 failures" and
 * all be tried. Every attempt counts as a failure until it succeeds (see `loginSucceeded`). Throws 429 past either
 * limit, without checking the password. Counted in the database so that every replica applies the same limit.
 */
export async function countLoginAttempt(db: Queryable, o: ConsoleOptions, email: string, ip: string): Promise<CountedAttempt> {
  const [account, address] = await countHits(db, [accountKey(email), addressKey(ip)], o.loginWindowMin * 60);
  const over = [account.count > o.loginMaxPerAccount ? account : null, address.count > o.loginMaxPerIp ? address : null];
  const blocked = over.filter((c): c is Counted => c !== null);
  if (blocked.length) throw tooMany(Math.max(...blocked.map((c) => c.resetS)));
  return { account, address };
}

/**
 * The right password: the account's failures are forgotten (the limit counts failures since the last success) and
 * this attempt is taken back from the address, whose limit counts failures only.
 */
export async function loginSucceeded(db: Queryable, a: CountedAttempt): Promise<void> {
  await db.query('DELETE FROM rate_limits WHERE key = $1', [a.account.key]);
  await db.query(
    'UPDATE rate_limits SET count = greatest(count - 1, 0) WHERE key = $1 AND window_start = $2::timestamptz',
    [a.address.key, a.address.windowStart],
  );
}
