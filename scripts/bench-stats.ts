/**
 * Public statistics on the Lot demo: latency of GET /api/stats (JSON, CSV) and of the /stats page over HTTP.
 * Run: npx tsx scripts/bench-stats.ts  (needs the test PostgreSQL at 127.0.0.1:5432, as the tests).
 */
import { publicPlugin } from '../services/src/public/plugin.ts';
import { startServer } from '../tests/helpers/server.ts';

const RUNS = 50;
const srv = await startServer({ demo: true, plugins: () => [publicPlugin({ RETENTION_JOB: 'off' })] });
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
try {
  for (const [name, path] of [
    ['api json, territory', '/api/stats?territory=lot'],
    ['api json, all territories', '/api/stats'],
    ['api csv, territory', '/api/stats?territory=lot&format=csv'],
    ['page /stats', '/stats?territoire=lot'],
  ] as const) {
    await (await fetch(srv.url + path)).text(); // warm-up (commune outlines cached once an hour)
    const ms: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const res = await fetch(srv.url + path);
      await res.text();
      ms.push(performance.now() - t0);
    }
    console.log(`${name.padEnd(28)} runs=${RUNS} p50=${pct(ms, 50).toFixed(1)} ms p95=${pct(ms, 95).toFixed(1)} ms max=${Math.max(...ms).toFixed(1)} ms`);
  }
} finally {
  await srv.close();
}
