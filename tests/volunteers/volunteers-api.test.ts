import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../services/src/domain/tokens.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let territoryId: number;
let other: number;

const HOME = { lng: 1.5296, lat: 44.5911 };

beforeAll(async () => {
  srv = await startServer();
  territoryId = (await srv.api('POST', '/api/territories', { slug: 'benevoles', name: 'Bénévoles (test)' })).body.id;
  other = (await srv.api('POST', '/api/territories', { slug: 'ailleurs', name: 'Ailleurs' })).body.id;
});
afterAll(async () => srv?.close());

async function person(tid = territoryId, extra: object = {}) {
  const r = await srv.api('POST', '/api/people', { territoryId: tid, isPassenger: true, firstName: 'Gilberte', lastName: 'Inventée', ...extra });
  expect(r.status).toBe(201);
  return r.body.id as number;
}

const volunteer = (personId: number, extra: object = {}) => ({
  personId,
  home: HOME,
  homeLabel: '3 route du Lac, Labastide (inventé)',
  maxKm: 40,
  seats: 3,
  wheelchair: false,
  purposes: ['health', 'shopping'],
  slots: [
    { weekday: 2, start: '08:00', end: '12:00' },
    { weekday: 2, start: '14:00', end: '18:00' },
    { weekday: 4, start: '13:00', end: '24:00' },
  ],
  exceptions: [{ dateFrom: '2026-12-21', dateTo: '2027-01-03', available: false, note: 'vacances chez sa fille' }],
  ...extra,
});

