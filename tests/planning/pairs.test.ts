import { describe, expect, it } from 'vitest';
import { greedyPlan } from '../../services/src/planning/greedy.ts';
import { seatKey, violations, type PlanCandidate, type PlanInstance } from '../../services/src/planning/model.ts';
import { overlapCliques } from '../../services/src/planning/milp.ts';
import { solvePlan } from '../../services/src/planning/solve.ts';
import { cand, DATE } from './candidates.ts';

/** A return leg of a round-trip request, in the afternoon. */
const back = (requestId: number, tripId: number, o: Partial<PlanCandidate> = {}) =>
  cand(requestId, tripId, { requestLeg: 'return', pickupMin: 1020, dropoffMin: 1050, ...o });
/** A volunteer's outing, home → home, with no trip of its own. */
const outing = (
  requestId: number,
  volunteerId: number,
  startMin: number,
  endMin: number,
  o: Partial<PlanCandidate> = {},
) => cand(requestId, 0, { driverId: volunteerId, volunteer: true, pickupMin: startMin, dropoffMin: endMin, ...o });
const seats = (entries: [number, number][]) => new Map(entries.map(([trip, n]) => [`${trip}:outbound:${DATE}`, n]));
const solve = (inst: PlanInstance) => solvePlan(inst, { timeLimitS: 10 });

/**
 * The invariants, checked independently of violations(): each request leg once, the seats of each trip leg on each
 * date, nobody in two places (a driver's rides on two trip legs, a volunteer's outings), both legs of a round trip.
 */
function broken(inst: PlanInstance, chosen: PlanCandidate[]): string[] {
  const out: string[] = [];
  const legsOf = (c: PlanCandidate) => (c.bothLegs ? ['outbound', 'return'] : [c.requestLeg ?? 'outbound']);
  const legs = chosen.flatMap((c) => legsOf(c).map((l) => `${c.requestId}/${l}`));
  if (new Set(legs).size !== legs.length) out.push('a request leg assigned twice');
  const used = new Map<string, number>();
  for (const c of chosen) if (!c.volunteer) used.set(seatKey(c), (used.get(seatKey(c)) ?? 0) + c.seats);
  for (const [key, n] of used) if (n > (inst.capacity.get(key) ?? 0)) out.push(`${key}: ${n} seats`);
  for (const a of chosen)
    for (const b of chosen) {
      if (a === b || a.driverId !== b.driverId || a.date !== b.date) continue;
      const sameRide = !a.volunteer && !b.volunteer && a.tripId === b.tripId && a.leg === b.leg;
      if (!sameRide && a.pickupMin < b.dropoffMin && b.pickupMin < a.dropoffMin)
        out.push(`${a.driverId} in two places`);
    }
  for (const r of inst.twoLegs ?? []) {
    const mine = new Set(chosen.filter((c) => c.requestId === r).flatMap(legsOf));
    if (mine.size === 1 && chosen.some((c) => c.requestId === r && !c.fixed)) out.push(`round trip ${r} one way`);
  }
  return out;
}

