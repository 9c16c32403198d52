import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, ensureConsoleBuilt, Session, startConsoleServer } from '../console/helpers.ts';
import type { TestServer } from '../helpers/server.ts';
import { CORREZE, readFeatures } from './helpers.ts';

/** The console's wizard: an admin uploads the commune file, checks it, creates the territory; same checks as the CLI. */
let srv: TestServer;
let admin: Session;
const PW = 'mot de passe de test 19';
const correzeText = () => fs.readFileSync(CORREZE, 'utf8');

/** The file itself as the body, the way the wizard sends it (a browser-like session: cookie and CSRF token). */
async function upload(s: Session, params: Record<string, string>, body: string, type = 'application/geo+json') {
  const res = await fetch(`${s.url}/api/territory-setup?${new URLSearchParams(params)}`, {
    method: 'POST',
    headers: {
      'content-type': type,
      cookie: [...s.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'x-csrf-token': s.csrf,
      'x-forwarded-for': s.ip,
    },
    body,
  });
  return { status: res.status, body: (await res.json()) as any };
}
const count = async (sql: string) => (await srv.booted.services.db.query<{ n: number }>(sql)).rows[0].n;

beforeAll(async () => {
  ensureConsoleBuilt();
  srv = await startConsoleServer({ options: { loginMaxPerIp: 50 } });
  await addUser(srv.booted.services.db, { email: 'admin@setup.fr', password: PW, role: 'admin' });
  admin = new Session(srv.url, '10.19.2.1');
  expect((await admin.login('admin@setup.fr', PW)).status).toBe(200);
});
afterAll(async () => srv?.close());

describe('POST /api/territory-setup (console wizard)', () => {
  it('checks a file without keeping anything (dry run), with the boundary to show on the map', async () => {
    const r = await upload(admin, { name: 'Corrèze', dryRun: 'true' }, correzeText());
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ dryRun: true, created: true, slug: 'correze', communes: { total: 283 } });
    expect(r.body.boundary.type).toBe('MultiPolygon');
    expect(r.body.accountsCreated).toEqual([{ role: 'coordinator', email: 'coordination.correze@comobi.local' }]);
    expect(await count('SELECT count(*)::int AS n FROM territories')).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM communes')).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM users WHERE role = 'coordinator'`)).toBe(0);
  });

  it('refuses bad files with 400 and the feature in each field, nothing created', async () => {
    const f = readFeatures(CORREZE);
    const bowTie = { ...f[2], geometry: { type: 'Polygon', coordinates: [[[1.7, 45.2], [1.8, 45.3], [1.8, 45.2], [1.7, 45.3], [1.7, 45.2]]] } };
    const noCode = { ...f[1], properties: { nom: 'Sans code' } };
    const bad = await upload(admin, { name: 'Essai' }, JSON.stringify({ type: 'FeatureCollection', features: [f[0], noCode, bowTie] }));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_input');
    expect(bad.body.fields).toEqual([
      { field: 'file.features[1].properties', reason: expect.stringContaining('feature 1: pas de code INSEE') },
    ]);
    const topology = await upload(admin, { name: 'Essai' }, JSON.stringify({ type: 'FeatureCollection', features: [f[0], f[1], bowTie] }));
    expect(topology.status).toBe(400);
    expect(topology.body.fields).toEqual([
      { field: 'file.features[2].geometry', reason: expect.stringMatching(/^feature 2 \(INSEE \d{5}\): géométrie invalide : Self-intersection.*\[invalid_geometry\]$/) },
    ]);
    const notJson = await upload(admin, { name: 'Essai' }, 'communes;insee\n');
    expect(notJson.status).toBe(400);
    expect(notJson.body.fields[0]).toMatchObject({ field: 'file', reason: expect.stringContaining('ce n’est pas du JSON') });
    const dep = await upload(admin, { name: 'Essai', departement: '24' }, correzeText());
    expect(dep.body.fields).toEqual([{ field: 'departement', reason: expect.stringContaining('aucune commune du département 24') }]);
    const query = await upload(admin, { name: '', coordinatorEmail: 'non' }, correzeText());
    expect(query.status).toBe(400);
    expect(query.body.fields.map((x: any) => x.field).sort()).toEqual(['coordinatorEmail', 'name']);
    expect(await count('SELECT count(*)::int AS n FROM territories')).toBe(0);
  });

  it('creates the territory; its coordinator logs in and finds the 283 communes; a second territory cannot take them', async () => {
    const r = await upload(admin, { name: 'Corrèze', coordinatorEmail: 'coord@correze.fr', coordinatorPhone: '05 55 00 00 19' }, correzeText());
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ created: true, communes: { total: 283, added: expect.any(Array) } });
    const [account] = r.body.accountsCreated;
    expect(account).toMatchObject({ role: 'coordinator', email: 'coord@correze.fr', password: expect.stringMatching(/^\S{16}$/) });

    const coord = new Session(srv.url, '10.19.2.2');
    expect((await coord.login('coord@correze.fr', account.password)).status).toBe(200);
    const communes = await coord.req('GET', `/api/communes?territoryId=${r.body.territoryId}&geometry=false`);
    expect(communes.body.features).toHaveLength(283);
    // Only admins set territories up.
    expect((await upload(coord, { name: 'Autre' }, correzeText())).status).toBe(403);

    const overlap = await upload(admin, { name: 'Tulle agglo' }, JSON.stringify({ type: 'FeatureCollection', features: readFeatures(CORREZE).slice(0, 2) }));
    expect(overlap.status).toBe(400);
    expect(overlap.body.fields[0]).toMatchObject({ field: 'file.features[0].properties', reason: expect.stringContaining('appartient déjà au territoire « Corrèze » [other_territory]') });

    // The same upload again: nothing changes, said so, 200.
    const again = await upload(admin, { name: 'Corrèze' }, correzeText());
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, boundaryChanged: false, communes: { unchanged: 283, added: [] }, accountsCreated: [] });
    const audit = await count(`SELECT count(*)::int AS n FROM audit_log WHERE action IN ('territory_create', 'territory_update') AND actor LIKE 'user:%'`);
    expect(audit).toBe(2);
  });
});
