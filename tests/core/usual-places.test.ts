import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../services/src/domain/tokens.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let lot: number;
let other: number;
let coordinator: string;
let marie: number;
let paul: number;
let stranger: number;

const HOSPITAL = { lng: 1.4432, lat: 44.4536 };
const HOME = { lng: 1.4951, lat: 44.4712 };

const search = (q: string, extra = '') =>
  srv.api('GET', `/api/places/search?q=${encodeURIComponent(q)}&territoryId=${lot}${extra}`, undefined, coordinator);

beforeAll(async () => {
  srv = await startServer();
  const db = srv.booted.services.db;
  const one = async (sql: string, params: unknown[]) => (await db.query<{ id: number }>(sql, params)).rows[0].id;
  lot = await one('INSERT INTO territories (slug, name) VALUES ($1, $2) RETURNING id', ['lot-habitudes', 'Lot']);
  other = await one('INSERT INTO territories (slug, name) VALUES ($1, $2) RETURNING id', ['ailleurs-habitudes', 'Ailleurs']);
  // Two communes, enough for the gazetteer to have its own answers to "ca".
  await db.query(`INSERT INTO communes (insee, name, territory_id, population, geom, centroid) VALUES
    ('46042', 'Cahors', $1, 19000, ST_Multi(ST_MakeEnvelope(1.40, 44.40, 1.48, 44.48, 4326)), ST_SetSRID(ST_MakePoint(1.44, 44.44), 4326)),
    ('46044', 'Caillac', $1, 600, ST_Multi(ST_MakeEnvelope(1.48, 44.46, 1.52, 44.50, 4326)), ST_SetSRID(ST_MakePoint(1.50, 44.48), 4326))`, [lot]);
  coordinator = (await createToken(db, { label: 'c', role: 'coordinator', territoryId: lot })).token;
  const person = async (t: number, first: string) => {
    const r = await srv.api('POST', '/api/people', { territoryId: t, isPassenger: true, firstName: first });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as number;
  };
  marie = await person(lot, 'Marie');
  paul = await person(lot, 'Paul');
  stranger = await person(other, 'Ailleurs');
  const request = async (passengerId: number, from: object, fromLabel: string, to: object, toLabel: string, toSource = 'address') => {
    const r = await srv.api('POST', '/api/requests', {
      territoryId: lot, passengerId, from, to, fromLabel, toLabel, fromSource: 'address', toSource, date: '2026-12-15', time: '09:00',
      timeKind: 'arrive', toleranceMin: 30, storeProposals: false,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  };
  // Marie goes to the hospital twice from home, to the pharmacy once; Paul has his own places.
  await request(marie, HOME, '12 rue des Lilas, Caillac', HOSPITAL, 'Centre hospitalier, 335 rue du Président Wilson, Cahors');
  await request(marie, HOME, '12 rue des Lilas, Caillac', HOSPITAL, 'Centre hospitalier, 335 rue du Président Wilson, Cahors');
  await request(marie, HOME, '12 rue des Lilas, Caillac', { lng: 1.441, lat: 44.447 }, 'Pharmacie du Marché, Cahors', 'place');
  await request(paul, { lng: 1.45, lat: 44.45 }, 'Résidence des Capucins, Cahors', HOSPITAL, 'Cabinet médical, Cahors');
});
afterAll(async () => srv?.close());

describe('a known caller’s usual places', () => {
  it('come first, the most used first, with the point and the source they were stored with', async () => {
    const r = await search('ca', `&personId=${marie}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const s = r.body.suggestions;
    expect(s.slice(0, 3).map((x: any) => x.kind)).toEqual(['usual', 'usual', 'usual']);
    // Home (3 requests), the hospital (2), the pharmacy (1).
    expect(s.slice(0, 3).map((x: any) => x.label)).toEqual(['12 rue des Lilas, Caillac', 'Centre hospitalier, 335 rue du Président Wilson, Cahors', 'Pharmacie du Marché, Cahors']);
    expect(s[1]).toMatchObject({ pointSource: 'address', insee: '46042' });
    expect(s[1].lng).toBeCloseTo(HOSPITAL.lng, 6);
    expect(s[1].lat).toBeCloseTo(HOSPITAL.lat, 6);
    expect(s.find((x: any) => x.label === 'Pharmacie du Marché, Cahors').pointSource).toBe('place');
    // The gazetteer's own answers follow; Paul's places are not Marie's.
    expect(s.slice(3).map((x: any) => x.label)).toEqual(expect.arrayContaining(['Cahors', 'Caillac']));
    expect(s.map((x: any) => x.label)).not.toContain('Résidence des Capucins, Cahors');
  });

  it('match the text typed like every place (accents and case aside), and are absent without a person', async () => {
    const r = await search('PHARMA', `&personId=${marie}`);
    expect(r.body.suggestions.map((x: any) => x.label)).toEqual(['Pharmacie du Marché, Cahors']);
    const hosp = await search('hosp president', `&personId=${marie}`);
    expect(hosp.body.suggestions.map((x: any) => x.label)).toEqual(['Centre hospitalier, 335 rue du Président Wilson, Cahors']);
    const anon = await search('ca');
    expect(anon.body.suggestions.some((x: any) => x.kind === 'usual')).toBe(false);
    expect(anon.body.suggestions[0].label).toBe('Cahors');
  });

  it('are a personal read: audited when shown; another territory’s person is refused with the field', async () => {
    const before = await srv.booted.services.db.query(`SELECT 1 FROM audit_log WHERE subject_type = 'person' AND subject_id = $1 AND 'usualPlaces' = ANY(fields)`, [marie]);
    await search('lilas', `&personId=${marie}`);
    const after = await srv.booted.services.db.query(`SELECT 1 FROM audit_log WHERE subject_type = 'person' AND subject_id = $1 AND 'usualPlaces' = ANY(fields)`, [marie]);
    expect(after.rows.length).toBe(before.rows.length + 1);
    const refused = await search('ca', `&personId=${stranger}`);
    expect(refused.status).toBe(400);
    expect(refused.body.fields[0].field).toBe('personId');
    const bad = await search('ca', '&personId=abc');
    expect(bad.status).toBe(400);
    expect(bad.body.fields[0].field).toBe('personId');
  });
});