describe('round trips in the plan: served only when both legs are', () => {
  it('serves more than greedy when the first caller takes the seat the round trip needs for its return', async () => {
    // Request 1 (one way) prefers trip 20, the only way back for round trip 2; it could ride trip 21 instead.
    // Greedy: 1 → 20, then 2 finds its outbound (trip 10) but no return, gives the outbound back: one served.
    const inst: PlanInstance = {
      candidates: [
        cand(1, 20, { detourS: 60, pickupMin: 1020, dropoffMin: 1050 }),
        cand(1, 21, { detourS: 400, pickupMin: 1020, dropoffMin: 1050 }),
        cand(2, 10),
        back(2, 20),
      ],
      capacity: seats([
        [10, 1],
        [20, 1],
        [21, 1],
      ]),
      twoLegs: [2],
    };
    const plan = await solve(inst);
    expect(plan.greedyServed).toBe(1);
    expect(plan.greedyChosen.map((c) => [c.requestId, c.tripId])).toEqual([[1, 20]]);
    expect(plan.source).toBe('milp');
    expect(plan.served).toBe(2);
    expect(plan.chosen.map((c) => [c.requestId, c.requestLeg ?? 'outbound', c.tripId]).sort()).toEqual([
      [1, 'outbound', 21],
      [2, 'outbound', 10],
      [2, 'return', 20],
    ]);
    expect(broken(inst, plan.chosen)).toEqual([]);
    expect(broken(inst, plan.greedyChosen)).toEqual([]);
    expect(violations(inst, plan.chosen)).toEqual([]);
    expect(plan.servedBound).toBe(2);
    expect(plan.lpBound!).toBeGreaterThanOrEqual(plan.objective - 1e-6);
    expect(plan.gapPct!).toBeGreaterThanOrEqual(0);
  });

  it('holds no seat for half a trip: a round trip with no way back leaves its outbound seat to the next caller', async () => {
    const inst: PlanInstance = {
      candidates: [cand(1, 10), back(1, 20), cand(2, 10, { detourS: 500 })],
      capacity: seats([
        [10, 1],
        [20, 0],
      ]),
      twoLegs: [1],
    };
    expect(greedyPlan(inst).map((c) => c.requestId)).toEqual([2]);
    const plan = await solve(inst);
    expect(plan.chosen.map((c) => c.requestId)).toEqual([2]);
    expect(plan.served).toBe(1);
    // A round trip with no return candidate at all is not served either.
    const noReturn: PlanInstance = { candidates: [cand(1, 10)], capacity: seats([[10, 1]]), twoLegs: [1] };
    expect((await solve(noReturn)).served).toBe(0);
    expect(greedyPlan(noReturn)).toEqual([]);
  });

  it('keeps a confirmed outbound leg even when the return finds no seat, and does not count it served', async () => {
    const inst: PlanInstance = {
      candidates: [cand(1, 10, { fixed: true }), back(1, 20), cand(2, 20, { pickupMin: 1020, dropoffMin: 1050 })],
      capacity: new Map([
        ...seats([
          [10, 1],
          [20, 1],
        ]),
        [seatKey(back(1, 20)), 1],
      ]),
      twoLegs: [1],
    };
    // Trip 20 has one seat: the return of 1 (which completes its round trip) or request 2, one served either way;
    // the plan keeps the fixed leg in both cases.
    const plan = await solve(inst);
    expect(plan.chosen.filter((c) => c.fixed).map((c) => c.requestId)).toEqual([1]);
    expect(plan.served).toBe(1);
    expect(violations(inst, plan.chosen)).toEqual([]);
    const full: PlanInstance = { ...inst, capacity: new Map([...inst.capacity, [seatKey(back(1, 20)), 0]]) };
    const stuck = await solve(full);
    expect(stuck.solverStatus).toBe('Optimal');
    expect(stuck.chosen.map((c) => [c.requestId, Boolean(c.fixed)])).toEqual([[1, true]]);
    expect(stuck.served).toBe(0);
    expect(violations(full, stuck.chosen)).toEqual([]);
  });
});