describe('/api/volunteers', () => {
  it('makes a person a volunteer driver, reads them back with slots and exceptions, audited', async () => {
    const pid = await person();
    const made = await srv.api('POST', '/api/volunteers', volunteer(pid));
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      id: pid,
      personId: pid,
      territoryId,
      home: HOME,
      maxKm: 40,
      maxMinutes: null,
      purposes: ['health', 'shopping'],
      firstName: 'Gilberte',
      slots: [
        { weekday: 2, start: '08:00', end: '12:00' },
        { weekday: 2, start: '14:00', end: '18:00' },
        { weekday: 4, start: '13:00', end: '24:00' },
      ],
      exceptions: [{ dateFrom: '2026-12-21', dateTo: '2027-01-03', available: false, start: null, end: null, note: 'vacances chez sa fille' }],
    });
    // The person drives now.
    expect((await srv.api('GET', `/api/people/${pid}`)).body.isDriver).toBe(true);
    const res = await fetch(`${srv.url}/api/volunteers/${pid}`, {
      headers: { authorization: 'Bearer test-admin-token-0123456789', 'x-access-reason': `volunteer:${pid}` },
    });
    expect(res.status).toBe(200);
    const audit = await srv.testDb.db.query<{ fields: string[]; reason: string | null }>(
      `SELECT fields, reason FROM audit_log WHERE subject_type = 'person' AND subject_id = $1 AND action = 'read_personal' ORDER BY id`,
      [pid],
    );
    expect(audit.rows.at(-1)).toMatchObject({ reason: `volunteer:${pid}` });
    expect(audit.rows.at(-1)!.fields).toEqual(expect.arrayContaining(['home', 'homeLabel', 'lastName']));
    // Twice is a conflict: change them instead.
    const again = await srv.api('POST', '/api/volunteers', volunteer(pid));
    expect(again.status).toBe(409);
    expect(again.body.fields[0].field).toBe('personId');
  });

  it('lists them with filters; a viewer gets the home to two decimals and no names nor notes', async () => {
    const pid = await person(territoryId, { firstName: 'Anatole' });
    await srv.api('POST', '/api/volunteers', volunteer(pid, { wheelchair: true, purposes: ['work'], slots: [{ weekday: 5, start: '09:00', end: '11:00' }] }));
    const list = await srv.api('GET', `/api/volunteers?filter=${encodeURIComponent(JSON.stringify({ wheelchair: true }))}`);
    expect(list.status).toBe(200);
    expect(list.body.map((v: { id: number }) => v.id)).toEqual([pid]);
    const friday = await srv.api('GET', `/api/volunteers?filter=${encodeURIComponent(JSON.stringify({ weekday: 5, purpose: 'work' }))}`);
    expect(friday.body.map((v: { id: number }) => v.id)).toEqual([pid]);
    expect(list.headers.get('content-range')).toMatch(/^volunteers 0-0\/1$/);
    const { token } = await createToken(srv.booted.services.db, { label: 'viewer', role: 'viewer', territoryId });
    const seen = await srv.api('GET', `/api/volunteers/${pid}`, undefined, token);
    expect(seen.status).toBe(200);
    expect(seen.body.home).toEqual({ lng: 1.53, lat: 44.59 });
    expect(seen.body.homeLabel).toBeNull();
    expect(seen.body.firstName).toBeUndefined();
    expect(seen.body.exceptions[0].note).toBeNull();
    expect((await srv.api('GET', `/api/volunteers?filter=${encodeURIComponent('{"q":"Ana"}')}`, undefined, token)).status).toBe(400);
    expect((await srv.api('POST', '/api/volunteers', volunteer(await person()), token)).status).toBe(403);
    // Another territory's coordinator does not see them.
    const { token: elsewhere } = await createToken(srv.booted.services.db, { label: 'other', role: 'coordinator', territoryId: other });
    expect((await srv.api('GET', `/api/volunteers/${pid}`, undefined, elsewhere)).status).toBe(404);
    expect((await srv.api('GET', '/api/volunteers', undefined, elsewhere)).body).toEqual([]);
  });

  it('changes the fields given, replacing slots and exceptions; removes a volunteer with no trips', async () => {
    const pid = await person();
    await srv.api('POST', '/api/volunteers', volunteer(pid));
    const changed = await srv.api('PUT', `/api/volunteers/${pid}`, {
      maxKm: null,
      maxMinutes: 45,
      slots: [{ weekday: 1, start: '07:30', end: '09:00' }],
      exceptions: [{ dateFrom: '2026-12-05', dateTo: '2026-12-05', available: true, start: '10:00', end: '16:00' }],
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      maxKm: null,
      maxMinutes: 45,
      homeLabel: '3 route du Lac, Labastide (inventé)',
      slots: [{ weekday: 1, start: '07:30', end: '09:00' }],
      exceptions: [{ dateFrom: '2026-12-05', available: true, start: '10:00', end: '16:00', note: null }],
    });
    const gone = await srv.api('DELETE', `/api/volunteers/${pid}`);
    expect(gone.status).toBe(200);
    expect((await srv.api('GET', `/api/volunteers/${pid}`)).status).toBe(404);
  });

  it('refuses bad input with the field and the reason, never a 500', async () => {
    const pid = await person();
    const cases: [object, string][] = [
      [{ ...volunteer(pid), home: { lng: 500, lat: 44 } }, 'home.lng'],
      [{ ...volunteer(pid), maxKm: null, maxMinutes: null }, 'maxKm'],
      [{ ...volunteer(pid), maxKm: -3 }, 'maxKm'],
      [{ ...volunteer(pid), purposes: ['dancing'] }, 'purposes.0'],
      [{ ...volunteer(pid), purposes: [] }, 'purposes'],
      [{ ...volunteer(pid), seats: 0 }, 'seats'],
      [{ ...volunteer(pid), slots: [{ weekday: 8, start: '08:00', end: '09:00' }] }, 'slots.0.weekday'],
      [{ ...volunteer(pid), slots: [{ weekday: 1, start: '10:00', end: '09:00' }] }, 'slots.0.end'],
      [{ ...volunteer(pid), slots: [{ weekday: 1, start: '08:00', end: '25:00' }] }, 'slots.0.end'],
      [{ ...volunteer(pid), slots: [{ weekday: 1, start: '08:00', end: '12:00' }, { weekday: 1, start: '11:00', end: '13:00' }] }, 'slots.1'],
      [{ ...volunteer(pid), exceptions: [{ dateFrom: '2026-12-10', dateTo: '2026-12-01' }] }, 'exceptions.0.dateTo'],
      [{ ...volunteer(pid), exceptions: [{ dateFrom: '2026-02-30', dateTo: '2026-03-01' }] }, 'exceptions.0.dateFrom'],
      [{ ...volunteer(pid), exceptions: [{ dateFrom: '2026-12-01', dateTo: '2026-12-01', start: '10:00' }] }, 'exceptions.0.end'],
      [{ ...volunteer(999999) }, 'personId'],
      [{ ...volunteer(pid), personId: 'x' }, 'personId'],
    ];
    for (const [body, field] of cases) {
      const r = await srv.api('POST', '/api/volunteers', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.fields.map((f: { field: string }) => f.field), JSON.stringify(r.body)).toContain(field);
    }
    // A coordinator cannot make a volunteer of another territory's person.
    const { token } = await createToken(srv.booted.services.db, { label: 'coordinator', role: 'coordinator', territoryId });
    const foreign = await srv.api('POST', '/api/volunteers', volunteer(await person(other)), token);
    expect(foreign.status).toBe(400);
    expect(foreign.body.fields[0].field).toBe('personId');
    expect((await srv.api('GET', '/api/volunteers/abc')).status).toBe(400);
    expect((await srv.api('PUT', '/api/volunteers/424242', { maxKm: 3 })).status).toBe(404);
    expect((await srv.api('GET', `/api/volunteers?filter=${encodeURIComponent('{"weekday":9}')}`)).status).toBe(400);
  });
});
