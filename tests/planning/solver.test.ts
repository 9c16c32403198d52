import { describe, expect, it } from 'vitest';
import { greedyPlan } from '../../services/src/planning/greedy.ts';
import { seatKey, violations, type PlanCandidate, type PlanInstance } from '../../services/src/planning/model.ts';
import { solvePlan } from '../../services/src/planning/solve.ts';
import { cand, DATE } from './candidates.ts';

const seats = (entries: [number, number][]) => new Map(entries.map(([trip, n]) => [`${trip}:outbound:${DATE}`, n]));
const solve = (inst: PlanInstance, timeLimitS = 10) => solvePlan(inst, { timeLimitS });

/** A seeded instance where many requests compete for few seats: greedy leaves some on the table. */
function contested(requests: number, trips: number, seed: number): PlanInstance {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const candidates: PlanCandidate[] = [];
  for (let r = 1; r <= requests; r++) {
    const k = 1 + Math.floor(rnd() * 4);
    const seen = new Set<number>();
    for (let j = 0; j < k; j++) {
      const t = 1 + Math.floor(rnd() * trips);
      if (seen.has(t)) continue;
      seen.add(t);
      const start = 420 + Math.floor(rnd() * 120);
      candidates.push(cand(r, t, { detourS: Math.floor(rnd() * 900), pickupMin: start, dropoffMin: start + 20 }));
    }
  }
  return { candidates, capacity: seats(Array.from({ length: trips }, (_, i) => [i + 1, 1 + (i % 2)])) };
}

describe('batch assignment solver', () => {
  it('serves more than first-come greedy when the first caller had alternatives', async () => {
    // One driver (trip 10, one seat), two requests: the first could also ride trip 11, the second only trip 10.
    const inst: PlanInstance = {
      candidates: [cand(1, 10, { detourS: 60 }), cand(1, 11, { detourS: 300 }), cand(2, 10, { detourS: 90 })],
      capacity: seats([[10, 1], [11, 1]]),
    };
    const plan = await solve(inst);
    expect(plan.greedyServed).toBe(1);
    expect(plan.greedyChosen.map((c) => [c.requestId, c.tripId])).toEqual([[1, 10]]);
    expect(plan.source).toBe('milp');
    expect(plan.served).toBe(2);
    expect(plan.chosen.map((c) => [c.requestId, c.tripId]).sort()).toEqual([[1, 11], [2, 10]]);
    expect(violations(inst, plan.chosen)).toEqual([]);
    expect(plan.lpBound).not.toBeNull();
    expect(plan.lpBound!).toBeGreaterThanOrEqual(plan.objective - 1e-6);
    expect(plan.servedBound).toBe(2);
  });

  it('then takes the smaller detours among plans serving as many', async () => {
    const inst: PlanInstance = {
      candidates: [cand(1, 10, { detourS: 500 }), cand(1, 11, { detourS: 100 })],
      capacity: seats([[10, 1], [11, 1]]),
    };
    const plan = await solve(inst);
    expect(plan.chosen.map((c) => c.tripId)).toEqual([11]);
    expect(plan.totalDetourS).toBe(100);
  });

  it('respects the seats of each trip leg on each date, counting what each request needs', async () => {
    // Three seats: a family of two and one of the singles fit, not all four people.
    const inst: PlanInstance = {
      candidates: [cand(1, 10), cand(2, 10, { seats: 2 }), cand(3, 10), cand(4, 10, { date: '2026-12-02' })],
      capacity: new Map([
        [seatKey(cand(0, 10)), 3],
        [seatKey(cand(0, 10, { date: '2026-12-02' })), 1],
      ]),
    };
    const plan = await solve(inst);
    expect(violations(inst, plan.chosen)).toEqual([]);
    const onFirst = plan.chosen.filter((c) => c.date === DATE);
    expect(onFirst.reduce((n, c) => n + c.seats, 0)).toBe(3);
    expect(onFirst).toHaveLength(2);
    expect(plan.served).toBe(3);
  });

  it('keeps a driver in one place at a time: overlapping rides on two of their trips exclude each other', async () => {
    const overlapping: PlanInstance = {
      candidates: [cand(1, 10, { driverId: 7 }), cand(2, 11, { driverId: 7, pickupMin: 500, dropoffMin: 530 })],
      capacity: seats([[10, 3], [11, 3]]),
    };
    const plan = await solve(overlapping);
    expect(plan.served).toBe(1);
    expect(violations(overlapping, plan.chosen)).toEqual([]);
    const apart: PlanInstance = {
      candidates: [cand(1, 10, { driverId: 7 }), cand(2, 11, { driverId: 7, pickupMin: 1000, dropoffMin: 1030 })],
      capacity: seats([[10, 3], [11, 3]]),
    };
    expect((await solve(apart)).served).toBe(2);
  });

  it('never moves a confirmed match, even where moving it would serve one more', async () => {
    // Request 1 holds trip 10's only seat; moving it to 11 would free 10 for request 2: the plan must not.
    const inst: PlanInstance = {
      candidates: [cand(1, 10, { fixed: true }), cand(1, 11), cand(2, 10)],
      capacity: seats([[10, 1], [11, 1]]),
    };
    const plan = await solve(inst);
    expect(plan.chosen.map((c) => [c.requestId, c.tripId, Boolean(c.fixed)])).toEqual([[1, 10, true]]);
    expect(plan.served).toBe(1);
    expect(violations(inst, plan.chosen)).toEqual([]);
  });

  it('serves a round trip both ways or not at all (the hook for requests with a return)', async () => {
    const inst: PlanInstance = {
      candidates: [cand(1, 10), cand(3, 11)],
      capacity: seats([[10, 1], [11, 1]]),
      roundTrips: [[1, 2]],
    };
    const plan = await solve(inst);
    expect(plan.chosen.map((c) => c.requestId)).toEqual([3]);
    expect(greedyPlan(inst).map((c) => c.requestId)).toEqual([3]);
  });

  it('spreads the load: two drivers with two seats each take one of two passengers each at equal detours', async () => {
    const inst: PlanInstance = {
      candidates: [cand(1, 10), cand(1, 11), cand(2, 10), cand(2, 11)],
      capacity: seats([[10, 2], [11, 2]]),
    };
    const plan = await solve(inst);
    expect(new Set(plan.chosen.map((c) => c.driverId)).size).toBe(2);
    // Greedy puts both on the first driver.
    expect(new Set(plan.greedyChosen.map((c) => c.driverId)).size).toBe(1);
  });

  it('on a contested instance, serves at least as many as greedy, within the LP bound, with a valid plan', async () => {
    const inst = contested(300, 120, 42);
    const plan = await solve(inst);
    expect(violations(inst, plan.chosen)).toEqual([]);
    expect(violations(inst, plan.greedyChosen)).toEqual([]);
    expect(plan.served).toBeGreaterThan(plan.greedyServed);
    expect(plan.servedBound!).toBeGreaterThanOrEqual(plan.served);
    expect(plan.gapPct!).toBeGreaterThanOrEqual(0);
  });

  it('falls back to the greedy answer when the time limit stops the solver before it has a plan', async () => {
    const inst = contested(2000, 600, 7);
    const plan = await solvePlan(inst, { timeLimitS: 0.001 });
    expect(plan.solverStatus).toMatch(/time limit/i);
    expect(plan.source).toBe('greedy');
    expect(plan.chosen).toEqual(plan.greedyChosen);
    expect(plan.served).toBe(plan.greedyServed);
    expect(violations(inst, plan.chosen)).toEqual([]);
  });
});
