import { conflicts, seatKey, unitKey, type PlanCandidate, type PlanInstance } from './model.ts';

/**
 * What per-request matching does today: fixed matches first, then each request in the order it came takes its best
 * candidate that still has the seats and does not clash with what its driver (or volunteer) already does. A round
 * trip takes both legs or neither: its outbound leg's best fit, then its return leg's, the outbound one given back
 * when no return fits (a fixed leg stays). A pair of roundTrips requests likewise.
 */
export function greedyPlan(inst: PlanInstance): PlanCandidate[] {
  const left = new Map(inst.capacity);
  const byDriver = new Map<number, PlanCandidate[]>();
  const chosen: PlanCandidate[] = [];
  const taken = new Set<string>();
  const fits = (c: PlanCandidate) =>
    (c.volunteer || (left.get(seatKey(c)) ?? 0) >= c.seats) &&
    !(byDriver.get(c.driverId) ?? []).some((o) => conflicts(o, c));
  const take = (c: PlanCandidate) => {
    if (!c.volunteer) left.set(seatKey(c), (left.get(seatKey(c)) ?? 0) - c.seats);
    byDriver.set(c.driverId, [...(byDriver.get(c.driverId) ?? []), c]);
    chosen.push(c);
    taken.add(unitKey(c));
  };
  const undo = (c: PlanCandidate) => {
    if (!c.volunteer) left.set(seatKey(c), (left.get(seatKey(c)) ?? 0) + c.seats);
    byDriver.set(
      c.driverId,
      (byDriver.get(c.driverId) ?? []).filter((o) => o !== c),
    );
    chosen.splice(chosen.indexOf(c), 1);
    taken.delete(unitKey(c));
  };
  // Fixed matches hold their seats whatever else happens (even past the capacity: they were accepted before).
  for (const c of inst.candidates) if (c.fixed && !taken.has(unitKey(c))) take(c);

  const order: number[] = [];
  const ofUnit = new Map<string, PlanCandidate[]>();
  for (const c of inst.candidates) {
    if (taken.has(unitKey(c))) continue;
    if (!order.includes(c.requestId)) order.push(c.requestId);
    const u = unitKey(c);
    if (!ofUnit.has(u)) ofUnit.set(u, []);
    ofUnit.get(u)!.push(c);
  }
  const two = new Set(inst.twoLegs ?? []);
  const partner = new Map<number, number>();
  for (const [a, b] of inst.roundTrips ?? []) {
    partner.set(a, b);
    partner.set(b, a);
  }
  const pickLeg = (r: number, leg: string) => {
    if (taken.has(`${r}:${leg}`)) return null;
    const c = (ofUnit.get(`${r}:${leg}`) ?? []).find(fits);
    if (c) take(c);
    return c ?? null;
  };
  /** A request's legs, all or none: what it took (empty when it could not be served). */
  const pick = (r: number): PlanCandidate[] | null => {
    const legs = two.has(r) ? ['outbound', 'return'] : ['outbound'];
    const got: PlanCandidate[] = [];
    for (const leg of legs) {
      if (taken.has(`${r}:${leg}`)) continue;
      const c = pickLeg(r, leg);
      if (!c) {
        got.forEach(undo);
        return null;
      }
      got.push(c);
    }
    return got;
  };
  const done = new Set<number>();
  for (const r of order) {
    if (done.has(r)) continue;
    done.add(r);
    const other = partner.get(r);
    const first = pick(r);
    if (other === undefined || done.has(other)) continue;
    done.add(other);
    if (first && !pick(other)) first.forEach(undo);
  }
  // A round trip whose partner had nothing at all (or was fixed alone) is not served either.
  const served = () => new Set(chosen.map((c) => c.requestId));
  for (const [a, b] of inst.roundTrips ?? []) {
    const s = served();
    if (s.has(a) !== s.has(b)) chosen.filter((c) => !c.fixed && (c.requestId === a || c.requestId === b)).forEach(undo);
  }
  return chosen;
}
