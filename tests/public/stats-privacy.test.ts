import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../services/src/domain/tokens.ts';
import { runRetention } from '../../services/src/privacy/retention.ts';
import { startPublic, type PublicServer } from './helpers.ts';

let srv: PublicServer;
let t: number;
let other: number;
const ids: Record<string, number> = {};

/**
 * A small territory with known counts: January 2025 has 7 requests (6 served through done matches, 1 unserved),
 * February 2025 has 3 unserved requests.
 */
beforeAll(async () => {
  srv = await startPublic();
  const db = srv.testDb.db;
  t = (await db.query<{ id: number }>(`INSERT INTO territories (slug, name, coordinator_phone) VALUES ('petit', 'Petit', '05 00 00 00 00') RETURNING id`)).rows[0].id;
  other = (await db.query<{ id: number }>(`INSERT INTO territories (slug, name) VALUES ('autre', 'Autre') RETURNING id`)).rows[0].id;
  await db.query(`INSERT INTO communes (insee, name, territory_id, geom, centroid) VALUES ('99001', 'Testville', $1,
    ST_Multi(ST_MakeEnvelope(1.0, 44.0, 1.2, 44.2, 4326)), ST_SetSRID(ST_MakePoint(1.1, 44.1), 4326))`, [t]);
  const person = async (driver: boolean, name: string) => {
    const id = (await db.query<{ id: number }>(`INSERT INTO people (territory_id, is_driver, is_passenger, home, created_at)
      VALUES ($1, $2, NOT $2, ST_SetSRID(ST_MakePoint(1.05, 44.05), 4326), '2025-01-05') RETURNING id`, [t, driver])).rows[0].id;
    await db.query(`INSERT INTO person_identities (person_id, first_name, last_name, phone) VALUES ($1, $2, 'Essai', '0600000000')`, [id, name]);
    return id;
  };
  ids.driver = await person(true, 'Dora');
  ids.trip = (await db.query<{ id: number }>(`INSERT INTO trips (territory_id, driver_id, kind, weekdays, departure_min, origin, destination,
      origin_label, route, distance_m, duration_s) VALUES ($1, $2, 'regular', '{1,2,3,4,5}', 480, ST_SetSRID(ST_MakePoint(1.01, 44.01), 4326),
      ST_SetSRID(ST_MakePoint(1.19, 44.19), 4326), 'Chez Dora', ST_SetSRID(ST_MakeLine(ST_MakePoint(1.01, 44.01), ST_MakePoint(1.19, 44.19)), 4326), 25000, 1500)
      RETURNING id`, [t, ids.driver])).rows[0].id;
  const request = async (name: string, date: string, status: string, reason: string | null) => {
    const pid = await person(false, name);
    const rid = (await db.query<{ id: number }>(`INSERT INTO requests (territory_id, passenger_id, from_point, to_point, from_label, date, time_min,
        time_kind, purpose, status, unserved_reason, note) VALUES ($1, $2, ST_SetSRID(ST_MakePoint(1.02, 44.02), 4326),
        ST_SetSRID(ST_MakePoint(1.18, 44.18), 4326), 'Chez ' || $6, $3, 480, 'depart', 'health', $4, $5, 'appeler après 18 h') RETURNING id`,
      [t, pid, date, status, reason, name])).rows[0].id;
    if (status === 'served') {
      await db.query(`INSERT INTO matches (territory_id, request_id, trip_id, date, pickup, dropoff, pickup_min, dropoff_min, detour_m, detour_s, score, status)
        VALUES ($1, $2, $3, $4, ST_SetSRID(ST_MakePoint(1.02, 44.02), 4326), ST_SetSRID(ST_MakePoint(1.18, 44.18), 4326), 480, 500, 100, 10, 0.9, 'done')`,
        [t, rid, ids.trip, date]);
    }
    return pid;
  };
  for (let i = 0; i < 6; i++) ids[`served${i}`] = await request(`Servi${i}`, '2025-01-15', 'served', null);
  ids.unservedJan = await request('NonServi', '2025-01-20', 'unserved', 'no_driver');
  for (let i = 0; i < 3; i++) ids[`feb${i}`] = await request(`Fevrier${i}`, '2025-02-10', 'unserved', 'no_seat');
});
afterAll(async () => {
  await srv?.close();
});

