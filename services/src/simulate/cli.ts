/**
 * `npm run simulate -- [--territory lot] [--from YYYY-MM-DD] [--days 30] [--seed N | --seeds 1,2,3,4,5] [--demand 1]`
 *
 * Replays a seeded month of demand and supply calibrated on the Lot's published figures (calibration.ts) through the
 * real service: booted as `npm start` boots it (embedded router on the Lot's roads; the store is an in-memory PGlite,
 * or the PostgreSQL of DATABASE_URL), its HTTP API on loopback, the matcher and the planner. Prints both strategies
 * side by side; the last line is `served share: per-request X %, batch Y % (ratio R)` (with --seeds: the means).
 * `--demand F` multiplies the asks by F: a sensitivity run (how much contention batch needs), said so in its output.
 */
import crypto from 'node:crypto';
import type { Db } from '@comobi/db';
import { addDays } from '../time/days.ts';
import type { SimulationResult } from './run.ts';

function args(argv: string[]) {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
    out.set(a.slice(2), v);
    i++;
  }
  for (const k of out.keys())
    if (!['territory', 'from', 'days', 'seed', 'seeds', 'demand'].includes(k)) throw new Error(`unknown option --${k}`);
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

async function main() {
  const a = args(process.argv.slice(2));
  const territory = a.get('territory') ?? 'lot';
  // The calibration and the fixtures are the Lot's; another territory has no published figures to replay.
  if (territory !== 'lot') throw new Error(`--territory: only "lot" has a calibrated scenario (got "${territory}")`);
  const from = a.get('from') ?? addDays(new Date().toISOString().slice(0, 10), 1);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || Number.isNaN(Date.parse(from))) throw new Error('--from: expected YYYY-MM-DD');
  const days = Number(a.get('days') ?? '30');
  if (!Number.isInteger(days) || days < 1 || days > 120) throw new Error('--days: a whole number from 1 to 120');
  const demandFactor = Number(a.get('demand') ?? '1');
  if (!(demandFactor > 0 && demandFactor <= 50)) throw new Error('--demand: a factor above 0, at most 50');
  const seeds = (a.get('seeds') ?? a.get('seed') ?? '1').split(',').map((x) => x.trim()).filter(Boolean);

  // The service's modules load once the options are known good: a typo is answered at once.
  const [{ openDb }, { boot }, { loadConfig }, { ratioOf, report, servedShare, simulate }] = await Promise.all([
    import('@comobi/db'),
    import('../boot.ts'),
    import('../config.ts'),
    import('./run.ts'),
  ]);
  const token = crypto.randomBytes(24).toString('hex');
  const config = loadConfig({ ...process.env, ADMIN_TOKEN: token, DEMO: 'off', LOG_LEVEL: 'silent' });
  // No DATABASE_URL: a PGlite in memory, gone with the process (never the ./data store of `npm start`).
  const db: Db = config.DATABASE_URL ? await openDb(config) : await (await import('@comobi/db/pglite')).openPglite();
  const booted = await boot(config, { db });
  const results: SimulationResult[] = [];
  try {
    for (const seed of seeds) {
      const res = await simulate(booted, token, { seed, from, days, demandFactor }, `${seed}-${crypto.randomBytes(3).toString('hex')}`);
      results.push(res);
      for (const line of report(res)) console.log(line);
      console.log('');
    }
  } finally {
    await booted.close();
  }
  if (results.length > 1) {
    const x = results.map((r) => servedShare(r.perRequest));
    const y = results.map((r) => servedShare(r.batch));
    const r = results.map(ratioOf);
    console.log(`# ${results.length} seeds (${seeds.join(', ')}): mean ± standard deviation`);
    console.log(`#   per-request ${mean(x).toFixed(1)} ± ${sd(x).toFixed(1)} %, batch ${mean(y).toFixed(1)} ± ${sd(y).toFixed(1)} %`);
    const sum = (f: (x: SimulationResult) => number) => results.reduce((t, x) => t + f(x), 0);
    console.log(
      `#   requests ${sum((x) => x.perRequest.requests)} (a round trip one, ${sum((x) => x.perRequest.roundTrips)} round trips); round trips served both ways: per-request ${sum((x) => x.perRequest.roundTripsBothWays)}, batch ${sum((x) => x.batch.roundTripsBothWays)}`,
    );
    console.log(`#   ratio ${mean(r).toFixed(2)} ± ${sd(r).toFixed(2)} (min ${Math.min(...r).toFixed(2)}, max ${Math.max(...r).toFixed(2)})`);
    console.log(`served share: per-request ${mean(x).toFixed(1)} %, batch ${mean(y).toFixed(1)} % (ratio ${(mean(y) / mean(x)).toFixed(2)})`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error((e as Error).message);
    process.exit(1);
  },
);
