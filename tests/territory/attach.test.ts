import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBnlc } from '../../services/src/bnlc/import.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { BNLC, CORREZE, LOT, LOT_ROADS, territoryCli } from './helpers.ts';

/** `npm run territory -- attach`: the national carpool areas in and around the boundary, and a road extract check. */
let testDb: TestDb;
let env: Record<string, string>;
let dir: string;
const q = async <T = any>(sql: string, params: unknown[] = []) => (await testDb.db.query<T>(sql, params)).rows;

/** The file's rows whose INSEE code is in the département: inside the boundary whatever the margin. */
const rowsOf = (csv: string, dep: string) => {
  const [header, ...lines] = csv.trim().split('\n');
  const insee = header.split(',').indexOf('insee');
  return lines.filter((l) => l.split(',')[insee]?.startsWith(dep));
};

beforeAll(async () => {
  testDb = await createTestDb('postgres');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-territory-attach-'));
  env = { DATABASE_URL: testDb.url!, DATA_DIR: dir };
  for (const [name, file] of [['Corrèze', CORREZE], ['Lot', LOT]]) {
    const run = await territoryCli(['create', '--name', name, '--communes', file], env);
    expect(run.code, run.stderr).toBe(0);
  }
}, 300_000);
afterAll(async () => {
  await testDb?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('npm run territory -- attach', () => {
  it('keeps the BNLC areas within 5 km of the boundary, leaves other regions alone, and follows a new edition', async () => {
    const csv = fs.readFileSync(BNLC, 'utf8');
    // Another region's areas, loaded before: attaching the Corrèze must not touch them.
    const [header] = csv.split('\n');
    const gironde = rowsOf(csv, '33');
    expect(gironde.length).toBeGreaterThan(0);
    await importBnlc(testDb.db, [header, ...gironde].join('\n'));

    const run = await territoryCli(['attach', '--territory', 'correze', '--bnlc', BNLC], env);
    expect(run.stderr).toBe('');
    const correzeRows = rowsOf(csv, '19');
    const ids = correzeRows.map((l) => l.split(',')[0]);
    const stored = await q<{ id: string; far: boolean }>(
      `SELECT c.id, NOT ST_DWithin(t.boundary::geography, c.geom::geography, 5000) AS far
       FROM carpool_areas c, territories t WHERE t.slug = 'correze' AND c.id NOT LIKE '33%'`,
    );
    expect(stored.map((s) => s.id)).toEqual(expect.arrayContaining(ids));
    expect(stored.filter((s) => s.far)).toEqual([]);
    expect(run.stdout).toContain(`Aires de covoiturage (BNLC, ${BNLC}) : ${stored.length} sur 2473 dans le périmètre de Corrèze ou à moins de 5 km — ${stored.length} ajoutées`);
    expect((await q(`SELECT count(*)::int AS n FROM carpool_areas WHERE id LIKE '33%'`))[0].n).toBe(gironde.length);

    // A new edition without one of the Corrèze's areas: it is removed, the others updated.
    const dropped = ids[0];
    const edition = path.join(dir, 'bnlc-edition.csv');
    fs.writeFileSync(edition, csv.split('\n').filter((l) => !l.startsWith(`${dropped},`)).join('\n'));
    const again = await territoryCli(['attach', '--territory', 'correze', '--bnlc', edition], env);
    expect(again.stdout).toContain(`0 ajoutée, ${stored.length - 1} mises à jour, 1 retirée`);
    expect(await q('SELECT id FROM carpool_areas WHERE id = $1', [dropped])).toEqual([]);
  });

  it('refuses an invalid BNLC file with line and column, writing nothing', async () => {
    const before = (await q('SELECT count(*)::int AS n FROM carpool_areas'))[0].n;
    const csv = fs.readFileSync(BNLC, 'utf8').split('\n');
    csv[3] = csv[3].replace(/,true,/, ',peut-être,');
    const bad = path.join(dir, 'bnlc-bad.csv');
    fs.writeFileSync(bad, csv.join('\n'));
    const run = await territoryCli(['attach', '--territory', 'correze', '--bnlc', bad], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${bad}:4: ouvert: [type]`);
    expect(run.stderr).toContain('rien n’a été enregistré');
    expect((await q('SELECT count(*)::int AS n FROM carpool_areas'))[0].n).toBe(before);
  });

  it('says how much of the territory a road extract covers, commune by commune', async () => {
    const correze = await territoryCli(['attach', '--territory', 'correze', '--roads', LOT_ROADS], env);
    const m = /(\d+)\/283 communes de Corrèze ont une route à moins de 2 km/.exec(correze.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(283);
    expect(correze.stdout).toContain('cet extrait ne couvre pas tout le territoire');
    const lot = await territoryCli(['attach', '--territory', 'lot', '--roads', LOT_ROADS], env);
    expect(lot.stdout).toContain('320/320 communes de Lot');
    expect(lot.stdout).toContain(`pour s’en servir : ROAD_NETWORK=${LOT_ROADS}`);
    const unknown = await territoryCli(['attach', '--territory', 'dordogne', '--roads', LOT_ROADS], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--territory dordogne : aucun territoire de ce slug');
  });

  it('writes the boundary plus 10 km for osmium, with the commands that clip the extract and prepare OSRM', async () => {
    const run = await territoryCli(['attach', '--territory', 'correze', '--roads', LOT_ROADS], { ...env, OSRM_URL: 'http://127.0.0.1:5000' });
    expect(run.code, run.stderr).toBe(0);
    const polygon = path.join(dir, 'roads-correze.geojson');
    const clipped = path.join(dir, 'roads-correze.osm.pbf');
    expect(run.stdout).toContain(`osmium extract --polygon ${polygon} ${LOT_ROADS} -o ${clipped} --overwrite`);
    expect(run.stdout).toContain(`puis ROAD_NETWORK=${clipped}`);
    expect(run.stdout).toContain('OSRM (OSRM_URL=http://127.0.0.1:5000) sert les itinéraires');
    expect(run.stdout).toContain('osrm-extract -p /opt/car.lua region.osm.pbf && osrm-partition region.osrm && osrm-customize region.osrm');
    expect(run.stdout).toContain('docker compose run --rm osrm-prepare && docker compose restart osrm');
    const feature = JSON.parse(fs.readFileSync(polygon, 'utf8'));
    expect(feature.type).toBe('Feature');
    expect(['Polygon', 'MultiPolygon']).toContain(feature.geometry.type);
    const rings: number[][][] = feature.geometry.type === 'Polygon' ? feature.geometry.coordinates : feature.geometry.coordinates.flat();
    for (const ring of rings) expect(ring[0]).toEqual(ring[ring.length - 1]);
    // Valid for PostGIS, containing every commune's centre with room to spare, and nothing like the whole of France.
    const [check] = await q<{ valid: boolean; outside: number; communes: number; ratio: number }>(
      `WITH p AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS g)
       SELECT ST_IsValid(p.g) AS valid, count(*) FILTER (WHERE NOT ST_Contains(p.g, c.centroid))::int AS outside,
              count(*)::int AS communes, ST_Area(p.g) / ST_Area(t.boundary) AS ratio
       FROM p, communes c JOIN territories t ON t.id = c.territory_id WHERE t.slug = 'correze' GROUP BY p.g, t.boundary`,
      [JSON.stringify(feature.geometry)],
    );
    expect(check).toMatchObject({ valid: true, outside: 0, communes: 283 });
    expect(check.ratio).toBeGreaterThan(1.1);
    expect(check.ratio).toBeLessThan(2);
  });

  it('names the BAN files of the territory’s départements and the addok import, downloading nothing', async () => {
    const run = await territoryCli(['attach', '--territory', 'correze', '--addresses'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Adresses (Base Adresse Nationale, pour addok) : 1 département pour Corrèze (19) — adresses-19.csv.gz ; rien n’a été téléchargé');
    expect(run.stdout).toContain('https://adresse.data.gouv.fr/data/ban/adresses/latest/csv/adresses-19.csv.gz');
    expect(run.stdout).toContain('curl -fsSLO https://adresse.data.gouv.fr/data/ban/adresses/latest/addok/adresses-addok-19.ndjson.gz');
    expect(run.stdout).toContain('cat adresses-addok-19.ndjson.gz > deploy/addok/addresses.ndjson.gz');
    expect(run.stdout).toContain('docker compose run --rm addok-prepare && docker compose restart addok');
    expect(run.stdout).not.toContain('adresses-46');
    const lot = await territoryCli(['attach', '--territory', 'lot', '--addresses'], env);
    expect(lot.stdout).toContain('1 département pour Lot (46) — adresses-46.csv.gz');
    expect(fs.readdirSync(dir).filter((f) => f.includes('adresses'))).toEqual([]);
  });
});