const stats = async (q: string) => (await srv.api('GET', `/api/stats?${q}`, undefined, null)).body;

describe('public statistics', () => {
  it('answers without authentication, hides counts below 5 and rounds the others', async () => {
    const jan = await stats('territory=petit&from=2025-01&to=2025-01');
    expect(jan.indicators).toMatchObject({ requests: 5, requestsServed: 5, servedSharePct: 100, tripsDone: 5, passengersCarried: 5 });
    expect(jan.indicators.sharedKm).toBeGreaterThan(0);
    expect(jan.indicators.co2AvoidedKg).toBeGreaterThan(0);
    expect(jan.emissionFactor.source).toContain('ADEME');
    expect(jan.unservedByReason.find((r: { reason: string }) => r.reason === 'no_driver').count).toBeNull();
    expect(jan.byCommune).toEqual([{ insee: '99001', name: 'Testville', requests: 5, served: 5, unserved: null }]);
    const feb = await stats('territory=petit&from=2025-02&to=2025-02');
    expect(feb.indicators.requests).toBeNull();
    expect(feb.indicators.servedSharePct).toBeNull();
    expect(feb.indicators.sharedKm).toBeNull();
  });

  it('lets no combination of filters reveal a small count', async () => {
    // February alone has 3 requests: neither the two-month total minus January, nor a day-wide window, tells it.
    const both = await stats('territory=petit&from=2025-01&to=2025-02');
    const jan = await stats('territory=petit&from=2025-01&to=2025-01');
    expect(both.indicators.requests - jan.indicators.requests).not.toBe(3);
    const day = await stats('territory=petit&from=2025-02-10&to=2025-02-10');
    expect(day.from).toBe('2025-02-01');
    expect(day.to).toBe('2025-02-28');
    const all = await stats('from=2025-01&to=2025-02');
    for (const body of [both, jan, day, all]) {
      const counts = [
        ...Object.entries(body.indicators).filter(([k]) => !['servedSharePct', 'sharedKm', 'co2AvoidedKg'].includes(k)).map(([, v]) => v),
        ...body.requestsByPurpose.map((x: { count: number | null }) => x.count),
        ...body.unservedByReason.map((x: { count: number | null }) => x.count),
        ...body.byMonth.flatMap((x: { requests: number | null; served: number | null }) => [x.requests, x.served]),
        ...body.byCommune.flatMap((x: { requests: number | null; served: number | null; unserved: number | null }) => [x.requests, x.served, x.unserved]),
      ];
      for (const c of counts) expect(c === null || (c >= 5 && c % 5 === 0)).toBe(true);
    }
  });

  it('exports CSV with "< 5", and refuses bad parameters with the field named', async () => {
    const res = await fetch(`${srv.url}/api/stats?territory=petit&from=2025-01&to=2025-02&format=csv`);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const csv = await res.text();
    expect(csv).toContain('indicator,requests,,10');
    expect(csv).toContain('requests_by_month,2025-02,,< 5');
    for (const [q, field] of [['from=2025-13', 'from'], ['from=2025-03&to=2025-01', 'to'], ['format=xml', 'format'], ['territory=Bad!', 'territory']]) {
      const r = await srv.api('GET', `/api/stats?${q}`, undefined, null);
      expect(r.status).toBe(400);
      expect(r.body.fields[0].field).toBe(field);
    }
    expect((await srv.api('GET', '/api/stats?territory=nulle-part', undefined, null)).status).toBe(404);
  });

  it('shows the page with the factor, the chart, the map and "< 5"', async () => {
    const res = await fetch(`${srv.url}/stats?territoire=petit&du=2025-01&au=2025-02`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain('ADEME');
    expect(text).toContain('class="comobi-chart"');
    expect(text).toContain('class="comobi-map"');
    expect(text).toContain('&lt; 5');
  });
});

describe('personal data rights', () => {
  it('exports a person for a coordinator of their territory only, and audits it', async () => {
    const coord = (await createToken(srv.testDb.db, { label: 'coord', role: 'coordinator', territoryId: t })).token;
    const foreign = (await createToken(srv.testDb.db, { label: 'foreign', role: 'coordinator', territoryId: other })).token;
    const viewer = (await createToken(srv.testDb.db, { label: 'viewer', role: 'viewer', territoryId: t })).token;
    const r = await srv.api('GET', `/api/people/${ids.served0}/export`, undefined, coord);
    expect(r.status).toBe(200);
    expect(r.body.identity.first_name).toBe('Servi0');
    expect(r.body.requests).toHaveLength(1);
    expect(r.body.matches).toHaveLength(1);
    expect(r.headers.get('content-disposition')).toContain('attachment');
    const audit = await srv.testDb.db.query(`SELECT actor FROM audit_log WHERE subject_id = $1 AND action = 'read_personal'`, [ids.served0]);
    expect(audit.rows.length).toBe(1);
    expect((await srv.api('GET', `/api/people/${ids.served0}/export`, undefined, foreign)).status).toBe(404);
    expect((await srv.api('GET', `/api/people/${ids.served0}/export`, undefined, viewer)).status).toBe(403);
    expect((await srv.api('POST', `/api/people/${ids.served0}/erase`, undefined, viewer)).status).toBe(403);
    expect((await srv.api('GET', '/api/people/abc/export', undefined, coord)).status).toBe(400);
  });

  it('erases a passenger and a driver without changing the statistics', async () => {
    const before = await stats('territory=petit&from=2025-01&to=2025-02');
    for (const id of [ids.served1, ids.driver]) {
      const r = await srv.api('POST', `/api/people/${id}/erase`);
      expect(r.status).toBe(200);
    }
    const db = srv.testDb.db;
    expect((await db.query('SELECT 1 FROM person_identities WHERE person_id = ANY($1)', [[ids.served1, ids.driver]])).rows).toHaveLength(0);
    const p = await db.query<{ anonymized_at: Date | null; home: string | null }>('SELECT anonymized_at, home FROM people WHERE id = $1', [ids.served1]);
    expect(p.rows[0].anonymized_at).not.toBeNull();
    expect(p.rows[0].home).toBeNull();
    const req = await db.query<{ from_label: string | null; note: string | null; x: number }>(
      'SELECT from_label, note, ST_X(from_point) AS x FROM requests WHERE passenger_id = $1', [ids.served1]);
    expect(req.rows[0]).toEqual({ from_label: null, note: null, x: 1.1 }); // blurred to the commune's centroid
    const trip = await db.query<{ active: boolean; origin_label: string | null }>('SELECT active, origin_label FROM trips WHERE id = $1', [ids.trip]);
    expect(trip.rows[0]).toEqual({ active: false, origin_label: null });
    const after = await stats('territory=petit&from=2025-01&to=2025-02');
    expect(after).toEqual(before);
    const exported = await srv.api('GET', `/api/people/${ids.served1}/export`);
    expect(exported.body.identity).toBeNull();
    expect(exported.body.person.anonymized_at).not.toBeNull();
  });

  it('anonymises people and requests inactive for the retention period, one replica at a time', async () => {
    const db = srv.testDb.db;
    await db.query(`UPDATE people SET updated_at = now() - interval '30 months' WHERE id = $1`, [ids.feb0]);
    await db.query(`UPDATE requests SET updated_at = now() - interval '30 months', date = (now() - interval '30 months')::date WHERE passenger_id = $1`, [ids.feb0]);
    // Another replica holds the job's lock: this one skips.
    const skipped = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(4620301)');
      return runRetention(db, 24);
    });
    expect(skipped.ran).toBe(false);
    const r = await runRetention(db, 24);
    expect(r.ran).toBe(true);
    expect(r.people).toBe(1);
    expect((await db.query('SELECT 1 FROM person_identities WHERE person_id = $1', [ids.feb0])).rows).toHaveLength(0);
    expect((await db.query('SELECT first_name FROM person_identities WHERE person_id = $1', [ids.feb1])).rows).toEqual([{ first_name: 'Fevrier1' }]);
    const req = await db.query<{ anonymized_at: Date | null }>('SELECT anonymized_at FROM requests WHERE passenger_id = $1', [ids.feb0]);
    expect(req.rows[0].anonymized_at).not.toBeNull();
    expect((await runRetention(db, 24)).people).toBe(0);
  });

  it('shows a privacy page listing data, purposes, retention and rights', async () => {
    const text = await (await fetch(`${srv.url}/confidentialite`)).text();
    for (const s of ['Données utilisées', 'Pourquoi', 'Combien de temps', '24 mois', 'Vos droits']) expect(text).toContain(s);
  });
});
