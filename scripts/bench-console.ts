/**
 * The console's first load on the Lot demo, in Chromium: time until the request review page has its proposals and
 * its map drawn (routes included), from a cold cache, and the sizes of the built scripts.
 * Run: npm run bench -- console [--runs N] [--no-build] [--no-basemap]  (builds console/dist first unless told;
 * needs the test PostgreSQL, as the tests). The map counts as drawn with its commune outlines, both routes, and,
 * unless --no-basemap (a build from before the basemap had them), its roads and commune names.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { addUser, DIST, proposalAsk, startConsoleServer } from '../tests/console/helpers.ts';
import { launchChromium } from '../tests/helpers/browser.ts';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const basemap = !process.argv.includes('--no-basemap');
const root = path.resolve(import.meta.dirname, '..');
// --no-build: measure console/dist as it is (e.g. an earlier version built there, for a before/after).
if (!process.argv.includes('--no-build')) execFileSync('npm', ['run', 'build', '-w', 'console'], { cwd: root, stdio: 'ignore' });

const assets = path.join(DIST, 'assets');
const scripts = fs.readdirSync(assets).filter((f) => f.endsWith('.js'));
const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
let total = 0;
for (const f of scripts) {
  const buf = fs.readFileSync(path.join(assets, f));
  total += buf.length;
  const entry = html.includes(f) ? ' (loaded by index.html)' : '';
  console.log(`script ${f.padEnd(40)} ${kb(buf.length).padStart(8)}  gzip ${kb(zlib.gzipSync(buf).length).padStart(7)}${entry}`);
}
console.log(`scripts: ${scripts.length} files, ${kb(total)} in all`);

const srv = await startConsoleServer({ demo: true });
const browser = await launchChromium();
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
try {
  const db = srv.booted.services.db;
  const lotId = (await db.query<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`)).rows[0].id;
  await addUser(db, { email: 'bench@console.fr', password: 'correct horse battery', role: 'coordinator', territoryIds: [lotId] });
  const passengerId = (await db.query<{ id: number }>(`SELECT id FROM people WHERE is_passenger AND territory_id = $1 ORDER BY id LIMIT 1`, [lotId])).rows[0].id;
  const { proposals: _n, ...ask } = await proposalAsk(srv);
  const requestId = (await srv.api('POST', '/api/requests', { territoryId: lotId, passengerId, ...ask })).body.id;
  const ms: number[] = [];
  const bytes: number[] = [];
  for (let i = 0; i < runs; i++) {
    // A new context each run: cold cache, logged in first (the login page is not measured).
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'fr-FR' });
    const page = await ctx.newPage();
    await page.goto(`${srv.url}/console/`);
    await page.locator('input[name="username"]').fill('bench@console.fr');
    await page.locator('input[name="password"]').fill('correct horse battery');
    await page.locator('button[type="submit"]').click();
    await page.getByText('Bonjour').waitFor();
    const fresh = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'fr-FR', storageState: await ctx.storageState() });
    await ctx.close();
    const p = await fresh.newPage();
    let scriptBytes = 0;
    p.on('response', async (r) => {
      if (r.url().endsWith('.js')) scriptBytes += Number(r.headers()['content-length'] ?? (await r.body().catch(() => Buffer.alloc(0))).length);
    });
    const t0 = performance.now();
    await p.goto(`${srv.url}/console/#/requests/${requestId}/show`);
    await p.locator('[data-testid^="proposal-"]').first().waitFor({ timeout: 60_000 });
    await p.locator('[data-testid="map"] .leaflet-overlay-pane path').nth(302).waitFor({ state: 'attached', timeout: 60_000 });
    await p.locator('path.usual-route').waitFor({ state: 'attached', timeout: 60_000 });
    await p.locator('path.detour-route').waitFor({ state: 'attached', timeout: 60_000 });
    if (basemap) {
      await p.locator('[data-testid="map"] path.road').first().waitFor({ state: 'attached', timeout: 60_000 });
      await p.locator('[data-testid="map"] .commune-label').first().waitFor({ state: 'attached', timeout: 60_000 });
    }
    ms.push(performance.now() - t0);
    bytes.push(scriptBytes);
    await fresh.close();
  }
  console.log(`review page with its map, cold cache: runs=${runs} p50=${pct(ms, 50).toFixed(0)} ms max=${Math.max(...ms).toFixed(0)} ms, scripts fetched ${kb(pct(bytes, 50))}`);
} finally {
  await browser.close();
  await srv.close();
}
