/**
 * Batch assignment benchmark: `npm run bench -- assign [--requests 500] [--drivers 2000] [--seed 1] [--time-limit 8]
 * [--router straight-line|embedded]`. Seeded driver legs on real Lot routes and requests along them (synthetic.ts),
 * the candidates found by the service's matcher, then the plan: time to plan, requests served by the MILP against
 * per-request first-come greedy on the same instance, and the solver's gap to its LP relaxation bound.
 */
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { LegIndex } from '../src/matching/leg-index.ts';
import { freeSeats } from '../src/matching/legs.ts';
import { Matcher } from '../src/matching/matcher.ts';
import { DEFAULT_RULES } from '../src/matching/rules.ts';
import { seatKey, violations, type PlanCandidate } from '../src/planning/model.ts';
import { solvePlan } from '../src/planning/solve.ts';
import { createRouter } from '../src/routing/index.ts';
import { StraightLineRouter } from '../src/routing/straight-line.ts';
import { makeLegs, makeQueries, readRoutes } from './synthetic.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const REQUESTS = Number(arg('requests', '500'));
const DRIVERS = Number(arg('drivers', '2000'));
const SEED = arg('seed', '1');
const TIME_LIMIT_S = Number(arg('time-limit', '8'));
const ROUTER = arg('router', 'straight-line');
const ROUTES =
  process.env.BENCH_ROUTES ?? path.resolve(import.meta.dirname, '../../../shared/data/bench/lot-routes-20k.ndjson.gz');

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)} %` : '–');
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main() {
  console.log(
    `# batch assignment benchmark: ${REQUESTS} open requests, ${DRIVERS} drivers, seed ${SEED}, router ${ROUTER}`,
  );
  const routes = readRoutes(ROUTES);
  const legs = makeLegs(routes, Math.ceil(DRIVERS / routes.length), `assign-legs-${SEED}`).slice(0, DRIVERS);
  const index = new LegIndex();
  index.load(legs);
  const router =
    ROUTER === 'embedded'
      ? await createRouter(loadConfig({ DATA_DIR: path.join(os.tmpdir(), 'comobi-bench-data') }))
      : new StraightLineRouter();
  const matcher = new Matcher(index, router, () => DEFAULT_RULES, { tableBatch: 200, oneTable: false });
  // Dated requests only (the plan's unit is a request on a date), first come first in the list.
  const queries = makeQueries(legs, REQUESTS, `assign-queries-${SEED}`);

  let t = performance.now();
  const candidates: PlanCandidate[] = [];
  for (const [i, q] of queries.entries()) {
    const answer = await matcher.match(q);
    for (const p of answer.proposals)
      candidates.push({
        requestId: i + 1,
        tripId: p.tripId,
        driverId: p.driverId,
        leg: p.leg,
        date: q.date!,
        detourS: p.detourS,
        seats: q.seats,
        pickupMin: p.pickup.timeMin,
        dropoffMin: p.dropoff.timeMin,
      });
  }
  const matchMs = performance.now() - t;
  const capacity = new Map<string, number>();
  for (const c of candidates) capacity.set(seatKey(c), freeSeats(index.legs.get(c.tripId * 2)!, c.date));
  const withCandidates = new Set(candidates.map((c) => c.requestId)).size;
  console.log(
    `candidates (matcher)               ${candidates.length} pairs for ${withCandidates} requests with at least one, ${capacity.size} trip-leg-dates, in ${s(matchMs)}`,
  );

  const inst = { candidates, capacity };
  t = performance.now();
  const plan = await solvePlan(inst, { timeLimitS: TIME_LIMIT_S });
  const planMs = performance.now() - t;
  const broken = violations(inst, plan.chosen);
  if (broken.length) throw new Error(`the plan breaks constraints: ${broken.slice(0, 5).join('; ')}`);
  console.log(`model                              ${plan.variables} variables, ${plan.constraints} constraints`);
  console.log(
    `solver                             ${plan.source}, status ${plan.solverStatus}, time limit ${TIME_LIMIT_S} s`,
  );
  console.log(`time to plan (greedy + LP + MILP)  ${s(planMs)}   (target < 10 s for 500 × 2,000)`);
  console.log(
    `served, per-request greedy         ${plan.greedyServed} / ${REQUESTS} (${pct(plan.greedyServed, REQUESTS)}), detour ${Math.round(plan.greedyDetourS / 60)} min`,
  );
  console.log(
    `served, batch plan                 ${plan.served} / ${REQUESTS} (${pct(plan.served, REQUESTS)}), detour ${Math.round(plan.totalDetourS / 60)} min`,
  );
  console.log(`served at most (LP bound)          ${plan.servedBound ?? '–'}`);
  console.log(
    `gap to the LP bound                ${plan.gapPct === null ? '–' : `${plan.gapPct.toFixed(3)} %`} of the objective`,
  );
  console.log(
    `served share: per-request ${pct(plan.greedyServed, REQUESTS)}, batch ${pct(plan.served, REQUESTS)} (ratio ${(plan.served / Math.max(1, plan.greedyServed)).toFixed(3)})`,
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
