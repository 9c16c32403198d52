import { conflicts, seatKey, type PlanCandidate, type PlanInstance } from './model.ts';

/**
 * What per-request matching does today: fixed matches first, then each request in the order it came takes its best
 * candidate that still has the seats and does not clash with what its driver already carries. A round trip takes
 * both legs or neither.
 */
export function greedyPlan(inst: PlanInstance): PlanCandidate[] {
  const left = new Map(inst.capacity);
  const byDriver = new Map<number, PlanCandidate[]>();
  const chosen: PlanCandidate[] = [];
  const served = new Set<number>();
  const fits = (c: PlanCandidate) =>
    (left.get(seatKey(c)) ?? 0) >= c.seats && !(byDriver.get(c.driverId) ?? []).some((o) => conflicts(o, c));
  const take = (c: PlanCandidate) => {
    left.set(seatKey(c), (left.get(seatKey(c)) ?? 0) - c.seats);
    byDriver.set(c.driverId, [...(byDriver.get(c.driverId) ?? []), c]);
    chosen.push(c);
    served.add(c.requestId);
  };
  const undo = (c: PlanCandidate) => {
    left.set(seatKey(c), (left.get(seatKey(c)) ?? 0) + c.seats);
    byDriver.set(
      c.driverId,
      (byDriver.get(c.driverId) ?? []).filter((o) => o !== c),
    );
    chosen.splice(chosen.indexOf(c), 1);
    served.delete(c.requestId);
  };
  // Fixed matches hold their seats whatever else happens (even past the capacity: they were accepted before).
  for (const c of inst.candidates) if (c.fixed && !served.has(c.requestId)) take(c);

  const order: number[] = [];
  const ofRequest = new Map<number, PlanCandidate[]>();
  for (const c of inst.candidates) {
    if (served.has(c.requestId)) continue;
    if (!ofRequest.has(c.requestId)) {
      ofRequest.set(c.requestId, []);
      order.push(c.requestId);
    }
    ofRequest.get(c.requestId)!.push(c);
  }
  const partner = new Map<number, number>();
  for (const [a, b] of inst.roundTrips ?? []) {
    partner.set(a, b);
    partner.set(b, a);
  }
  const pick = (r: number) => {
    const c = (ofRequest.get(r) ?? []).find(fits);
    if (c) take(c);
    return c;
  };
  for (const r of order) {
    if (served.has(r)) continue;
    const other = partner.get(r);
    if (other === undefined) {
      pick(r);
      continue;
    }
    if (served.has(other)) {
      pick(r);
      continue;
    }
    const first = pick(r);
    if (first && !pick(other)) undo(first);
  }
  // A round trip whose partner had nothing at all (or was fixed alone) is not served either.
  for (const [a, b] of inst.roundTrips ?? []) {
    if (served.has(a) !== served.has(b)) {
      const lone = chosen.find((c) => !c.fixed && (c.requestId === a || c.requestId === b));
      if (lone) undo(lone);
    }
  }
  return chosen;
}
