import type { Context } from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
