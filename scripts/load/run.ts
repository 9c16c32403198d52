/**
 * Load and fault scripts (loopback only, bounded, they stop by themselves):
 *   npm run load -- [load|db-restart|router-down|kill|all] [--rate 200] [--duration 60]
 * Each run makes a throwaway PostgreSQL 15 cluster on its own port (initdb/pg_ctl), loads the Lot demo into it with
 * the real service, runs the scenarios, prints JSON figures and removes the cluster.
 */
import { parseArgs } from 'node:util';
import { createCluster } from './cluster.ts';
import { dbRestartScenario, killScenario, loadScenario, routerDownScenario } from './scenarios.ts';
import { startService } from './service.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { rate: { type: 'string', default: '200' }, duration: { type: 'string', default: '60' } },
});
const which = positionals[0] ?? 'all';
const all = which === 'all';
const known = ['load', 'db-restart', 'router-down', 'kill', 'all'];
if (!known.includes(which)) {
  console.error(`usage: npm run load -- [${known.join('|')}]`);
  process.exit(2);
}
const rate = Number(values.rate), durationS = Number(values.duration);
const print = (o: unknown) => console.log(JSON.stringify(o, null, 2));

const cluster = createCluster();
const hardStop = setTimeout(() => {
  console.error('load: hard time limit reached (20 min), stopping');
  cluster.destroy();
  process.exit(1);
}, 20 * 60_000);
try {
  const t = performance.now();
  // First start: migrations and the demo territory (320 drivers, routed by the embedded router).
  const svc = await startService({ DATABASE_URL: cluster.url, DEMO: 'auto' });
  console.error(`load: cluster ready and demo loaded in ${Math.round(performance.now() - t)} ms`);
  try {
    if (all || which === 'load') print(await loadScenario(svc, { rate, durationS }));
    if (all || which === 'db-restart') print(await dbRestartScenario(svc, cluster, { rate: 20, durationS: 30, downAtS: 8, downForS: 6 }));
  } finally {
    await svc.stop();
  }
  if (all || which === 'router-down') print(await routerDownScenario(cluster.url, { deadlineMs: 1500, requests: 30 }));
  if (all || which === 'kill') print(await killScenario(cluster.url, { cycles: 3, killAfterMs: 2500, concurrency: 8 }));
} finally {
  clearTimeout(hardStop);
  cluster.destroy();
}
