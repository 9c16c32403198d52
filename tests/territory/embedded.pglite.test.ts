import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consolePlugin } from '../../services/src/console/plugin.ts';
import { openPglite } from '@comobi/db/pglite';
import { DIST, ensureConsoleBuilt, Session } from '../console/helpers.ts';
import { pgliteTemplateDir } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { CORREZE, passwordIn, territoryCli } from './helpers.ts';

/**
 * The "done when", on the embedded defaults: `npm run territory -- create` into DATA_DIR's PGlite, then the
 * service starts on that store with DEMO=auto and serves the Corrèze beside the Lot demo.
 */
let dataDir: string;
let srv: TestServer;
let password: string;
const COORD = 'coordination.correze@comobi.local';

beforeAll(async () => {
  ensureConsoleBuilt();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-territory-embedded-'));
  // The migrated template (made once per run), as a first `npm start` would have left DATA_DIR.
  fs.cpSync(pgliteTemplateDir(), path.join(dataDir, 'pglite'), { recursive: true });
  const run = await territoryCli(['create', '--name', 'Corrèze', '--communes', CORREZE], { DATABASE_URL: '', DATA_DIR: dataDir, DEMO: 'auto' });
  expect(run.stderr).toBe('');
  expect(run.stdout).toContain('base pglite');
  password = passwordIn(run.stdout, COORD)!;
  const db = await openPglite(path.join(dataDir, 'pglite'));
  srv = await startServer({
    testDb: { db, drop: () => db.close() },
    demo: true,
    env: { MATCH_DEADLINE_MS: '30000' },
    plugins: async (b) => [await consolePlugin(b.services, { distDir: DIST })],
  });
}, 600_000);
afterAll(async () => {
  await srv?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('a territory set up on the embedded store', () => {
  it('is served beside the Lot demo, with its communes, and its coordinator enters a request', async () => {
    const territories = await srv.api('GET', '/api/territories');
    expect(territories.body.map((t: any) => t.slug).sort()).toEqual(['correze', 'lot']);
    const correze = territories.body.find((t: any) => t.slug === 'correze');
    const communes = await srv.api('GET', `/api/communes?territoryId=${correze.id}&geometry=false`);
    expect(communes.body.features).toHaveLength(283);
    // The demo's accounts are still made: the Corrèze's coordinator does not reach the Lot.
    const demo = await srv.booted.services.db.query<{ email: string }>(`SELECT email FROM users WHERE email LIKE '%@demo.comobi.fr' ORDER BY email`);
    expect(demo.rows.map((r) => r.email)).toEqual(['admin@demo.comobi.fr', 'coordination.lot@demo.comobi.fr']);

    const coord = new Session(srv.url, '10.19.1.1');
    expect((await coord.login(COORD, password)).status).toBe(200);
    const brive = communes.body.features.find((f: any) => f.properties.name === 'Brive-la-Gaillarde').properties.centroid;
    const tulle = communes.body.features.find((f: any) => f.properties.name === 'Tulle').properties.centroid;
    const date = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const req = await coord.req('POST', '/api/requests', {
      territoryId: correze.id, from: { lng: brive[0], lat: brive[1] }, to: { lng: tulle[0], lat: tulle[1] },
      date, time: '09:00', timeKind: 'arrive', purpose: 'health',
    });
    expect(req.status).toBe(201);
    expect(req.body).toMatchObject({ territoryId: correze.id, status: 'open' });
    // Listed with the Corrèze's requests.
    expect((await srv.api('GET', `/api/requests?filter=${encodeURIComponent(JSON.stringify({ territoryId: correze.id }))}`)).body).toHaveLength(1);
  }, 120_000);
});
