import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicPlugin } from '../../services/src/public/plugin.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

/** The rights on a volunteer's data: the export holds their home and notes, the erasure removes them. */
let srv: TestServer;
let territoryId: number;
const HOME = { lng: 1.5296, lat: 44.5911 };

beforeAll(async () => {
  srv = await startServer({ plugins: () => [publicPlugin({ RETENTION_JOB: 'off' })] });
  territoryId = (await srv.api('POST', '/api/territories', { slug: 'vie-privee', name: 'Vie privée' })).body.id;
});
afterAll(async () => srv?.close());

async function person(tid: number, extra: object) {
  const r = await srv.api('POST', '/api/people', { territoryId: tid, isPassenger: true, ...extra });
  expect(r.status).toBe(201);
  return r.body.id as number;
}
const volunteer = (personId: number, extra: object) => ({ personId, home: HOME, maxKm: 30, slots: [{ weekday: 2, start: '08:00', end: '12:00' }], ...extra });

describe('a volunteer’s personal data', () => {
  it('is in the person’s export, and gone with the erasure (home, address, notes) while their trips keep their figures', async () => {
    const pid = await person(territoryId, { firstName: 'Eulalie', lastName: 'Effacée' });
    await srv.api('POST', '/api/volunteers', volunteer(pid, { homeLabel: '7 impasse des Secrets', exceptions: [{ dateFrom: '2027-01-04', dateTo: '2027-01-08', note: 'opération de la hanche' }] }));
    const exported = await srv.api('GET', `/api/people/${pid}/export`);
    expect(exported.status).toBe(200);
    expect(JSON.stringify(exported.body)).toContain('7 impasse des Secrets');
    expect(JSON.stringify(exported.body)).toContain('opération de la hanche');
    expect((await srv.api('POST', `/api/people/${pid}/erase`)).status).toBe(200);
    const left = await srv.testDb.db.query(
      `SELECT (SELECT count(*)::int FROM volunteers WHERE person_id = $1) AS v, (SELECT count(*)::int FROM volunteer_exceptions WHERE volunteer_id = $1) AS e`,
      [pid],
    );
    expect(left.rows[0]).toEqual({ v: 0, e: 0 });
    expect((await srv.api('GET', `/api/volunteers/${pid}`)).status).toBe(404);
  });
});
