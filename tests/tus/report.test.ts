import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StraightLineRouter } from '../../services/src/routing/straight-line.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

/**
 * A seeded year, counted by hand. Territory « Causse », 2025:
 *   drivers D1 (trip of 3 seats) and D2 (2 seats) drive 4 trips done: 10, 20, 30 and 40 km (passenger distance);
 *   D3 drove one trip done on 31/12/2024 (another year), D1 one confirmed but not done (not counted);
 *   passengers P1 (by residence), P2 (by resources), P3 (both), P4 (no record);
 *   members of 2025: P1 (10 €), P2 (10 €), P3 (5 €); P4 was a member in 2024 only; one exception recorded (P4's trip).
 *   volunteer V1 (3 seats, registered) drives P2 on 01/10/2025 (volunteer match): 20 km for P2, 40 km home → home,
 *   participation 6,40 €; D1's two trips asked 2,00 € and 3,00 €, the others none; V2 is registered and did not drive.
 * So: 5 trips, 24,0 km on average (10+20+30+40+20)/5, 3 drivers of whom 1 volunteer, 3 cars lent of 2,7 seats on
 * average (3+2+3)/3, 4 beneficiaries of whom 2 by residence (50 %) and 2 by resources (50 %), 1 without record,
 * 3 members, 25 € of fees, 11,40 € of participation (3,80 € on average over the 3 trips that asked one), volunteer
 * trips of 40,0 km on average, 2 volunteers registered, 1 trip by exception.
 */
let srv: TestServer;
let t: number;
let other: number;
let viewerOther: string;
const q = async <T = any>(sql: string, params: unknown[] = []) => (await srv.testDb.db.query<any>(sql, params)).rows as T[];
const one = async <T = any>(sql: string, params: unknown[] = []) => (await q<T>(sql, params))[0];
const pt = (lng: number, lat: number) => `ST_SetSRID(ST_MakePoint(${lng}, ${lat}), 4326)`;

async function person(driver: boolean) {
  return (await one(`INSERT INTO people (territory_id, is_driver, is_passenger) VALUES ($1, $2, NOT $2) RETURNING id`, [t, driver])).id as number;
}
async function trip(driver: number, seats: number) {
  return (await one(
    `INSERT INTO trips (territory_id, driver_id, kind, weekdays, departure_min, origin, destination, seats, route, distance_m, duration_s)
     VALUES ($1, $2, 'regular', '{1,2,3,4,5}', 480, ${pt(1.5, 44.3)}, ${pt(1.5, 44.6)}, $3, ST_MakeLine(${pt(1.5, 44.3)}, ${pt(1.5, 44.6)}), 33000, 1800) RETURNING id`,
    [t, driver, seats],
  )).id as number;
}
async function ride(tripId: number, passenger: number, date: string, km: number, status = 'done', participation: number | null = null) {
  const r = (await one(
    `INSERT INTO requests (territory_id, passenger_id, from_point, to_point, date, time_min, time_kind, status)
     VALUES ($1, $2, ${pt(1.5, 44.3)}, ${pt(1.5, 44.6)}, $3, 480, 'depart', 'served') RETURNING id`,
    [t, passenger, date],
  )).id as number;
  await q(
    `INSERT INTO matches (territory_id, request_id, trip_id, date, pickup, dropoff, pickup_min, dropoff_min, detour_m, detour_s, score, status, shared_m,
       participation_eur)
     VALUES ($1, $2, $3, $4, ${pt(1.5, 44.3)}, ${pt(1.5, 44.4)}, 480, 500, 0, 0, 1, $5, $6, $7)`,
    [t, r, tripId, date, status, km * 1000, participation],
  );
  return r;
}

