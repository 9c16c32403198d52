import { nearestOnSegments, scaleAt, type Nearest } from '../geo/polyline.ts';
import { CorridorIndex, PIECE_STRIDE } from './corridor-index.ts';
import type { Leg } from './legs.ts';
import type { LngLat } from '../routing/types.ts';

export interface NearHit {
  leg: Leg;
  distM: number;
  alongM: number;
}

/**
 * What nearBoth may reject before measuring (a conservative bound: the caller's own checks come after): legs whose
 * hours miss `timeMin` by more than `slackMin`, and regular legs not running on the weekday `dayBit` (1 << ISO day).
 */
export interface Prefilter {
  timeMin: number;
  slackMin: number;
  dayBit: number;
}

export interface BothEndsHit {
  leg: Leg;
  pickup: NearHit;
  dropoff: NearHit;
}

/** Per-slot nearest piece found so far for one query point, in typed arrays (no allocation per piece). */
class Nearness {
  stamp = new Uint32Array(0);
  distM = new Float64Array(0);
  /** Nearest segment, and the metres along the route of the nearest point. */
  part = new Int32Array(0);
  alongM = new Float64Array(0);

  grow(n: number) {
    if (n <= this.stamp.length) return;
    const size = Math.max(n, this.stamp.length * 2, 1024);
    const stamp = new Uint32Array(size);
    stamp.set(this.stamp);
    this.stamp = stamp;
    this.distM = new Float64Array(size);
    this.part = new Int32Array(size);
    this.alongM = new Float64Array(size);
  }
}

/**
 * Driver legs by corridor. Each route is cut into its segments, filed in the R-tree of `CorridorIndex`. A query
 * visits the segments near the pickup, keeping per leg the exact nearest one, then those near the drop-off for the
 * legs already seen at the pickup; what it returns is exact (the same distances and positions as a scan of every
 * segment of every leg), the index only skips what cannot be within the radius.
 */
export class LegIndex {
  readonly legs = new Map<number, Leg>();
  private index = new CorridorIndex();
  /** Dense slots: the R-tree stores slot numbers, the typed arrays are indexed by slot. */
  private slots: (Leg | undefined)[] = [];
  private slotOf = new Map<number, number>();
  private freeSlots: number[] = [];
  private atPickup = new Nearness();
  /** Legs with a segment box in the first end's window: a cheap superset, measured only if seen at the other end. */
  private rough = new Nearness();
  /**
   * Per slot, what a query can reject without touching the leg: its hours (departure, and departure + 1.25 × its
   * duration) and its weekdays as bits (0 for one-off trips, whose date is checked later).
   */
  private startMin = new Float32Array(0);
  private endMin = new Float32Array(0);
  private dayBits = new Uint8Array(0);
  private atDropoff = new Nearness();
  private stamp = 0;
  /** Legs per territory: which territories' rules apply to an unscoped query. */
  private perTerritory = new Map<number, number>();

  private claimSlot(l: Leg): number {
    const slot = this.freeSlots.pop() ?? this.slots.length;
    this.slots[slot] = l;
    this.slotOf.set(l.key, slot);
    this.legs.set(l.key, l);
    this.perTerritory.set(l.territoryId, (this.perTerritory.get(l.territoryId) ?? 0) + 1);
    this.atPickup.grow(slot + 1);
    this.atDropoff.grow(slot + 1);
    this.rough.grow(slot + 1);
    if (slot >= this.startMin.length) {
      const size = Math.max(slot + 1, this.startMin.length * 2, 1024);
      const start = new Float32Array(size),
        end = new Float32Array(size),
        days = new Uint8Array(size);
      start.set(this.startMin);
      end.set(this.endMin);
      days.set(this.dayBits);
      this.startMin = start;
      this.endMin = end;
      this.dayBits = days;
    }
    this.startMin[slot] = l.departureMin;
    this.endMin[slot] = l.departureMin + (1.25 * l.durationS) / 60;
    this.dayBits[slot] = l.schedule.kind === 'regular' ? l.schedule.weekdays.reduce((b, d) => b | (1 << d), 0) : 0;
    return slot;
  }

  load(legs: Iterable<Leg>): void {
    this.clear();
    const lines: { key: number; coords: Float64Array; along: Float64Array }[] = [];
    for (const l of legs) {
      if (l.coords.length < 4) continue;
      if (this.slotOf.has(l.key)) throw new Error(`leg ${l.key} given twice`);
      lines.push({ key: this.claimSlot(l), coords: l.coords, along: l.cumM });
    }
    this.index.load(lines);
  }

