/**
 * The console's first load on the Lot demo, in Chromium: time until the request review page has its proposals and
 * its map drawn (routes included), from a cold cache, and the sizes of the built scripts.
 * Run: npm run bench -- console [--runs N] [--no-build] [--no-basemap] [--waterfall] [--dist DIR]...
 * (builds console/dist first unless told, or given builds to measure; needs the test PostgreSQL, as the tests). The
 * map counts as drawn with its commune outlines, both routes, and, unless --no-basemap (a build from before the
 * basemap had them), its roads and commune names.
 *
 * The machine is shared: beside the wall-clock figures it prints when each part of the page appeared (from the
 * page's own clock), the renderer's main-thread time (Chrome's TaskDuration, ScriptDuration: time its tasks took,
 * which a loaded machine stretches too) and the load average, so that a slow run can be told apart from a loaded
 * machine; and the CPU time the renderer processes and this process (the service, in it) actually used, which
 * the load barely changes. Several --dist (an earlier version's build, this one's) are measured in turns, run by run, each on a
 * server of its own: a before/after under the same load. --waterfall prints the requests of each build's last run,
 * in order, with their start and end and their bytes on the wire.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Browser } from 'playwright-core';
import { addUser, DIST, proposalAsk, startConsoleServer } from '../tests/console/helpers.ts';
import { launchChromium } from '../tests/helpers/browser.ts';
import type { TestServer } from '../tests/helpers/server.ts';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const basemap = !process.argv.includes('--no-basemap');
const waterfall = process.argv.includes('--waterfall');
const root = path.resolve(import.meta.dirname, '..');
const dists = process.argv.flatMap((a, i) => (a === '--dist' ? [path.resolve(process.argv[i + 1])] : []));
if (!dists.length) {
  if (!process.argv.includes('--no-build')) execFileSync('npm', ['run', 'build', '-w', 'console'], { cwd: root, stdio: 'ignore' });
  dists.push(DIST);
}

const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
for (const dist of dists) {
  const assets = path.join(dist, 'assets');
  const scripts = fs.readdirSync(assets).filter((f) => f.endsWith('.js'));
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  let total = 0;
  let gz = 0;
  if (dists.length > 1) console.log(`${dist}:`);
  for (const f of scripts) {
    const buf = fs.readFileSync(path.join(assets, f));
    total += buf.length;
    gz += zlib.gzipSync(buf).length;
    const entry = html.includes(f) ? ' (named by index.html)' : '';
    if (dists.length === 1) console.log(`script ${f.padEnd(40)} ${kb(buf.length).padStart(8)}  gzip ${kb(zlib.gzipSync(buf).length).padStart(7)}${entry}`);
  }
  console.log(`scripts: ${scripts.length} files, ${kb(total)} in all (${kb(gz)} gzipped)`);
}

interface Run {
  ms: number;
  marks: Record<string, number>;
  resources: { name: string; start: number; end: number; wire: number; raw: number }[];
  taskMs: number;
  scriptMs: number;
  layoutMs: number;
  rendererCpuMs: number;
  serviceCpuMs: number;
}
const sum = <T,>(xs: T[], k: keyof T) => xs.reduce((n, x) => n + Number(x[k]), 0);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
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

/** A server of the demo with a coordinator and a request that has proposals; the URL of its review page. */
async function target(dist: string): Promise<{ srv: TestServer; review: string }> {
  const srv = await startConsoleServer({ demo: true, options: { distDir: dist } });
  const db = srv.booted.services.db;
  const lotId = (await db.query<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`)).rows[0].id;
  await addUser(db, { email: 'bench@console.fr', password: 'correct horse battery', role: 'coordinator', territoryIds: [lotId] });
  const passengerId = (await db.query<{ id: number }>(`SELECT id FROM people WHERE is_passenger AND territory_id = $1 ORDER BY id LIMIT 1`, [lotId])).rows[0].id;
  const { proposals: _n, ...ask } = await proposalAsk(srv);
  const requestId = (await srv.api('POST', '/api/requests', { territoryId: lotId, passengerId, ...ask })).body.id;
  return { srv, review: `${srv.url}/console/#/requests/${requestId}/show` };
}

/** CPU seconds used so far by each of Chromium's renderer processes. */
async function rendererCpu(browser: Browser): Promise<Map<number, number>> {
  const cdp = await browser.newBrowserCDPSession();
  const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo' as any)) as { processInfo: { type: string; id: number; cpuTime: number }[] };
  await cdp.detach();
  return new Map(processInfo.filter((x) => x.type === 'renderer').map((x) => [x.id, x.cpuTime]));
}

async function measure(browser: Browser, url: string, review: string): Promise<Run> {
  // A new context each run: cold cache, logged in first (the login page is not measured).
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'fr-FR' });
  const page = await ctx.newPage();
  await page.goto(`${url}/console/`);
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
  const cpu0 = await rendererCpu(browser);
  const service0 = process.cpuUsage();
  const t0 = performance.now();
  await p.goto(review);
  await p.locator('[data-testid^="proposal-"]').first().waitFor({ timeout: 60_000 });
  await p.locator('[data-testid="map"] .leaflet-overlay-pane path').nth(302).waitFor({ state: 'attached', timeout: 60_000 });
  await p.locator('path.usual-route').waitFor({ state: 'attached', timeout: 60_000 });
  await p.locator('path.detour-route').waitFor({ state: 'attached', timeout: 60_000 });
  if (basemap) {
    await p.locator('[data-testid="map"] path.road').first().waitFor({ state: 'attached', timeout: 60_000 });
    await p.locator('[data-testid="map"] .commune-label').first().waitFor({ state: 'attached', timeout: 60_000 });
  }
  const ms = performance.now() - t0;
  const service = process.cpuUsage(service0);
  const cpu1 = await rendererCpu(browser);
  const rendererCpuMs = [...cpu1].reduce((n, [pid, t]) => n + (t - (cpu0.get(pid) ?? 0)) * 1000, 0);
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (n: string) => (metrics.find((m) => m.name === n)?.value ?? 0) * 1000;
  const seen = await p.evaluate(`({
    marks: window.__marks,
    resources: performance.getEntriesByType('resource').map((r) => ({ name: r.name, start: r.startTime, end: r.responseEnd, wire: r.encodedBodySize, raw: r.decodedBodySize })),
  })`) as Pick<Run, 'marks' | 'resources'>;
  await fresh.close();
  return { ms, ...seen, rendererCpuMs, serviceCpuMs: (service.user + service.system) / 1000, taskMs: metric('TaskDuration'), scriptMs: metric('ScriptDuration'), layoutMs: metric('LayoutDuration') + metric('RecalcStyleDuration') };
}

