import { conflicts, seatKey, unitKey, unitsOf, type PlanCandidate, type PlanInstance } from './model.ts';

/**
 * What per-request matching does today: fixed matches first, then each request in the order it came takes its best
 * candidate that still has the seats and does not clash with what its driver (or volunteer) already does. A round
 * trip takes both legs or neither: its outbound leg's best fit, then its return leg's, the outbound one given back
 * when no return fits (a fixed leg stays) and the next outbound candidate tried; a volunteer's outing there and back
 * (bothLegs) takes both legs at once, where it comes in the outbound's ranked list. A pair of roundTrips requests
 * likewise.
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
    for (const u of unitsOf(c)) taken.add(u);
  };
  const undo = (c: PlanCandidate) => {
    if (!c.volunteer) left.set(seatKey(c), (left.get(seatKey(c)) ?? 0) + c.seats);
    byDriver.set(
      c.driverId,
      (byDriver.get(c.driverId) ?? []).filter((o) => o !== c),
    );
    chosen.splice(chosen.indexOf(c), 1);
    for (const u of unitsOf(c)) taken.delete(u);
  };
  // Fixed matches hold their seats whatever else happens (even past the capacity: they were accepted before).
  for (const c of inst.candidates) if (c.fixed && !unitsOf(c).some((u) => taken.has(u))) take(c);

  const order: number[] = [];
  const ofUnit = new Map<string, PlanCandidate[]>();
  for (const c of inst.candidates) {
    if (unitsOf(c).some((u) => taken.has(u))) continue;
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
  /** A leg alone (the other is fixed, or taken just before): candidates for that leg only, the first that fits. */
  const pickLeg = (r: number, leg: string) => {
    if (taken.has(`${r}:${leg}`)) return null;
    const c = (ofUnit.get(`${r}:${leg}`) ?? []).find((o) => !o.bothLegs && fits(o));
    if (c) take(c);
    return c ?? null;
  };
  /** A request's legs, all or none: what it took (null when it could not be served). */
  const pick = (r: number): PlanCandidate[] | null => {
    if (!two.has(r)) {
      const c = pickLeg(r, 'outbound');
      return c ? [c] : null;
    }
    const out = taken.has(`${r}:outbound`);
    const ret = taken.has(`${r}:return`);
    if (out && ret) return [];
    if (out || ret) {
      const c = pickLeg(r, out ? 'return' : 'outbound');
      return c ? [c] : null;
    }
    // The outbound's ranked list: a volunteer there and back takes both; a commuter's outbound needs a way back.
    for (const c of ofUnit.get(`${r}:outbound`) ?? []) {
      if (!fits(c)) continue;
      take(c);
      if (c.bothLegs) return [c];
      const b = pickLeg(r, 'return');
      if (b) return [c, b];
      undo(c);
    }
    return null;
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
