import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consolePlugin } from '../../services/src/console/plugin.ts';
import { openPostgres } from '@comobi/db/postgres';
import { DIST, ensureConsoleBuilt, Session } from '../console/helpers.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { CORREZE, LOT, passwordIn, readFeatures, territoryCli, writeCollection } from './helpers.ts';

/**
 * The Corrèze set up the way a new territory would: the real command in its own process, on a real PostgreSQL,
 * then the real service serving it to its coordinator.
 */
let testDb: TestDb;
let env: Record<string, string>;
let dir: string;
const COORD = 'coordination.correze@comobi.local';
let coordPassword: string;

const q = async <T = any>(sql: string, params: unknown[] = []) => (await testDb.db.query<T>(sql, params)).rows;
const correzeId = async () => (await q<{ id: number }>(`SELECT id FROM territories WHERE slug = 'correze'`))[0].id;

beforeAll(async () => {
  testDb = await createTestDb('postgres');
  env = { DATABASE_URL: testDb.url! };
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-territory-'));
});
afterAll(async () => {
  await testDb?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('npm run territory -- create', () => {
  it('sets the Corrèze up from its official commune file: 283 communes, postal codes, boundary, a coordinator', async () => {
    const run = await territoryCli(['create', '--name', 'Corrèze', '--communes', CORREZE, '--coordinator-phone', '05 55 00 00 19', '--token'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Territoire « Corrèze » (correze');
    expect(run.stdout).toContain('283 ajoutées');
    coordPassword = passwordIn(run.stdout, COORD)!;
    expect(coordPassword).toMatch(/^\S{16}$/);
    expect(run.stdout).toMatch(/Jeton d’API d’intégration : cmb_\S+/);

    const [t] = await q(
      `SELECT id, name, coordinator_phone, rules, ST_IsValid(boundary) AS valid, ST_Area(boundary::geography) / 1e6 AS km2,
         (SELECT count(*)::int FROM communes c WHERE c.territory_id = t.id AND NOT ST_Covers(ST_Buffer(t.boundary, 1e-6), c.geom)) AS outside
       FROM territories t WHERE slug = 'correze'`,
    );
    expect(t).toMatchObject({ name: 'Corrèze', coordinator_phone: '05 55 00 00 19', rules: {}, valid: true, outside: 0 });
    // The Corrèze covers 5,857 km² (INSEE); the file's outlines are simplified.
    expect(Number(t.km2)).toBeGreaterThan(5700);
    expect(Number(t.km2)).toBeLessThan(6000);
    const communes = await q<{ insee: string; name: string; postal_codes: string[]; population: number | null }>(
      'SELECT insee, name, postal_codes, population FROM communes WHERE territory_id = $1 ORDER BY insee',
      [t.id],
    );
    expect(communes).toHaveLength(283);
    expect(communes.find((c) => c.insee === '19272')).toMatchObject({ name: 'Tulle', postal_codes: ['19000'] });
    expect(communes.find((c) => c.insee === '19031')!.population).toBeGreaterThan(40_000); // Brive-la-Gaillarde
    // Merged since 2018: the new commune's postal code, no population of its own (it would count twice).
    expect(communes.find((c) => c.insee === '19127')).toMatchObject({ postal_codes: ['19150'], population: null });
    expect(communes.filter((c) => c.postal_codes.length > 0)).toHaveLength(282);
    const [token] = await q(`SELECT role, territory_id FROM api_tokens WHERE label = 'intégration correze'`);
    expect(token).toEqual({ role: 'integration', territory_id: t.id });
  });

  it('is idempotent: run again, it changes nothing, says so and keeps the password', async () => {
    const before = await q(`SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM api_tokens)::int AS tokens,
      (SELECT count(*) FROM territories)::int AS territories, (SELECT password_hash FROM users WHERE email = $1) AS hash`, [COORD]);
    const run = await territoryCli(['create', '--name', 'Corrèze', '--communes', CORREZE, '--token'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('déjà à jour : rien n’a changé');
    expect(run.stdout).toContain('283 inchangées');
    expect(run.stdout).toContain('Périmètre : union des communes, inchangé');
    // The territory has its coordinator: no default account is added beside it.
    expect(run.stdout).not.toContain('Compte de coordination');
    expect(run.stdout).not.toMatch(/mot de passe : \S/);
    expect(run.stdout).not.toContain('cmb_');
    const after = await q(`SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM api_tokens)::int AS tokens,
      (SELECT count(*) FROM territories)::int AS territories, (SELECT password_hash FROM users WHERE email = $1) AS hash`, [COORD]);
    expect(after).toEqual(before);
    // The phone given the first time is not erased by a run that does not give it.
    expect((await q(`SELECT coordinator_phone FROM territories WHERE slug = 'correze'`))[0].coordinator_phone).toBe('05 55 00 00 19');
  });

  it('updates names and outlines from a new edition, and never removes a commune someone refers to', async () => {
    const tid = await correzeId();
    const features = readFeatures(CORREZE);
    const byCode = (code: string) => features.find((f) => f.properties.code === code);
    // A person lives in Ussel (19275); Jardin (19092) is referred to by nobody.
    await q('INSERT INTO people (territory_id, is_passenger, commune_insee) VALUES ($1, true, $2)', [tid, '19275']);
    const edition = features
      .filter((f) => !['19275', '19092'].includes(f.properties.code))
      .map((f) => (f.properties.code === '19272' ? { ...f, properties: { ...f.properties, nom: 'Tulle (préfecture)' } } : f));
    const moved = byCode('19031');
    const shifted = edition.find((f) => f.properties.code === '19031');
    shifted.geometry = { ...moved.geometry, coordinates: moved.geometry.coordinates.map((ring: number[][]) => ring.map(([x, y]) => [x + 0.0005, y])) };
    const file = writeCollection(dir, 'correze-edition.geojson', edition);

    const run = await territoryCli(['create', '--name', 'Corrèze', '--communes', file, '--coordinator-email', COORD], env);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('mis à jour');
    expect(run.stdout).toContain(`${COORD} — existe déjà, mot de passe inchangé`);
    expect(run.stdout).toContain('renommées : 19272 Tulle → Tulle (préfecture)');
    expect(run.stdout).toContain('contours modifiés : 19031 Brive-la-Gaillarde');
    expect(run.stdout).toContain('retirées : 19092 Jardin');
    expect(run.stdout).toMatch(/gardées \(des personnes, trajets ou demandes s’y rattachent\) : 19275 Ussel/);
    expect(run.stdout).toContain('Périmètre : union des communes, enregistré');
    const rows = await q<{ insee: string; name: string }>(
      `SELECT insee, name FROM communes WHERE territory_id = $1 AND insee IN ('19272', '19275', '19092')`,
      [tid],
    );
    expect(rows.sort((a, b) => a.insee.localeCompare(b.insee))).toEqual([
      { insee: '19272', name: 'Tulle (préfecture)' },
      { insee: '19275', name: 'Ussel' },
    ]);

    // Back to the official file: everything as it was.
    const back = await territoryCli(['create', '--name', 'Corrèze', '--communes', CORREZE], env);
    expect(back.stdout).toContain('ajoutées : 19092 Jardin');
    expect(back.stdout).toContain('renommées : 19272 Tulle (préfecture) → Tulle');
    expect((await q('SELECT count(*)::int AS n FROM communes WHERE territory_id = $1', [tid]))[0].n).toBe(283);
  });

  it('keeps only the communes of --departement from a file that holds more', async () => {
    const both = writeCollection(dir, 'lot-et-correze.geojson', [...readFeatures(LOT), ...readFeatures(CORREZE)]);
    const run = await territoryCli(['create', '--name', 'Lot', '--communes', both, '--departement', '46', '--coordinator-email', 'Coord.Lot@example.org'], env);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('320 ajoutées');
    expect(passwordIn(run.stdout, 'coord.lot@example.org')).toBeDefined();
    const counts = await q<{ slug: string; n: number }>(
      'SELECT t.slug, count(c.insee)::int AS n FROM territories t JOIN communes c ON c.territory_id = t.id GROUP BY t.slug ORDER BY t.slug',
    );
    expect(counts).toEqual([{ slug: 'correze', n: 283 }, { slug: 'lot', n: 320 }]);
  });
});

describe('the Corrèze, served', () => {
  let srv: TestServer;
  beforeAll(async () => {
    ensureConsoleBuilt();
    const db = await openPostgres(testDb.url!);
    srv = await startServer({
      testDb: { db, url: testDb.url, drop: () => db.close() },
      // No roads attached to the Corrèze: straight-line estimates, marked approximate.
      env: { ROAD_NETWORK: 'none', MATCH_DEADLINE_MS: '30000' },
      plugins: async (b) => [await consolePlugin(b.services, { distDir: DIST })],
    });
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('lists its 283 communes, and its coordinator logs in, enters a request and gets it matched', async () => {
    const tid = await correzeId();
    const listed = await srv.api('GET', `/api/communes?territoryId=${tid}&geometry=false`);
    expect(listed.status).toBe(200);
    expect(listed.body.features).toHaveLength(283);

    const coord = new Session(srv.url, '10.19.0.1');
    expect((await coord.login(COORD, coordPassword)).status).toBe(200);
    const search = await coord.req('GET', `/api/communes?territoryId=${tid}&geometry=false&q=Brive`);
    expect(search.body.features.map((f: any) => f.properties.name)).toEqual(['Brive-la-Gaillarde', 'Brivezac']);
    // People give their postal code as often as their commune's name (Tulle shares its with a neighbour).
    const byPostcode = await coord.req('GET', `/api/communes?territoryId=${tid}&geometry=false&q=19000`);
    expect(byPostcode.body.features.map((f: any) => [f.properties.name, f.properties.postalCodes])).toEqual([
      ['Angles-sur-Corrèze', ['19000']],
      ['Tulle', ['19000']],
    ]);
    // Its coordinator sees the Corrèze only.
    expect((await coord.req('GET', '/api/communes?geometry=false')).body.features).toHaveLength(283);

    const at = async (insee: string) => {
      const [c] = await q<{ lng: number; lat: number }>('SELECT ST_X(centroid) AS lng, ST_Y(centroid) AS lat FROM communes WHERE insee = $1', [insee]);
      return { lng: Number(c.lng), lat: Number(c.lat) };
    };
    const brive = await at('19031');
    const tulle = await at('19272');
    const driver = await coord.req('POST', '/api/people', { territoryId: tid, isDriver: true, firstName: 'Inventé', lastName: 'Conducteur', phone: '06 19 00 00 01' });
    expect(driver.status).toBe(201);
    const trip = await coord.req('POST', '/api/trips', {
      territoryId: tid, driverId: driver.body.id, kind: 'regular', weekdays: [1, 2, 3, 4, 5], departureTime: '07:30',
      origin: brive, destination: tulle, originLabel: 'Brive', destinationLabel: 'Tulle', seats: 2,
    });
    expect(trip.status).toBe(201);
    const passenger = await coord.req('POST', '/api/people', { territoryId: tid, isPassenger: true, firstName: 'Inventée', phone: '06 19 00 00 02' });
    const d = new Date();
    d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7 || 7));
    const req = await coord.req('POST', '/api/requests', {
      territoryId: tid, passengerId: passenger.body.id, from: brive, to: tulle, date: d.toISOString().slice(0, 10),
      time: '07:40', timeKind: 'depart', purpose: 'health',
    });
    expect(req.status).toBe(201);
    expect(req.body.approximate).toBe(true);
    expect(req.body.proposals).toHaveLength(1);
    expect(req.body.proposals[0]).toMatchObject({ tripId: trip.body.id, status: 'proposed' });
  });
});
