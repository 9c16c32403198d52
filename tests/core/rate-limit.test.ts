import type { Context } from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountKey, addressKey, countLoginAttempt, loginSucceeded } from '../../services/src/console/login-limit.ts';
import type { ConsoleOptions } from '../../services/src/console/options.ts';
import { hit, rateLimitKey } from '../../services/src/security/rate-limit.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.drop();
});

const client = (ip: string) => ({ ip }) as Context;

describe('per-address limits of the public pages', () => {
  it('count parallel hits atomically: exactly the limit gets through, whatever the interleaving', async () => {
    const limit = { name: 'form', max: 10, windowS: 600 };
    const answers = await Promise.allSettled(Array.from({ length: 40 }, () => hit(t.db, client('203.0.113.7'), limit)));
    expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(10);
    const refused = answers.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(refused).toHaveLength(30);
    for (const r of refused) expect(r.reason).toMatchObject({ status: 429, headers: { 'Retry-After': expect.stringMatching(/^\d+$/) } });
    const { rows } = await t.db.query<{ count: number }>('SELECT count FROM rate_limits WHERE key = $1', [rateLimitKey('form', '203.0.113.7')]);
    expect(rows).toEqual([{ count: 40 }]);
    // Another address and another action have their own counters.
    await expect(hit(t.db, client('203.0.113.8'), limit)).resolves.toBeUndefined();
    await expect(hit(t.db, client('203.0.113.7'), { ...limit, name: 'login' })).resolves.toBeUndefined();
  });
});

describe('windows anchored at the first hit', () => {
  // On a clock grid, a burst straddling a boundary was split over two windows: twice the limit got through.
  const key = rateLimitKey('form', '203.0.113.50');
  const limit = { name: 'form', max: 3, windowS: 3600 };
  const startedAgo = async (s: number, n: number) => {
    await t.db.query('DELETE FROM rate_limits WHERE key = $1', [key]);
    await t.db.query(`INSERT INTO rate_limits (key, window_start, count) VALUES ($1, now() - make_interval(secs => $2), $3)`, [key, s, n]);
  };

  it('keeps counting in a window that started 59 min 59 s ago, whatever the clock says', async () => {
    await startedAgo(3599, 3);
    await expect(hit(t.db, client('203.0.113.50'), limit)).rejects.toMatchObject({ status: 429, headers: { 'Retry-After': '1' } });
  });

  it('starts a new window at the first hit after the last one ended', async () => {
    await startedAgo(3601, 3);
    await expect(hit(t.db, client('203.0.113.50'), limit)).resolves.toBeUndefined();
    const { rows } = await t.db.query<{ count: number; fresh: boolean }>(
      `SELECT count, window_start > now() - interval '1 minute' AS fresh FROM rate_limits WHERE key = $1`,
      [key],
    );
    expect(rows).toEqual([{ count: 1, fresh: true }]);
  });
});

describe('console login counters', () => {
  const o = { loginMaxPerAccount: 5, loginMaxPerIp: 8, loginWindowMin: 15 } as ConsoleOptions;
  const count = async (key: string) =>
    (await t.db.query<{ n: number }>('SELECT COALESCE(sum(count), 0)::int AS n FROM rate_limits WHERE key = $1', [key])).rows[0].n;

  it('count the account and the address in one atomic step, before any password is checked', async () => {
    const tries = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => countLoginAttempt(t.db, o, 'a@test.fr', `198.51.100.${i}`)));
    expect(tries.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    for (const r of tries.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) expect(r.reason).toMatchObject({ status: 429 });
    expect(await count(accountKey('a@test.fr'))).toBe(20);
  });

  it('forget the account at a success and take the attempt back from the address', async () => {
    for (let i = 0; i < 3; i++) await countLoginAttempt(t.db, o, 'b@test.fr', '198.51.100.200');
    const ok = await countLoginAttempt(t.db, o, 'b@test.fr', '198.51.100.200');
    await loginSucceeded(t.db, ok);
    expect(await count(accountKey('b@test.fr'))).toBe(0);
    expect(await count(addressKey('198.51.100.200'))).toBe(3);
    // The address limit (8) still counts the three failures: five more attempts, then 429.
    for (let i = 0; i < 5; i++) await countLoginAttempt(t.db, o, `c${i}@test.fr`, '198.51.100.200');
    await expect(countLoginAttempt(t.db, o, 'd@test.fr', '198.51.100.200')).rejects.toMatchObject({ status: 429 });
  });
});
