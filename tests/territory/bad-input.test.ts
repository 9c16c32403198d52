import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { CORREZE, readFeatures, territoryCli, writeCollection, type Run } from './helpers.ts';

/** Every refusal names the file, the feature and the reason; and nothing of the territory is left behind. */
let testDb: TestDb;
let env: Record<string, string>;
let dir: string;
let features: any[];

const q = async <T = any>(sql: string, params: unknown[] = []) => (await testDb.db.query<T>(sql, params)).rows;
const nothingOf = async (slug: string) => {
  const [r] = await q(
    `SELECT (SELECT count(*) FROM territories WHERE slug = $1)::int AS territories,
       (SELECT count(*) FROM users WHERE email = $2)::int AS users,
       (SELECT count(*) FROM communes)::int AS communes`,
    [slug, `coordination.${slug}@comobi.local`],
  );
  return r;
};
const refused = (run: Run) => {
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toContain('rien n’a été enregistré');
  return run.stderr;
};

beforeAll(async () => {
  testDb = await createTestDb('postgres');
  env = { DATABASE_URL: testDb.url! };
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-territory-bad-'));
  features = readFeatures(CORREZE);
});
afterAll(async () => {
  await testDb?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('bad commune files are refused whole, with the feature and the reason', () => {
  it('a file that is not JSON: line and column', async () => {
    const file = path.join(dir, 'broken.geojson');
    fs.writeFileSync(file, '{\n  "type": "FeatureCollection",\n  "features": [\n    {"type": "Feature",, }\n  ]\n}\n');
    const err = refused(await territoryCli(['create', '--name', 'Essai', '--communes', file], env));
    expect(err).toContain(`${file} : ce n’est pas du JSON (ligne 4, colonne`);
    expect(await nothingOf('essai')).toEqual({ territories: 0, users: 0, communes: 0 });
  });

  it('JSON that is not a GeoJSON FeatureCollection, and a feature that is not a Feature', async () => {
    const file = path.join(dir, 'not-geojson.json');
    fs.writeFileSync(file, JSON.stringify({ communes: ['19272'] }));
    expect(refused(await territoryCli(['create', '--name', 'Essai', '--communes', file], env))).toContain('ce n’est pas une FeatureCollection GeoJSON');
    const mixed = writeCollection(dir, 'mixed.geojson', [features[0], { type: 'Point', coordinates: [1.7, 45.3] }]);
    expect(refused(await territoryCli(['create', '--name', 'Essai', '--communes', mixed], env))).toContain(`${mixed} : feature 1, features[1] : ce n’est pas une Feature GeoJSON`);
  });

  it('features without an INSEE code or with a malformed one, each named, all at once', async () => {
    const noCode = { ...features[1], properties: { nom: features[1].properties.nom } };
    const badCode = { ...features[2], properties: { ...features[2].properties, code: '1927' } };
    const file = writeCollection(dir, 'no-insee.geojson', [features[0], noCode, badCode, features[3]]);
    const err = refused(await territoryCli(['create', '--name', 'Essai', '--communes', file], env));
    expect(err).toContain(`${file} : feature 1, features[1].properties : pas de code INSEE (propriété code ou INSEE_COM) [no_insee]`);
    expect(err).toContain(`${file} : feature 2 (INSEE 1927), features[2].properties : code INSEE « 1927 »`);
    expect(err).toContain('rien n’a été enregistré (2 problèmes)');
    expect(await nothingOf('essai')).toEqual({ territories: 0, users: 0, communes: 0 });
  });

  it('invalid geometries: structure found by the reader, topology by PostGIS', async () => {
    const bowTie = { ...features[4], geometry: { type: 'Polygon', coordinates: [[[1.7, 45.2], [1.8, 45.3], [1.8, 45.2], [1.7, 45.3], [1.7, 45.2]]] } };
    const open = { ...features[5], geometry: { type: 'Polygon', coordinates: [[[1.7, 45.2], [1.8, 45.3], [1.8, 45.2], [1.75, 45.1]]] } };
    const point = { ...features[6], geometry: { type: 'Point', coordinates: [1.7, 45.2] } };
    const topology = writeCollection(dir, 'bow-tie.geojson', [features[0], features[1], bowTie]);
    const err = refused(await territoryCli(['create', '--name', 'Essai', '--communes', topology], env));
    expect(err).toMatch(new RegExp(`feature 2 \\(INSEE ${features[4].properties.code}\\), features\\[2\\]\\.geometry : géométrie invalide : Self-intersection`));
    const structure = writeCollection(dir, 'open-ring.geojson', [open, point]);
    const err2 = refused(await territoryCli(['create', '--name', 'Essai', '--communes', structure], env));
    expect(err2).toContain('feature 0');
    expect(err2).toContain('anneau non fermé');
    expect(err2).toContain('feature 1');
    expect(err2).toContain('géométrie de type Point');
    expect(await nothingOf('essai')).toEqual({ territories: 0, users: 0, communes: 0 });
  });

  it('a département code with no commune in the file', async () => {
    const absent = refused(await territoryCli(['create', '--name', 'Dordogne', '--communes', CORREZE, '--departement', '24'], env));
    expect(absent).toContain('--departement 24 : aucune commune du département 24 dans le fichier ; départements présents : 19');
    const unknown = refused(await territoryCli(['create', '--name', 'Essai', '--communes', CORREZE, '--departement', '99'], env));
    expect(unknown).toContain('(99 n’est pas un code de département connu)');
    expect(await nothingOf('dordogne')).toEqual({ territories: 0, users: 0, communes: 0 });
  });

  it('communes already in another territory: refused, and the other territory keeps them', async () => {
    const first = writeCollection(dir, 'haute-correze.geojson', features.slice(0, 10));
    const ok = await territoryCli(['create', '--name', 'Haute-Corrèze', '--communes', first], env);
    expect(ok.code).toBe(0);
    const overlap = writeCollection(dir, 'ventadour.geojson', features.slice(8, 20));
    const err = refused(await territoryCli(['create', '--name', 'Ventadour', '--communes', overlap], env));
    const [f8, f9] = [features[8].properties, features[9].properties];
    expect(err).toContain(`feature 0 (INSEE ${f8.code}), features[0].properties : la commune ${f8.code} ${f8.nom} appartient déjà au territoire « Haute-Corrèze » [other_territory]`);
    expect(err).toContain(`feature 1 (INSEE ${f9.code})`);
    expect(err).toContain('(2 problèmes)');
    expect(await nothingOf('ventadour')).toEqual({ territories: 0, users: 0, communes: 10 });
    const [owner] = await q(`SELECT count(*)::int AS n FROM communes c JOIN territories t ON t.id = c.territory_id WHERE t.slug = 'haute-correze'`);
    expect(owner.n).toBe(10);
  });

  it('bad arguments: usage and exit code 2, before any database work', async () => {
    const noName = await territoryCli(['create', '--communes', CORREZE], env);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain('--name est obligatoire');
    const badMail = await territoryCli(['create', '--name', 'X', '--communes', CORREZE, '--admin-email', 'pas-un-mail'], env);
    expect(badMail.code).toBe(2);
    expect(badMail.stderr).toContain('--admin-email : « pas-un-mail » n’est pas une adresse e-mail');
    const missing = await territoryCli(['create', '--name', 'X', '--communes', path.join(dir, 'absent.geojson')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('illisible (ENOENT)');
  });
});