beforeAll(async () => {
  srv = await startServer({ router: new StraightLineRouter() });
  t = (await one(`INSERT INTO territories (slug, name) VALUES ('causse', 'Causse') RETURNING id`)).id;
  other = (await one(`INSERT INTO territories (slug, name) VALUES ('ailleurs', 'Ailleurs') RETURNING id`)).id;
  await srv.api('PUT', `/api/tus/settings/${t}`, {
    enabled: true, associationName: 'Entraide du Causse', rna: 'W461000042', associationAddress: '1 place de la Mairie, 46000 Causse',
    employees: 1, memberFeeEur: 10, careRules: 'Réservation 48 h à l’avance.',
  });
  const [d1, d2, d3] = [await person(true), await person(true), await person(true)];
  const [p1, p2, p3, p4] = [await person(false), await person(false), await person(false), await person(false)];
  const [t1, t2, t3] = [await trip(d1, 3), await trip(d2, 2), await trip(d3, 4)];
  await ride(t1, p1, '2025-03-01', 10, 'done', 2);
  await ride(t1, p2, '2025-06-01', 20, 'done', 3);
  await ride(t2, p3, '2025-07-01', 30);
  const r4 = await ride(t2, p4, '2025-12-31', 40);
  await ride(t3, p1, '2024-12-31', 70);
  await ride(t1, p2, '2025-09-01', 90, 'confirmed');
  const [v1, v2] = [await person(true), await person(true)];
  for (const v of [v1, v2])
    await q(`INSERT INTO volunteers (person_id, territory_id, home, max_km, seats) VALUES ($1, $2, ${pt(1.5, 44.3)}, 60, 3)`, [v, t]);
  const vr = (await one(
    `INSERT INTO requests (territory_id, passenger_id, from_point, to_point, date, time_min, time_kind, status)
     VALUES ($1, $2, ${pt(1.5, 44.3)}, ${pt(1.5, 44.6)}, '2025-10-01', 600, 'depart', 'served') RETURNING id`, [t, p2])).id;
  await q(
    `INSERT INTO matches (territory_id, request_id, kind, volunteer_id, date, pickup, dropoff, pickup_min, dropoff_min, detour_m, detour_s, score,
       status, shared_m, participation_eur, allowance_eur, volunteer_distance_m, volunteer_start_min, volunteer_end_min)
     VALUES ($1, $2, 'volunteer', $3, '2025-10-01', ${pt(1.5, 44.3)}, ${pt(1.5, 44.4)}, 600, 620, 0, 0, 1, 'done', 20000, 6.40, 12.80, 40000, 580, 700)`,
    [t, vr, v1],
  );
  await q(
    `INSERT INTO tus_beneficiaries (person_id, territory_id, by_residence, residence_insee, by_resources, resource_benefit, proof, proof_date, recorded_by)
     VALUES ($1, $4, true, '46148', false, NULL, 'domicile', '2025-01-02', 'test'), ($2, $4, false, NULL, true, 'rsa', 'CAF', '2025-01-02', 'test'),
            ($3, $4, true, '46148', true, 'aspa', 'CARSAT', '2025-01-02', 'test')`,
    [p1, p2, p3, t],
  );
  await q(
    `INSERT INTO tus_memberships (person_id, territory_id, year, fee_eur, paid_on, recorded_by)
     VALUES ($1, $5, 2025, 10, '2025-01-02', 'test'), ($2, $5, 2025, 10, '2025-01-03', 'test'), ($3, $5, 2025, 5, '2025-02-01', 'test'),
            ($4, $5, 2024, 10, '2024-01-02', 'test')`,
    [p1, p2, p3, p4, t],
  );
  await q(`INSERT INTO tus_exceptions (territory_id, request_id, rule, reason, recorded_by) VALUES ($1, $2, 'eligibility', 'justificatif en attente', 'test')`, [t, r4]);
  viewerOther = (await srv.api('POST', '/api/tokens', { label: 'ailleurs', role: 'viewer', territoryId: other })).body.token;
});
afterAll(async () => srv?.close());