  upsert(l: Leg): void {
    this.remove(l.key);
    if (l.coords.length < 4) return;
    this.index.insert({ key: this.claimSlot(l), coords: l.coords, along: l.cumM });
  }

  remove(key: number): void {
    const slot = this.slotOf.get(key);
    if (slot === undefined) return;
    this.index.remove(slot);
    const t = this.slots[slot]!.territoryId;
    const n = (this.perTerritory.get(t) ?? 1) - 1;
    if (n > 0) this.perTerritory.set(t, n);
    else this.perTerritory.delete(t);
    this.slots[slot] = undefined;
    this.atPickup.stamp[slot] = 0;
    this.atDropoff.stamp[slot] = 0;
    this.slotOf.delete(key);
    this.legs.delete(key);
    this.freeSlots.push(slot);
  }

  clear(): void {
    this.legs.clear();
    this.index.clear();
    this.slots = [];
    this.slotOf.clear();
    this.freeSlots = [];
    this.atPickup.stamp.fill(0);
    this.atDropoff.stamp.fill(0);
    this.rough.stamp.fill(0);
    this.perTerritory.clear();
  }

  get size(): number {
    return this.legs.size;
  }

  territories(): number[] {
    return [...this.perTerritory.keys()];
  }

  private nextStamp(): number {
    if (this.stamp >= 0xfffffff0) {
      this.atPickup.stamp.fill(0);
      this.atDropoff.stamp.fill(0);
      this.rough.stamp.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }

  /**
   * Nearest segment per leg among the segments near the point; `only` restricts to slots stamped there.
   * Ties keep the lowest segment: the same answer as a scan from the start of the route.
   */
  private window(p: LngLat, radiusM: number) {
    const { kx, ky } = scaleAt(p[1]);
    const dx = radiusM / kx,
      dy = radiusM / ky;
    const minX = p[0] - dx,
      minY = p[1] - dy,
      maxX = p[0] + dx,
      maxY = p[1] + dy;
    return { kx, ky, minX, minY, maxX, maxY, cells: this.index.cellsIn(minX, minY, maxX, maxY) };
  }

  private scanNear(
    p: LngLat,
    radiusM: number,
    into: Nearness,
    stamp: number,
    only?: { n: Nearness; stamp: number },
    w = this.window(p, radiusM),
  ): number[] {
    const { kx, ky } = w;
    const [px, py] = p;
    const seen: number[] = [];
    const onlyStamp = only ? only.n.stamp : undefined;
    const onlyValue = only ? only.stamp : 0;
    const st = into.stamp,
      bestD = into.distM,
      bestPart = into.part,
      bestAlong = into.alongM;
    for (const cell of w.cells) {
      const { keys, parts, geom, n } = cell;
      for (let k = 0; k < n; k++) {
        const slot = keys[k];
        if (onlyStamp && onlyStamp[slot] !== onlyValue) continue;
        const g = k * PIECE_STRIDE;
        // Segment box outside the window: farther than the radius.
        if (pieceOutside(geom, g, w)) continue;
        const x1 = geom[g],
          y1 = geom[g + 1],
          x2 = geom[g + 2],
          y2 = geom[g + 3];
        // Same arithmetic, in the same order, as nearestOnSegments: the scan and the index agree to the bit.
        const sx = (x2 - x1) * kx,
          sy = (y2 - y1) * ky;
        const qx = (px - x1) * kx,
          qy = (py - y1) * ky;
        const len2 = sx * sx + sy * sy;
        let t = len2 > 0 ? (qx * sx + qy * sy) / len2 : 0;
        if (t < 0) t = 0;
        else if (t > 1) t = 1;
        const ex = qx - t * sx,
          ey = qy - t * sy;
        const d = Math.sqrt(ex * ex + ey * ey);
        if (d > radiusM) continue;
        const i = parts[k];
        if (st[slot] !== stamp) {
          st[slot] = stamp;
          seen.push(slot);
        } else if (d > bestD[slot] || (d === bestD[slot] && i > bestPart[slot])) continue;
        bestD[slot] = d;
        bestPart[slot] = i;
        bestAlong[slot] = geom[g + 4] + t * geom[g + 5];
      }
    }
    return seen;
  }

  /** Marks the legs having a segment whose box meets the window: no distance computed. */
  private markNear(w: ReturnType<LegIndex['window']>, stamp: number, pre?: Prefilter): void {
    const st = this.rough.stamp;
    const start = this.startMin,
      end = this.endMin,
      days = this.dayBits;
    const from = pre ? pre.timeMin + pre.slackMin : Infinity;
    const to = pre ? pre.timeMin - pre.slackMin : -Infinity;
    const dayBit = pre?.dayBit ?? 0;
    for (const cell of w.cells) {
      const { keys, geom, n } = cell;
      for (let k = 0; k < n; k++) {
        const g = k * PIECE_STRIDE;
        if (pieceOutside(geom, g, w)) continue;
        const slot = keys[k];
        if (start[slot] > from || end[slot] < to || (dayBit !== 0 && days[slot] !== 0 && (days[slot] & dayBit) === 0))
          continue;
        st[slot] = stamp;
      }
    }
  }

  /**
   * Every leg passing within radiusM of both points, pickup before drop-off along its route, with exact distances
   * and positions.
   */
  nearBoth(from: LngLat, to: LngLat, radiusM: number, accept?: (l: Leg) => boolean, pre?: Prefilter): BothEndsHit[] {
    // Three passes, the costly measuring only where it can matter: legs near the sparser end are marked (box test),
    // those among them near the other end are measured there, and only those are measured at the first end.
    const wp = this.window(from, radiusM),
      wd = this.window(to, radiusM);
    const pieces = (cells: { n: number }[]) => cells.reduce((n, c) => n + c.n, 0);
    const pickupFirst = pieces(wp.cells) <= pieces(wd.cells);
    const marked = this.nextStamp();
    const second = this.nextStamp();
    const third = this.nextStamp();
    let both: number[];
    if (pickupFirst) {
      this.markNear(wp, marked, pre);
      this.scanNear(to, radiusM, this.atDropoff, second, { n: this.rough, stamp: marked }, wd);
      both = this.scanNear(from, radiusM, this.atPickup, third, { n: this.atDropoff, stamp: second }, wp);
    } else {
      this.markNear(wd, marked, pre);
      this.scanNear(from, radiusM, this.atPickup, second, { n: this.rough, stamp: marked }, wp);
      both = this.scanNear(to, radiusM, this.atDropoff, third, { n: this.atPickup, stamp: second }, wd);
    }
    const out: BothEndsHit[] = [];
    for (const slot of both) {
      // Pickup before drop-off along the route: about half of the legs near both ends drive the other way.
      const pickupAlongM = this.atPickup.alongM[slot];
      const dropoffAlongM = this.atDropoff.alongM[slot];
      if (pickupAlongM >= dropoffAlongM) continue;
      const leg = this.slots[slot]!;
      // The leg's own predicate (day, hours, seats…) only for legs near both ends: asking it of every leg near
      // one end costs more than measuring their segments.
      if (accept && !accept(leg)) continue;
      out.push({
        leg,
        pickup: { leg, distM: this.atPickup.distM[slot], alongM: pickupAlongM },
        dropoff: { leg, distM: this.atDropoff.distM[slot], alongM: dropoffAlongM },
      });
    }
    return out;
  }
}

/** True when the box of the piece at `g` misses the window: the piece is farther than the radius. */
function pieceOutside(
  geom: Float64Array,
  g: number,
  w: { minX: number; minY: number; maxX: number; maxY: number },
): boolean {
  const x1 = geom[g],
    y1 = geom[g + 1],
    x2 = geom[g + 2],
    y2 = geom[g + 3];
  return (
    (x1 < w.minX && x2 < w.minX) ||
    (x1 > w.maxX && x2 > w.maxX) ||
    (y1 < w.minY && y2 < w.minY) ||
    (y1 > w.maxY && y2 > w.maxY)
  );
}

/** Closest point of the whole leg: the same function the brute-force scan uses. */
function exactNear(leg: Leg, p: LngLat, kx: number, ky: number): NearHit {
  const best: Nearest = { distM: Infinity, alongM: 0 };
  nearestOnSegments(leg.coords, leg.cumM, 0, leg.coords.length / 2 - 1, p[0], p[1], kx, ky, best);
  return { leg, distM: best.distM, alongM: best.alongM };
}

/** Reference search without the index: every leg, every segment. The recall check compares the index with it. */
export function scanBoth(
  legs: Iterable<Leg>,
  from: LngLat,
  to: LngLat,
  radiusM: number,
  accept?: (l: Leg) => boolean,
): BothEndsHit[] {
  const p = scaleAt(from[1]),
    d = scaleAt(to[1]);
  const out: BothEndsHit[] = [];
  for (const leg of legs) {
    if (accept && !accept(leg)) continue;
    const pickup = exactNear(leg, from, p.kx, p.ky);
    if (pickup.distM > radiusM) continue;
    const dropoff = exactNear(leg, to, d.kx, d.ky);
    if (dropoff.distM <= radiusM) out.push({ leg, pickup, dropoff });
  }
  return out;
}
