import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({ demo: true });
}, 300_000);
afterAll(async () => srv?.close());

const one = async <T = any>(sql: string) => (await srv.testDb.db.query<any>(sql)).rows[0] as T;

it('the demo runs under the TUS rules: the Lot’s urban units, the option on, passengers of eligible communes recorded', async () => {
  const lot = (await one(`SELECT id FROM territories WHERE slug = 'lot'`)).id;
  expect(await one('SELECT count(*)::int AS communes, count(unit_code)::int AS in_units FROM commune_urban_units')).toEqual({ communes: 320, in_units: 14 });
  expect((await srv.api('GET', `/api/tus/settings/${lot}`)).body).toMatchObject({ enabled: true, memberFeeEur: 10, requireMembership: true });
  const b = await one(`SELECT count(*)::int AS n, bool_and(by_residence) AS residence FROM tus_beneficiaries`);
  expect(b.residence).toBe(true);
  // Every passenger recorded lives outside Cahors's and Figeac's units; and some passengers do live there.
  expect(await one(`SELECT count(*)::int AS n FROM tus_beneficiaries b JOIN commune_urban_units c ON c.insee = b.residence_insee
    JOIN urban_units u ON u.code = c.unit_code WHERE NOT u.small`)).toEqual({ n: 0 });
  const all = await one(`SELECT count(*)::int AS n FROM people WHERE is_passenger AND commune_insee IS NOT NULL`);
  expect(b.n).toBeGreaterThan(0);
  expect(b.n).toBeLessThan(all.n);
  expect(await one(`SELECT count(*)::int AS n FROM tus_memberships WHERE year = extract(year FROM now())::int`)).toEqual({ n: b.n });
  // A demo request of a passenger with no record shows the eligibility rule.
  const r = await one(`SELECT r.id FROM requests r WHERE NOT EXISTS (SELECT 1 FROM tus_beneficiaries b WHERE b.person_id = r.passenger_id) ORDER BY r.id LIMIT 1`);
  const c = (await srv.api('GET', `/api/requests/${r.id}/tus`)).body;
  expect(c.applies).toBe(true);
  expect(c.violations.map((v: any) => v.rule)).toContain('eligibility');
});