function report(label: string, url: string, seen: Run[], load: [number, number]) {
  const mid = (f: (r: Run) => number) => pct(seen.map(f), 50);
  const js = (r: Run) => r.resources.filter((x) => /\.js(\?|$)/.test(x.name));
  if (label) console.log(label);
  console.log(`review page with its map, cold cache: runs=${seen.length} p50=${mid((r) => r.ms).toFixed(0)} ms max=${Math.max(...seen.map((r) => r.ms)).toFixed(0)} ms` +
    ` (load average ${load[0].toFixed(2)} → ${load[1].toFixed(2)}, ${os.cpus().length} CPUs)`);
  console.log(`  fetched (p50): scripts ${mid((r) => js(r).length)} files ${kb(mid((r) => sum(js(r), 'raw')))} (${kb(mid((r) => sum(js(r), 'wire')))} on the wire),` +
    ` everything ${mid((r) => r.resources.length)} requests ${kb(mid((r) => sum(r.resources, 'raw')))} (${kb(mid((r) => sum(r.resources, 'wire')))} on the wire)`);
  console.log(`  renderer main thread (p50): busy ${mid((r) => r.taskMs).toFixed(0)} ms, of which script ${mid((r) => r.scriptMs).toFixed(0)} ms, style and layout ${mid((r) => r.layoutMs).toFixed(0)} ms`);
  console.log(`  CPU used (p50): renderers ${mid((r) => r.rendererCpuMs).toFixed(0)} ms, the service (and this script) ${mid((r) => r.serviceCpuMs).toFixed(0)} ms`);
  const names = Object.keys(seen[0].marks).sort((a, b) => seen[0].marks[a] - seen[0].marks[b]);
  console.log(`  appeared at (p50, page clock): ` + names.map((n) => `${n} ${mid((r) => r.marks[n] ?? NaN).toFixed(0)} ms`).join(', '));
  if (waterfall) {
    console.log('  requests of the last run (start → end ms, on the wire / decoded):');
    for (const r of [...seen[seen.length - 1].resources].sort((a, b) => a.start - b.start))
      console.log(`    ${r.start.toFixed(0).padStart(5)} → ${r.end.toFixed(0).padStart(5)}  ${kb(r.wire).padStart(7)} / ${kb(r.raw).padStart(7)}  ${r.name.replace(url, '')}`);
  }
}

const targets: { srv: TestServer; review: string }[] = [];
const browser = await launchChromium();
try {
  for (const d of dists) targets.push(await target(d));
  const seen: Run[][] = dists.map(() => []);
  const load0 = os.loadavg()[0];
  for (let i = 0; i < runs; i++) for (const [k, t] of targets.entries()) seen[k].push(await measure(browser, t.srv.url, t.review));
  const load1 = os.loadavg()[0];
  for (const [k, d] of dists.entries()) report(dists.length > 1 ? `${d}:` : '', targets[k].srv.url, seen[k], [load0, load1]);
} finally {
  await browser.close();
  for (const t of targets) await t.srv.close();
}
