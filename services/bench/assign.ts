/**
 * Batch assignment benchmark: `npm run bench -- assign [--requests 500] [--drivers 2000] [--volunteers 50] [--seed 1]
 * [--time-limit 8] [--router straight-line|embedded]`. Seeded driver legs on real Lot routes and requests along them
 * (synthetic.ts), seeded volunteer drivers over the Lot (weekly slots, limits from home, as the match bench seeds
 * them), the candidates found by the service's matcher and volunteer matching (the same functions, without a store:
 * volunteersAmong) in the service's ranked order (rankedCandidates), then the plan: time to plan, requests served by
 * the MILP against per-request first-come greedy on the same instance, and the solver's gap to its LP relaxation bound.
 */
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { LegIndex } from '../src/matching/leg-index.ts';
import { freeSeats } from '../src/matching/legs.ts';
import { Matcher } from '../src/matching/matcher.ts';
import { DEFAULT_RULES } from '../src/matching/rules.ts';
import seedrandom from 'seedrandom';
import { outingsToPlan, rankedCandidates } from '../src/domain/planning.ts';
import type { VolunteerCandidate } from '../src/domain/volunteers.ts';
import { volunteersAmong } from '../src/matching/volunteers.ts';
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
const VOLUNTEERS = Number(arg('volunteers', '50'));
const SEED = arg('seed', '1');
const TIME_LIMIT_S = Number(arg('time-limit', '8'));
const ROUTER = arg('router', 'straight-line');
const ROUTES =
  process.env.BENCH_ROUTES ?? path.resolve(import.meta.dirname, '../../../shared/data/bench/lot-routes-20k.ndjson.gz');

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)} %` : '–');
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * Volunteers over the Lot as the match bench seeds them (services/bench/volunteers.ts): homes anywhere in the Lot's
 * box, 20–50 km or 25–60 min from home, about half the weekdays, a morning and an afternoon slot or a long day.
 * Person ids from 10,000,000 on: apart from the drivers'.
 */
function makeVolunteers(n: number, seed: string): VolunteerCandidate[] {
  const rng = seedrandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const days = [1, 2, 3, 4, 5, 6].filter(() => rng() < 0.45);
    const home: [number, number] = [1.0 + rng() * 1.2, 44.2 + rng() * 0.75];
    const maxKm = rng() < 0.8 ? 20 + Math.round(rng() * 30) : null;
    const maxMinutes = 25 + Math.round(rng() * 35);
    return {
      personId: 10_000_000 + i,
      territoryId: 1,
      home,
      maxKm,
      maxMinutes,
      seats: 3,
      wheelchair: rng() < 0.1,
      purposes: ['health', 'work', 'training', 'shopping', 'admin', 'leisure', 'other'].filter(
        (p) => p === 'health' || rng() < 0.6,
      ) as VolunteerCandidate['purposes'],
      directContact: false,
      slots: (days.length ? days : [2]).flatMap((weekday) =>
        rng() < 0.5
          ? [
              { weekday, startMin: 480, endMin: 720 },
              { weekday, startMin: 840, endMin: 1080 },
            ]
          : [{ weekday, startMin: 420 + Math.round(rng() * 4) * 30, endMin: 1140 }],
      ),
      exceptions: [],
      booked: [],
      recentAsks: 0,
    };
  });
}

async function main() {
  console.log(
    `# batch assignment benchmark: ${REQUESTS} open requests, ${DRIVERS} drivers, ${VOLUNTEERS} volunteers, seed ${SEED}, router ${ROUTER}`,
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

  const volunteers = makeVolunteers(VOLUNTEERS, `assign-volunteers-${SEED}`);
  const noCosts = async () => new Map();

  let t = performance.now();
  const candidates: PlanCandidate[] = [];
  let volunteerMs = 0;
  for (const [i, q] of queries.entries()) {
    const answer = await matcher.match(q);
    const v0 = performance.now();
    const vol = VOLUNTEERS
      ? await volunteersAmong(router, { ...q, purpose: 'health', needs: [] }, volunteers, noCosts, { allTimes: true })
      : { proposals: [] };
    volunteerMs += performance.now() - v0;
    candidates.push(
      ...rankedCandidates(
        { requestId: i + 1, date: q.date!, seats: q.seats },
        'outbound',
        answer.proposals,
        outingsToPlan(vol.proposals),
        false,
      ),
    );
  }
  const matchMs = performance.now() - t;
  const capacity = new Map<string, number>();
  for (const c of candidates)
    if (!c.volunteer) capacity.set(seatKey(c), freeSeats(index.legs.get(c.tripId * 2)!, c.date));
  const withCandidates = new Set(candidates.map((c) => c.requestId)).size;
  const ofVolunteers = candidates.filter((c) => c.volunteer);
  console.log(
    `candidates (matcher + volunteers)  ${candidates.length} pairs for ${withCandidates} requests with at least one, ${capacity.size} trip-leg-dates, in ${s(matchMs)} (volunteers ${s(volunteerMs)})`,
  );
  console.log(
    `  of which volunteers' outings     ${ofVolunteers.length} for ${new Set(ofVolunteers.map((c) => c.requestId)).size} requests, ${new Set(ofVolunteers.map((c) => c.driverId)).size} volunteers; requests with volunteers only: ${[...new Set(ofVolunteers.map((c) => c.requestId))].filter((r) => !candidates.some((c) => c.requestId === r && !c.volunteer)).length}`,
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
  const byVolunteer = (xs: PlanCandidate[]) => xs.filter((c) => c.volunteer).length;
  console.log(
    `served by a volunteer              per-request ${byVolunteer(plan.greedyChosen)}, batch ${byVolunteer(plan.chosen)}`,
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
