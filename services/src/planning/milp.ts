import { conflicts, seatKey, servedRequests, unitsOf, type PlanCandidate, type PlanInstance } from './model.ts';

/**
 * The MILP in CPLEX LP format (what HiGHS reads), over one binary x_i per candidate:
 *   maximise  Σ (W − detour_i) x_i − spread · Σ_d (e1_d + e2_d)
 *   each request at most once; the seats of each trip leg on each date; a driver's overlapping rides on one date
 *   exclusive; a round trip's two requests served together; fixed matches at 1;
 *   e1_d ≥ load_d − 1, e2_d ≥ load_d − 2 (a driver's third passenger costs more than the second: loads spread).
 * A round-trip request r (twoLegs) has each leg at most once and a binary y_r that carries its W instead of its
 * candidates: y_r ≤ Σ x_out(r), y_r ≤ Σ x_ret(r) (served only with both legs), and Σ x_leg(r) ≤ y_r over the legs
 * that are not fixed (no seat held for half a trip; a fixed leg stays even when its other leg finds no seat).
 * Volunteer candidates have no seat row; two outings of one volunteer that overlap on a date exclude each other
 * (pairwise rows: a volunteer has a few outings a day); an outing there and back (bothLegs) is in both legs' rows.
 * W exceeds every detour and every spread cost of the instance added up, so one more request served always wins
 * (the order of the criteria is strict), and the served count can be read from the LP bound.
 */
export interface BuiltModel {
  lp: string;
  /** The same model without integrality: its optimum bounds every plan. */
  relaxation: string;
  servedWeight: number;
  variables: number;
  constraints: number;
}

/**
 * A candidate's cost in the objective: its detour, and a second a minute for a volunteer's outing shifted from the
 * time the request's page proposes (a tie-breaker: among equal plans, passengers go at the time they asked).
 */
const costOf = (c: PlanCandidate) => c.detourS + (c.shiftMin ?? 0);

/** LP format lines stay short: readers cap line length, and terms may continue on the next line. */
function sum(terms: string[]): string {
  const lines: string[] = [];
  for (let i = 0; i < terms.length; i += 20) lines.push(terms.slice(i, i + 20).join(' '));
  return lines.join('\n   ');
}
const term = (coef: number, name: string, first: boolean) =>
  coef < 0 ? `- ${-coef} ${name}` : first ? `${coef} ${name}` : `+ ${coef} ${name}`;