describe('volunteers in the plan: one place at a time', () => {
  it('serves more than greedy when two proposals of one volunteer overlap in time', async () => {
    // Volunteer 50: request 1 from 08:00 to 10:00, request 2 from 09:00 to 11:00 (overlap), request 3 afternoon.
    // Request 1 could also ride commuter trip 10. Greedy gives 1 the volunteer, and 2 has nobody.
    const inst: PlanInstance = {
      candidates: [
        outing(1, 50, 480, 600, { detourS: 0 }),
        cand(1, 10, { detourS: 600 }),
        outing(2, 50, 540, 660, { detourS: 0 }),
        outing(3, 50, 840, 960, { detourS: 0 }),
      ],
      capacity: seats([[10, 1]]),
    };
    const plan = await solve(inst);
    expect(plan.greedyServed).toBe(2);
    expect(plan.source).toBe('milp');
    expect(plan.served).toBe(3);
    expect(plan.chosen.map((c) => [c.requestId, c.volunteer ? 'volunteer' : c.tripId]).sort()).toEqual([
      [1, 10],
      [2, 'volunteer'],
      [3, 'volunteer'],
    ]);
    expect(broken(inst, plan.chosen)).toEqual([]);
    expect(broken(inst, plan.greedyChosen)).toEqual([]);
    expect(violations(inst, plan.chosen)).toEqual([]);
  });

  it('a volunteer there and back is one candidate for both legs of a round trip', async () => {
    // Round trip 1: a volunteer who waits at the appointment (08:00 → 11:00, both legs), ranked first, or two
    // commuters. Request 2 has only that volunteer, at 09:00. Greedy gives 1 the volunteer; the plan, the commuters.
    const inst: PlanInstance = {
      candidates: [
        outing(1, 50, 480, 660, { bothLegs: true, detourS: 300 }),
        cand(1, 10, { detourS: 400 }),
        back(1, 20, { detourS: 400 }),
        outing(2, 50, 540, 600, { detourS: 200 }),
      ],
      capacity: seats([[10, 1]]),
      twoLegs: [1],
    };
    inst.capacity.set(seatKey(back(1, 20)), 1);
    const plan = await solve(inst);
    expect(plan.greedyChosen.map((c) => [c.requestId, c.volunteer ? 'volunteer' : c.tripId])).toEqual([
      [1, 'volunteer'],
    ]);
    expect(plan.greedyServed).toBe(1);
    expect(plan.served).toBe(2);
    expect(
      plan.chosen.map((c) => [c.requestId, c.requestLeg ?? 'outbound', c.volunteer ? 'volunteer' : c.tripId]).sort(),
    ).toEqual([
      [1, 'outbound', 10],
      [1, 'return', 20],
      [2, 'outbound', 'volunteer'],
    ]);
    for (const chosen of [plan.chosen, plan.greedyChosen]) {
      expect(broken(inst, chosen)).toEqual([]);
      expect(violations(inst, chosen)).toEqual([]);
    }
    // Without commuters, the volunteer's outing serves the round trip alone: both legs, one candidate.
    const alone: PlanInstance = { candidates: [inst.candidates[0]], capacity: new Map(), twoLegs: [1] };
    expect((await solve(alone)).served).toBe(1);
    expect(greedyPlan(alone)).toHaveLength(1);
    // Nor may a commuter's return be added to it (each leg once).
    expect(violations(inst, [inst.candidates[0], inst.candidates[2]])).toContain('request 1:return assigned twice');
  });

  it('writes a volunteer’s day as the maximal sets of outings that overlap (exact, where pairs leave the LP at ½)', async () => {
    const cs = [outing(1, 50, 0, 10), outing(2, 50, 5, 15), outing(3, 50, 12, 20), outing(4, 50, 10, 12)];
    // Back home at 10 and leaving at 10 do not overlap; 2 overlaps each of the others.
    expect(overlapCliques([0, 1, 2, 3], cs)).toEqual([
      [0, 1],
      [1, 3],
      [1, 2],
    ]);
    expect(overlapCliques([0, 1], [outing(1, 50, 0, 10), outing(2, 50, 5, 15, { date: '2026-12-02' })])).toEqual([]);
    // Three outings that overlap pairwise: the LP bound with pairwise rows would say 1.5 requests; the clique says 1.
    const three: PlanInstance = {
      candidates: [outing(1, 50, 0, 30), outing(2, 50, 10, 40), outing(3, 50, 20, 50)],
      capacity: new Map(),
    };
    const plan = await solve(three);
    expect(plan.served).toBe(1);
    expect(plan.servedBound).toBe(1);
    expect(plan.gapPct).toBeLessThan(0.01);
  });

  it('lets one volunteer drive twice on one date when the outings do not overlap, or on two dates', async () => {
    const overlap: PlanInstance = {
      candidates: [outing(1, 50, 480, 600), outing(2, 50, 599, 700)],
      capacity: new Map(),
    };
    expect((await solve(overlap)).served).toBe(1);
    expect(greedyPlan(overlap)).toHaveLength(1);
    const apart: PlanInstance = { candidates: [outing(1, 50, 480, 600), outing(2, 50, 600, 700)], capacity: new Map() };
    expect((await solve(apart)).served).toBe(2);
    const twoDays: PlanInstance = {
      candidates: [outing(1, 50, 480, 600), outing(2, 50, 540, 660, { date: '2026-12-02' })],
      capacity: new Map(),
    };
    expect((await solve(twoDays)).served).toBe(2);
    expect(greedyPlan(twoDays)).toHaveLength(2);
  });

  it('a round trip driven by a volunteer both ways, beside commuters, on a seeded contested instance', async () => {
    let s = 11;
    const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const candidates: PlanCandidate[] = [];
    const twoLegs: number[] = [];
    for (let r = 1; r <= 150; r++) {
      const round = rnd() < 0.4;
      if (round) twoLegs.push(r);
      for (const requestLeg of round ? (['outbound', 'return'] as const) : (['outbound'] as const)) {
        const base = requestLeg === 'outbound' ? 420 : 960;
        for (let j = 0; j < 1 + Math.floor(rnd() * 3); j++) {
          const start = base + Math.floor(rnd() * 120);
          const detourS = Math.floor(rnd() * 900);
          if (rnd() < 0.3) {
            candidates.push(outing(r, 1000 + Math.floor(rnd() * 8), start - 30, start + 60, { requestLeg, detourS }));
          } else {
            const t = (requestLeg === 'outbound' ? 1 : 101) + Math.floor(rnd() * 40);
            const c = cand(r, t, { requestLeg, detourS, pickupMin: start, dropoffMin: start + 20, driverId: t % 100 });
            if (!candidates.some((o) => o.requestId === r && seatKey(o) === seatKey(c))) candidates.push(c);
          }
        }
      }
    }
    const capacity = new Map(candidates.filter((c) => !c.volunteer).map((c) => [seatKey(c), 1 + (c.tripId % 2)]));
    const inst: PlanInstance = { candidates, capacity, twoLegs };
    const plan = await solve(inst);
    expect(broken(inst, plan.chosen)).toEqual([]);
    expect(broken(inst, plan.greedyChosen)).toEqual([]);
    expect(violations(inst, plan.chosen)).toEqual([]);
    expect(violations(inst, plan.greedyChosen)).toEqual([]);
    expect(plan.served).toBeGreaterThanOrEqual(plan.greedyServed);
    expect(plan.servedBound!).toBeGreaterThanOrEqual(plan.served);
    expect(plan.gapPct!).toBeGreaterThanOrEqual(0);
    // Some round trips are served, and each of them with both legs.
    const served = twoLegs.filter((r) => plan.chosen.some((c) => c.requestId === r));
    expect(served.length).toBeGreaterThan(0);
    for (const r of served)
      expect(new Set(plan.chosen.filter((c) => c.requestId === r).map((c) => c.requestLeg))).toEqual(
        new Set(['outbound', 'return']),
      );
  });
});
