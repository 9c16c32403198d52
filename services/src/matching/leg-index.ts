import { nearestOnSegments, scaleAt, type Nearest } from '../geo/polyline.ts';
import { CorridorIndex, PIECE_STRIDE, type Cell } from './corridor-index.ts';
import { LegColumns, type LegFilter } from './leg-columns.ts';
import type { Leg } from './legs.ts';
import type { LngLat } from '../routing/types.ts';

export interface NearHit {
  leg: Leg;
  distM: number;
  alongM: number;
}

export interface BothEndsHit {
  leg: Leg;
  pickup: NearHit;
  dropoff: NearHit;
}

/**
 * Legs near both ends of a request, pickup before drop-off along the route, serving its filter: slots, with the
 * nearest point's distance and position at each end read by slot. Valid until the next query on the index.
 */
export interface BothEnds {
  slots: number[];
  pickup: Readonly<Pick<Nearness, 'distM' | 'alongM'>>;
  dropoff: Readonly<Pick<Nearness, 'distM' | 'alongM'>>;
}

/** A query point's search box, its metres per degree, and the cells meeting the box. */
interface Window {
  kx: number;
  ky: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  cells: Cell[];
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
  /** Per slot, what a query filters on: read in tight loops without touching the leg objects. */
  readonly columns = new LegColumns();
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
    this.columns.set(slot, l);
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

  /**
   * The router's origin → destination time of a leg, which the hours filter then uses. One router's times only:
   * those of another router (`owner`) replace them all.
   */
  setDirect(key: number, durationS: number | null, owner: object): void {
    if (owner !== this.directsOwner) {
      this.columns.clearDirects();
      this.directsOwner = owner;
    }
    const slot = this.slotOf.get(key);
    if (slot !== undefined) this.columns.setDirect(slot, durationS);
  }

  private directsOwner: object | undefined;