export function buildModel(inst: PlanInstance, spreadWeightS: number): BuiltModel {
  const cs = inst.candidates;
  const x = (i: number) => `x${i}`;
  const byRequest = new Map<number, number[]>();
  const byUnit = new Map<string, number[]>();
  const byKey = new Map<string, number[]>();
  const byDriver = new Map<number, number[]>();
  const push = <K>(m: Map<K, number[]>, key: K, i: number) => {
    const ids = m.get(key);
    if (ids) ids.push(i);
    else m.set(key, [i]);
  };
  cs.forEach((c, i) => {
    push(byRequest, c.requestId, i);
    for (const u of unitsOf(c)) push(byUnit, u, i);
    if (!c.volunteer) push(byKey, seatKey(c), i);
    push(byDriver, c.driverId, i);
  });
  const two = new Set((inst.twoLegs ?? []).filter((r) => byRequest.has(r)));
  let maxDetours = 0;
  for (const ids of byUnit.values()) maxDetours += Math.max(0, ...ids.map((i) => costOf(cs[i])));
  const spreadDrivers = [...byDriver.entries()].filter(([, ids]) => new Set(ids.map((i) => cs[i].requestId)).size > 1);
  const servedWeight = Math.ceil(maxDetours + 2 * spreadWeightS * byUnit.size) + 1;

  const rows: string[] = [];
  let k = 0;
  for (const [, ids] of byUnit)
    if (ids.length > 1) rows.push(` req${k++}: ${sum(ids.map((i, j) => term(1, x(i), j === 0)))} <= 1`);
  const y = (r: number) => `y${r}`;
  for (const r of two) {
    for (const leg of ['outbound', 'return']) {
      const ids = byUnit.get(`${r}:${leg}`) ?? [];
      // y_r ≤ Σ x_leg: with no candidate on a leg, y_r ≤ 0.
      rows.push(
        ` ${leg === 'outbound' ? 'out' : 'ret'}${r}: ${y(r)}${ids.length ? ` ${sum(ids.map((i) => `- ${x(i)}`))}` : ''} <= 0`,
      );
      const free = ids.filter((i) => !cs[i].fixed);
      if (free.length && free.length === ids.length)
        rows.push(
          ` half${leg === 'outbound' ? 'o' : 'r'}${r}: ${sum(free.map((i, j) => term(1, x(i), j === 0)))} - ${y(r)} <= 0`,
        );
    }
  }
  k = 0;
  for (const [key, ids] of byKey) {
    const cap = inst.capacity.get(key) ?? 0;
    const need = ids.reduce((n, i) => n + cs[i].seats, 0);
    // Fixed matches keep their seats even when a trip's seats were lowered since: the others get what is left.
    const fixedSeats = ids.filter((i) => cs[i].fixed).reduce((n, i) => n + cs[i].seats, 0);
    if (need > cap)
      rows.push(
        ` seat${k++}: ${sum(ids.map((i, j) => term(cs[i].seats, x(i), j === 0)))} <= ${Math.max(cap, fixedSeats)}`,
      );
  }
  k = 0;
  for (const [, ids] of byDriver) {
    // A volunteer's outings of one date are intervals: one row per maximal set that overlaps at one time (a clique of
    // the interval graph) says "at most one of these" and is exact, where pairwise rows leave the LP bound loose
    // (each pair at ½). Pairs that involve a commuter's ride stay pairwise (two passengers of one trip leg ride
    // together).
    const outings = ids.filter((i) => cs[i].volunteer && !cs[i].fixed);
    for (const clique of overlapCliques(outings, cs))
      rows.push(` busy${k++}: ${sum(clique.map((i, j) => term(1, x(i), j === 0)))} <= 1`);
    const inCliques = new Set(outings);
    for (let a = 0; a < ids.length; a++)
      for (let b = a + 1; b < ids.length; b++) {
        if (inCliques.has(ids[a]) && inCliques.has(ids[b])) continue;
        // Two fixed matches stay as they were agreed, even when they overlap.
        if (conflicts(cs[ids[a]], cs[ids[b]]) && !(cs[ids[a]].fixed && cs[ids[b]].fixed))
          rows.push(` busy${k++}: ${x(ids[a])} + ${x(ids[b])} <= 1`);
      }
  }
  k = 0;
  for (const [a, b] of inst.roundTrips ?? []) {
    const ia = byRequest.get(a) ?? [];
    const ib = byRequest.get(b) ?? [];
    const terms = [...ia.map((i) => `+ ${x(i)}`), ...ib.map((i) => `- ${x(i)}`)];
    if (!terms.length) continue;
    // A request of the pair without any candidate forbids the other.
    rows.push(` both${k++}: 0 ${sum(terms)} = 0`);
  }
  const objective: string[] = cs.map((c, i) =>
    term(two.has(c.requestId) ? -costOf(c) : servedWeight - costOf(c), x(i), i === 0),
  );
  for (const r of two) objective.push(`+ ${servedWeight} ${y(r)}`);
  for (const [d, ids] of spreadDrivers) {
    const load = ids.map((i) => `+ ${x(i)}`);
    rows.push(` one${d}: ${sum(load)} - e1d${d} <= 1`);
    rows.push(` two${d}: ${sum(load)} - e2d${d} <= 2`);
    objective.push(`- ${spreadWeightS} e1d${d}`, `- ${spreadWeightS} e2d${d}`);
  }
  const bounds = [
    ...cs.map((c, i) => (c.fixed ? ` ${x(i)} = 1` : ` 0 <= ${x(i)} <= 1`)),
    ...[...two].map((r) => ` 0 <= ${y(r)} <= 1`),
  ];
  const head = [
    'Maximize',
    ` obj: ${objective.length ? sum(objective) : '0 x0'}`,
    'Subject To',
    ...rows,
    'Bounds',
    ...bounds,
  ];
  const binaries = [...cs.map((_, i) => x(i)), ...[...two].map(y)];
  const lp = [...head, 'Binary', ` ${sum(binaries)}`, 'End', ''].join('\n');
  const relaxation = [...head, 'End', ''].join('\n');
  return {
    lp,
    relaxation,
    servedWeight,
    variables: cs.length + two.size + 2 * spreadDrivers.length,
    constraints: rows.length,
  };
}

/** The objective of a set of chosen candidates, as the MILP counts it. */
export function objectiveOf(
  inst: PlanInstance,
  chosen: PlanCandidate[],
  servedWeight: number,
  spreadWeightS: number,
): number {
  const load = new Map<number, number>();
  let v = servedWeight * servedRequests(inst, chosen).size;
  for (const c of chosen) {
    v -= costOf(c);
    load.set(c.driverId, (load.get(c.driverId) ?? 0) + 1);
  }
  for (const n of load.values()) v -= spreadWeightS * (Math.max(0, n - 1) + Math.max(0, n - 2));
  return v;
}

/**
 * The maximal sets of candidates (indices into cs) whose [pickupMin, dropoffMin) intervals share a time on one date:
 * a sweep over the starts and ends (an end before a start at the same minute: back home at 10:00 and leaving at 10:00
 * do not overlap), one set each time an interval ends after another began. Sets of one are left out.
 */
export function overlapCliques(ids: number[], cs: PlanCandidate[]): number[][] {
  const byDate = new Map<string, number[]>();
  for (const i of ids) byDate.set(cs[i].date, [...(byDate.get(cs[i].date) ?? []), i]);
  const out: number[][] = [];
  for (const group of byDate.values()) {
    const events = group.flatMap((i) => [
      { t: cs[i].pickupMin, start: true, i },
      { t: cs[i].dropoffMin, start: false, i },
    ]);
    events.sort((a, b) => a.t - b.t || Number(a.start) - Number(b.start));
    const active = new Set<number>();
    let grew = false;
    for (const e of events) {
      if (e.start) {
        active.add(e.i);
        grew = true;
        continue;
      }
      if (grew && active.size > 1) out.push([...active]);
      grew = false;
      active.delete(e.i);
    }
  }
  return out;
}
