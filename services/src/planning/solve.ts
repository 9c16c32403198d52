import { createRequire } from 'node:module';
import { greedyPlan } from './greedy.ts';
import { buildModel, objectiveOf } from './milp.ts';
import {
  servedRequests,
  violations,
  type Plan,
  type PlanCandidate,
  type PlanInstance,
  type PlanOptions,
} from './model.ts';

interface HighsColumn {
  Primal: number;
}
interface HighsSolution {
  Status: string;
  ObjectiveValue: number;
  Columns: Record<string, HighsColumn>;
}
interface Highs {
  solve(model: string, options?: Record<string, unknown>): HighsSolution;
}

const require = createRequire(import.meta.url);
let loading: Promise<Highs> | undefined;

/**
 * HiGHS compiled to WebAssembly (its .wasm ships in the package, found next to its loader). The module is shared;
 * after an abort its memory cannot be trusted, so the next solve loads a fresh one.
 */
function highs(): Promise<Highs> {
  loading ??= (require('highs') as (o?: object) => Promise<Highs>)();
  return loading;
}

const SOLVER_OPTIONS = { output_flag: false, log_to_console: false, presolve: 'on' };

/**
 * The plan for an instance: the MILP solved within the time limit, its LP relaxation as the bound, the per-request
 * greedy answer beside it. The greedy answer is the plan when the solver fails, runs out of time without a solution,
 * or finds one that is not better.
 */
export async function solvePlan(inst: PlanInstance, opts: PlanOptions): Promise<Plan> {
  const spread = opts.spreadWeightS ?? 300;
  const t0 = performance.now();
  const greedy = greedyPlan(inst);
  const model = buildModel(inst, spread);
  const greedyObjective = objectiveOf(inst, greedy, model.servedWeight, spread);
  let chosen: PlanCandidate[] = greedy;
  let source: Plan['source'] = 'greedy';
  let solverStatus = 'not run';
  let lpBound: number | null = null;
  if (inst.candidates.length) {
    try {
      const h = await highs();
      const remaining = () => Math.max(0.001, opts.timeLimitS - (performance.now() - t0) / 1000);
      const relaxed = h.solve(model.relaxation, { ...SOLVER_OPTIONS, time_limit: remaining() });
      if (relaxed.Status === 'Optimal') lpBound = relaxed.ObjectiveValue;
      const milp = h.solve(model.lp, {
        ...SOLVER_OPTIONS,
        time_limit: remaining(),
        mip_rel_gap: opts.mipRelGap ?? 1e-4,
      });
      solverStatus = milp.Status;
      const picked = solutionOf(inst.candidates, milp);
      // Tolerances can leave a rounded answer slightly off: only a valid plan replaces the greedy one.
      if (
        picked &&
        !violations(inst, picked).length &&
        objectiveOf(inst, picked, model.servedWeight, spread) > greedyObjective
      ) {
        chosen = picked;
        source = 'milp';
      }
    } catch (e) {
      loading = undefined;
      solverStatus = `error: ${(e as Error).message}`.slice(0, 200);
    }
  }
  const served = servedRequests(inst, chosen).size;
  const objective = objectiveOf(inst, chosen, model.servedWeight, spread);
  const detour = (xs: PlanCandidate[]) => xs.reduce((n, c) => n + c.detourS, 0);
  return {
    source,
    solverStatus,
    chosen,
    served,
    greedyServed: servedRequests(inst, greedy).size,
    greedyChosen: greedy,
    totalDetourS: detour(chosen),
    greedyDetourS: detour(greedy),
    objective,
    lpBound,
    gapPct: lpBound && lpBound > 0 ? Math.max(0, ((lpBound - objective) / lpBound) * 100) : lpBound === null ? null : 0,
    // served·W − (detour + spread) ≤ bound with detour + spread < W: served < bound/W + 1.
    servedBound: lpBound === null ? null : Math.ceil(lpBound / model.servedWeight - 1e-9),
    servedWeight: model.servedWeight,
    solveMs: Math.round(performance.now() - t0),
    variables: model.variables,
    constraints: model.constraints,
  };
}

/** The candidates set to 1 in the solver's answer; none when it has no integer solution to give. */
function solutionOf(cs: PlanCandidate[], s: HighsSolution): PlanCandidate[] | null {
  if (!s.Columns || !['Optimal', 'Time limit reached', 'Interrupted by user'].includes(s.Status)) return null;
  const out: PlanCandidate[] = [];
  for (let i = 0; i < cs.length; i++) {
    const col = s.Columns[`x${i}`];
    if (col === undefined || !Number.isFinite(col.Primal)) return null;
    if (col.Primal > 0.5) out.push(cs[i]);
  }
  return out;
}