  /** The leg in a slot returned by nearBoth. */
  legAt(slot: number): Leg {
    return this.slots[slot]!;
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
  private window(p: LngLat, radiusM: number): Window {
    const { kx, ky } = scaleAt(p[1]);
    const dx = radiusM / kx,
      dy = radiusM / ky;
    const minX = p[0] - dx,
      minY = p[1] - dy,
      maxX = p[0] + dx,
      maxY = p[1] + dy;
    return { kx, ky, minX, minY, maxX, maxY, cells: this.index.cellsIn(minX, minY, maxX, maxY) };
  }

  /**
   * Measures, among the pieces of the window's cells (or only those markNear listed), those whose leg is stamped
   * `only.stamp` in `only.n`; returns the legs found within the radius.
   */
  private measureNear(
    p: LngLat,
    radiusM: number,
    into: Nearness,
    stamp: number,
    only: { n: Nearness; stamp: number },
    w: Window,
    pieces: 'cells' | 'listed',
  ): number[] {
    const seen: number[] = [];
    const onlyStamp = only.n.stamp,
      onlyValue = only.stamp;
    if (pieces === 'listed') {
      const { listedCell, listedPiece } = this;
      for (let j = 0; j < this.listed; j++) {
        const cell = w.cells[listedCell[j]],
          k = listedPiece[j];
        if (onlyStamp[cell.keys[k]] === onlyValue) this.measure(p, radiusM, w, cell, k, into, stamp, seen);
      }
      return seen;
    }
    for (const cell of w.cells) {
      const { keys, n } = cell;
      for (let k = 0; k < n; k++) {
        if (onlyStamp[keys[k]] !== onlyValue) continue;
        // Segment box outside the window: farther than the radius.
        if (pieceOutside(cell.geom, k * PIECE_STRIDE, w)) continue;
        this.measure(p, radiusM, w, cell, k, into, stamp, seen);
      }
    }
    return seen;
  }

  /** Distance from p to piece k of the cell: keeps it for its leg when within the radius and nearest so far. */
  private measure(
    p: LngLat,
    radiusM: number,
    w: Window,
    cell: Cell,
    k: number,
    into: Nearness,
    stamp: number,
    seen: number[],
  ) {
    const { kx, ky } = w;
    const geom = cell.geom,
      g = k * PIECE_STRIDE;
    const x1 = geom[g],
      y1 = geom[g + 1],
      x2 = geom[g + 2],
      y2 = geom[g + 3];
    // Same arithmetic, in the same order, as nearestOnSegments: the scan and the index agree to the bit.
    const sx = (x2 - x1) * kx,
      sy = (y2 - y1) * ky;
    const qx = (p[0] - x1) * kx,
      qy = (p[1] - y1) * ky;
    const len2 = sx * sx + sy * sy;
    let t = len2 > 0 ? (qx * sx + qy * sy) / len2 : 0;
    if (t < 0) t = 0;
    else if (t > 1) t = 1;
    const ex = qx - t * sx,
      ey = qy - t * sy;
    const d = Math.sqrt(ex * ex + ey * ey);
    if (d > radiusM) return;
    const slot = cell.keys[k],
      i = cell.parts[k];
    if (into.stamp[slot] !== stamp) {
      into.stamp[slot] = stamp;
      seen.push(slot);
    } else if (d > into.distM[slot] || (d === into.distM[slot] && i > into.part[slot])) return;
    into.distM[slot] = d;
    into.part[slot] = i;
    into.alongM[slot] = geom[g + 4] + t * geom[g + 5];
  }

  /**
   * Marks the legs having a segment whose box meets the window, on a day and at hours that may fit (no distance
   * computed). Lists every piece of such a leg: the last pass measures them without visiting the cells again.
   */
  private markNear(w: Window, stamp: number, f: LegFilter): void {
    const st = this.rough.stamp;
    const cols = this.columns;
    let listed = 0;
    for (let c = 0; c < w.cells.length; c++) {
      const { keys, geom, n } = w.cells[c];
      if (listed + n > this.listedCell.length) this.growListed(listed, listed + n);
      const listedCell = this.listedCell,
        listedPiece = this.listedPiece;
      for (let k = 0; k < n; k++) {
        if (pieceOutside(geom, k * PIECE_STRIDE, w)) continue;
        const slot = keys[k];
        if (st[slot] !== stamp) {
          if (!cols.mayServe(slot, f)) continue;
          st[slot] = stamp;
        }
        listedCell[listed] = c;
        listedPiece[listed++] = k;
      }
    }
    this.listed = listed;
  }

  /** Pieces markNear kept: index in the window's cells, and piece in that cell. */
  private listedCell = new Int32Array(256);
  private listedPiece = new Int32Array(256);
  private listed = 0;

  private growListed(kept: number, n: number) {
    const size = Math.max(n, this.listedCell.length * 2);
    const cells = new Int32Array(size),
      pieces = new Int32Array(size);
    cells.set(this.listedCell.subarray(0, kept));
    pieces.set(this.listedPiece.subarray(0, kept));
    this.listedCell = cells;
    this.listedPiece = pieces;
  }

  /**
   * Every leg passing within radiusM of both points, pickup before drop-off along its route, serving `f`, with exact
   * distances and positions.
   */
  nearBoth(from: LngLat, to: LngLat, radiusM: number, f: LegFilter): BothEnds {
    // Three passes, the costly measuring only where it can matter: legs near the sparser end are marked (box test),
    // those among them near the other end are measured there, and only those are measured at the first end.
    const wp = this.window(from, radiusM),
      wd = this.window(to, radiusM);
    // Marking at the end with fewer pieces.
    const pieces = (cells: { n: number }[]) => cells.reduce((n, c) => n + c.n, 0);
    const pickupFirst = pieces(wp.cells) <= pieces(wd.cells);
    const marked = this.nextStamp();
    const second = this.nextStamp();
    const third = this.nextStamp();
    let both: number[];
    if (pickupFirst) {
      this.markNear(wp, marked, f);
      this.measureNear(to, radiusM, this.atDropoff, second, { n: this.rough, stamp: marked }, wd, 'cells');
      both = this.measureNear(from, radiusM, this.atPickup, third, { n: this.atDropoff, stamp: second }, wp, 'listed');
    } else {
      this.markNear(wd, marked, f);
      this.measureNear(from, radiusM, this.atPickup, second, { n: this.rough, stamp: marked }, wp, 'cells');
      both = this.measureNear(to, radiusM, this.atDropoff, third, { n: this.atPickup, stamp: second }, wd, 'listed');
    }
    const pickupAlong = this.atPickup.alongM,
      dropoffAlong = this.atDropoff.alongM;
    const legAt = (slot: number) => this.slots[slot]!;
    let kept = 0;
    for (const slot of both) {
      // Pickup before drop-off along the route: about half of the legs near both ends drive the other way.
      if (pickupAlong[slot] >= dropoffAlong[slot] || !this.columns.serves(slot, f, legAt)) continue;
      both[kept++] = slot;
    }
    both.length = kept;
    return { slots: both, pickup: this.atPickup, dropoff: this.atDropoff };
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