describe('yearly TUS report (arrêté of 17 October 2019)', () => {
  it('counts the seeded year as computed by hand', async () => {
    const r = await srv.api('GET', '/api/reports/tus?territory=causse&year=2025');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      territory: { id: t, name: 'Causse' },
      year: 2025,
      association: { name: 'Entraide du Causse', rna: 'W461000042', employees: 1, careRules: 'Réservation 48 h à l’avance.' },
      drivers: 3,
      volunteerDrivers: 1,
      registeredVolunteers: 2,
      members: 3,
      memberFeesEur: 25,
      beneficiaries: 4,
      byResidence: 2,
      byResources: 2,
      withoutRecord: 1,
      shareByResidencePct: 50,
      shareByResourcesPct: 50,
      vehicles: { owned: { count: 0, meanCapacity: null }, lent: { count: 3, meanCapacity: 2.7 } },
      participationEur: 11.4,
      meanParticipationEur: 3.8,
      trips: 5,
      meanDistanceKm: 24,
      meanVolunteerDistanceKm: 40,
      exceptions: 1,
    });
    const y2024 = (await srv.api('GET', `/api/reports/tus?territory=${t}&year=2024`)).body;
    expect(y2024).toMatchObject({ trips: 1, drivers: 1, volunteerDrivers: 0, meanDistanceKm: 70, beneficiaries: 1, byResidence: 1, members: 1, exceptions: 0, participationEur: 0 });
  });

  it('as French CSV: BOM, semicolons, decimal comma', async () => {
    const res = await fetch(`${srv.url}/api/reports/tus?territory=causse&year=2025&format=csv`, { headers: { authorization: 'Bearer test-admin-token-0123456789' } });
    expect(res.headers.get('content-type')).toContain('text/csv');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('Rubrique;Indicateur;Valeur');
    expect(lines).toContain('Trajets réalisés;Nombre de trajets;5');
    expect(lines).toContain('Trajets réalisés;Distance moyenne par trajet (à vol d’oiseau);24,0 km');
    expect(lines).toContain('Activité de transport d’utilité sociale;Participation aux coûts demandée (total);11,40 €');
    expect(lines).toContain('Activité de transport d’utilité sociale;au titre de la résidence;2 (50,0 %)');
    expect(lines).toContain('Activité de transport d’utilité sociale;Capacité moyenne (places passagers);2,7');
    expect(lines).toContain('Activité de transport d’utilité sociale;dont bénévoles;1');
    expect(lines).toContain('Association;Cotisations encaissées;25,00 €');
  });

  it('as a printable PDF in French', async () => {
    const res = await fetch(`${srv.url}/api/reports/tus?territory=causse&year=2025&format=pdf`, { headers: { authorization: 'Bearer test-admin-token-0123456789' } });
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tus-')), 'rapport.pdf');
    fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('Rapport annuel 2025');
    expect(text).toContain('Transport d’utilité sociale — Causse');
    expect(text).toContain('avant le 1er mars 2026');
    expect(text).toMatch(/Nombre de trajets\s+5/);
    expect(text).toMatch(/Distance moyenne par trajet \(à vol d’oiseau\)\s+24,0 km/);
    expect(text).toMatch(/Participation aux coûts demandée \(total\)\s+11,40 €/);
    expect(text).toMatch(/au titre des ressources\s+2 \(50,0 %\)/);
    expect(text).toMatch(/Conducteurs\s+3/);
    expect(text).toContain('Entraide du Causse');
  });

  it('bad input is a 400 naming the field; another territory’s report is not found', async () => {
    expect((await srv.api('GET', '/api/reports/tus?year=2025')).body.fields[0].field).toBe('territory');
    expect((await srv.api('GET', '/api/reports/tus?territory=causse&year=20x5')).body.fields[0].field).toBe('year');
    expect((await srv.api('GET', '/api/reports/tus?territory=causse&year=2025&format=xls')).body.fields[0].field).toBe('format');
    expect((await srv.api('GET', '/api/reports/tus?territory=nulle-part&year=2025')).status).toBe(400);
    expect((await srv.api('GET', `/api/reports/tus?territory=${t}&year=2025`, undefined, viewerOther)).status).toBe(404);
    const own = await srv.api('GET', `/api/reports/tus?territory=${other}&year=2025`, undefined, viewerOther);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ trips: 0, drivers: 0, beneficiaries: 0, shareByResidencePct: null, meanDistanceKm: null });
  });
});
