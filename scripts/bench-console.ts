/**
 * The console's first load on the Lot demo, in Chromium: time until the request review page has its proposals and
 * its map drawn (routes included), from a cold cache, and the sizes of the built scripts.
 * Run: npm run bench -- console [--runs N] [--no-build] [--no-basemap] [--waterfall]  (builds console/dist first
 * unless told; needs the test PostgreSQL, as the tests). The map counts as drawn with its commune outlines, both
 * routes, and, unless --no-basemap (a build from before the basemap had them), its roads and commune names.
 *
 * The machine is shared: beside the wall-clock figures it prints when each part of the page appeared (from the
 * page's own clock), the renderer's main-thread time (Chrome's TaskDuration, ScriptDuration: CPU spent, not waited)
 * and the load average, so that a slow run can be told apart from a loaded machine. --waterfall prints the
 * requests of the last run, in order, with their start and end and their bytes on the wire.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { addUser, DIST, proposalAsk, startConsoleServer } from '../tests/console/helpers.ts';
import { launchChromium } from '../tests/helpers/browser.ts';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const basemap = !process.argv.includes('--no-basemap');
const waterfall = process.argv.includes('--waterfall');
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
interface Run {
  marks: Record<string, number>;
  resources: { name: string; start: number; end: number; wire: number; raw: number; type: string }[];
  taskMs: number;
  scriptMs: number;
  layoutMs: number;
}
const sum = <T,>(xs: T[], k: keyof T) => xs.reduce((n, x) => n + Number(x[k]), 0);
/**
 * In the page: the time (page clock, from navigation start) of the first frame in which each part is there. Checked
 * once a frame, as a coordinator's eye would see it.
 */
const MILESTONES = `(() => {
  const want = { proposals: '[data-testid^="proposal-"]', communes: '[data-testid="map"] path.commune-outline', usual: 'path.usual-route',
    detour: 'path.detour-route', roads: '[data-testid="map"] path.road', names: '[data-testid="map"] .commune-label' };
  const marks = (window.__marks = {});
  const look = () => {
    for (const [k, sel] of Object.entries(want)) if (!(k in marks) && document.querySelector(sel)) marks[k] = Math.round(performance.now());
    if (Object.keys(marks).length < Object.keys(want).length) requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})()`;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
try {
  const db = srv.booted.services.db;
  const lotId = (await db.query<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`)).rows[0].id;
  await addUser(db, { email: 'bench@console.fr', password: 'correct horse battery', role: 'coordinator', territoryIds: [lotId] });
  const passengerId = (await db.query<{ id: number }>(`SELECT id FROM people WHERE is_passenger AND territory_id = $1 ORDER BY id LIMIT 1`, [lotId])).rows[0].id;
  const { proposals: _n, ...ask } = await proposalAsk(srv);
  const requestId = (await srv.api('POST', '/api/requests', { territoryId: lotId, passengerId, ...ask })).body.id;
  const ms: number[] = [];
  const runsSeen: Run[] = [];
  const load0 = os.loadavg();
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
    await p.addInitScript(MILESTONES);
    const cdp = await fresh.newCDPSession(p);
    await cdp.send('Performance.enable');
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
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (n: string) => (metrics.find((m) => m.name === n)?.value ?? 0) * 1000;
    const seen = await p.evaluate(() => ({
      marks: (window as any).__marks as Record<string, number>,
      resources: performance.getEntriesByType('resource').map((e) => {
        const r = e as PerformanceResourceTiming;
        return { name: r.name, start: r.startTime, end: r.responseEnd, wire: r.encodedBodySize, raw: r.decodedBodySize, type: r.initiatorType };
      }),
    }));
    runsSeen.push({ ...seen, taskMs: metric('TaskDuration'), scriptMs: metric('ScriptDuration'), layoutMs: metric('LayoutDuration') + metric('RecalcStyleDuration') });
    await fresh.close();
  }
  const load1 = os.loadavg();
  const mid = (f: (r: Run) => number) => pct(runsSeen.map(f), 50);
  const js = (r: Run) => r.resources.filter((x) => /\.js(\?|$)/.test(x.name));
  console.log(`review page with its map, cold cache: runs=${runs} p50=${pct(ms, 50).toFixed(0)} ms max=${Math.max(...ms).toFixed(0)} ms` +
    ` (load average ${load0[0].toFixed(2)} → ${load1[0].toFixed(2)}, ${os.cpus().length} CPUs)`);
  console.log(`  fetched (p50): scripts ${mid((r) => js(r).length)} files ${kb(mid((r) => sum(js(r), 'raw')))} (${kb(mid((r) => sum(js(r), 'wire')))} on the wire),` +
    ` everything ${mid((r) => r.resources.length)} requests ${kb(mid((r) => sum(r.resources, 'raw')))} (${kb(mid((r) => sum(r.resources, 'wire')))} on the wire)`);
  console.log(`  renderer main thread (p50): busy ${mid((r) => r.taskMs).toFixed(0)} ms, of which script ${mid((r) => r.scriptMs).toFixed(0)} ms, style and layout ${mid((r) => r.layoutMs).toFixed(0)} ms`);
  const names = Object.keys(runsSeen[0].marks).sort((a, b) => runsSeen[0].marks[a] - runsSeen[0].marks[b]);
  console.log(`  appeared at (p50, page clock): scripts in ${mid((r) => Math.max(0, ...js(r).map((x) => x.end))).toFixed(0)} ms, ` +
    names.map((n) => `${n} ${mid((r) => r.marks[n] ?? NaN).toFixed(0)} ms`).join(', '));
  if (waterfall) {
    const last = runsSeen[runsSeen.length - 1];
    console.log('  requests of the last run (start → end ms, on the wire / decoded):');
    for (const r of [...last.resources].sort((a, b) => a.start - b.start))
      console.log(`    ${r.start.toFixed(0).padStart(5)} → ${r.end.toFixed(0).padStart(5)}  ${kb(r.wire).padStart(7)} / ${kb(r.raw).padStart(7)}  ${r.name.replace(srv.url, '')}`);
  }
} finally {
  await browser.close();
  await srv.close();
}
