import { nearestOnSegments, scaleAt, type Nearest } from '../geo/polyline.ts';
import { CorridorIndex, PIECE_GEOM, PIECE_PART, PIECE_SLACK_DEG, PIECE_STRIDE, type Cell } from './corridor-index.ts';
import { IntTable } from './int-table.ts';
import { carve } from './typed-arrays.ts';
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

/** A query point's search box (widened by the float32 slack of the stored pieces), its metres per degree, cells. */
interface Window {
  kx: number;
  ky: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  cells: Cell[];
}

/** Per-slot nearest point of a leg to one query point, in typed arrays (read by slot, valid for one query). */
class Nearness {
  distM = new Float64Array(0);
  /** Metres along the route of the nearest point. */
  alongM = new Float64Array(0);
  /** First and last segment that may be within the radius: the exact measure reads only these. */
  fromPart = new Int32Array(0);
  toPart = new Int32Array(0);

  grow(n: number) {
    if (n <= this.distM.length) return;
    [this.distM, this.alongM, this.fromPart, this.toPart] = carve(Math.max(n, this.distM.length * 2, 1024), [
      Float64Array,
      Float64Array,
      Int32Array,
      Int32Array,
    ]);
  }
}

/** Per-slot marks of one pass (a slot is marked when it holds that pass's stamp). */
class Marks {
  stamp = new Uint32Array(0);

  grow(n: number) {
    if (n <= this.stamp.length) return;
    const stamp = new Uint32Array(Math.max(n, this.stamp.length * 2, 1024));
    stamp.set(this.stamp);
    this.stamp = stamp;
  }
}

/** Pieces kept by one pass for the next: index in the window's cells, and the piece's place in that cell's arrays. */
class PieceList {
  cell = new Int32Array(256);
  piece = new Int32Array(256);
  n = 0;

  /** Room for `more` pieces after the n kept. */
  reserve(more: number) {
    if (this.n + more <= this.cell.length) return;
    const size = Math.max(this.n + more, this.cell.length * 2);
    const cell = new Int32Array(size),
      piece = new Int32Array(size);
    cell.set(this.cell.subarray(0, this.n));
    piece.set(this.piece.subarray(0, this.n));
    this.cell = cell;
    this.piece = piece;
  }
}

/** The indexed legs by key, read-only: a view of the index's slots (no map of its own). */
export interface IndexedLegs {
  get(key: number): Leg | undefined;
  has(key: number): boolean;
  values(): IterableIterator<Leg>;
  readonly size: number;
}

/**
 * Float32 pieces are within PIECE_SLACK_DEG of the true ones on each axis: a distance measured on them is within
 * this many metres of the true one (1.6 m at these latitudes), so a bound on them is widened by that much.
 */
const SLACK_M = 2;

/**
 * Driver legs by corridor. Each route is cut into its segments, filed in the R-tree of `CorridorIndex`. A query
 * bounds the distances on the index's float32 pieces, then measures exactly, on the legs' own float64 routes, the
 * pieces that may be within the radius, keeping per leg the exact nearest one: what it returns is exact (the same
 * distances and positions as a scan of every segment of every leg), the index only skips what cannot be within
 * the radius.
 */
export class LegIndex {
  private index = new CorridorIndex();
  /** Dense slots: the R-tree stores slot numbers, the typed arrays are indexed by slot. */
  private slots: (Leg | undefined)[] = [];
  /**
   * Each slot's route and metres along it, as on its leg: the exact measure reads them without going through the leg
   * object (one cache miss fewer per candidate).
   */
  private coordsAt: (Float64Array | undefined)[] = [];
  private cumAt: (Float64Array | undefined)[] = [];
  /** Leg key → slot. */
  private slotOf = new IntTable();
  private freeSlots: number[] = [];
  private atPickup = new Nearness();
  private atDropoff = new Nearness();
  /**
   * Marks of a query's passes: `rough`, legs marked (or rejected on their hours) at the first end, then those within
   * the bound of both ends; `near`, those within the bound of the other end.
   */
  private rough = new Marks();
  private near = new Marks();
  /** Per slot, what a query filters on: read in tight loops without touching the leg objects. */
  readonly columns = new LegColumns();
  private stamp = 0;
  /** Legs per territory: which territories' rules apply to an unscoped query. */
  private perTerritory = new Map<number, number>();
  /** Pieces of the first end's window of legs that may serve. */
  private firstPieces = new PieceList();

  readonly legs: IndexedLegs = ((index: LegIndex) => ({
    get: (key: number) => {
      const slot = index.slotOf.getOr(key, -1);
      return slot < 0 ? undefined : index.slots[slot];
    },
    has: (key: number) => index.slotOf.getOr(key, -1) >= 0,
    values: () => index.eachLeg(),
    get size() {
      return index.slotOf.size;
    },
  }))(this);

  private *eachLeg(): IterableIterator<Leg> {
    for (const l of this.slots) if (l) yield l;
  }

  private claimSlot(l: Leg): number {
    const slot = this.freeSlots.pop() ?? this.slots.length;
    this.slots[slot] = l;
    this.coordsAt[slot] = l.coords;
    this.cumAt[slot] = l.cumM;
    this.slotOf.set(l.key, slot);
    this.perTerritory.set(l.territoryId, (this.perTerritory.get(l.territoryId) ?? 0) + 1);
    for (const n of [this.atPickup, this.atDropoff, this.rough, this.near]) n.grow(slot + 1);
    this.columns.set(slot, l);
    return slot;
  }

  /**
   * Bulk load into slots 0…n-1 in Z-curve order, the per-slot arrays sized once (growing by doubling would leave up
   * to half of them unused). Nothing is allocated per leg on the heap: at a million legs, every object made here
   * was more for the full collections of the load to walk.
   */
  load(legs: Iterable<Leg>): void {
    this.clear();
    const all = nearbyFirst(Array.from(legs).filter((l) => l.coords.length >= 4));
    const n = all.length;
    this.columns.grow(n);
    for (const m of [this.atPickup, this.atDropoff, this.rough, this.near]) m.grow(n);
    this.slotOf = new IntTable(n);
    const lines: Float64Array[] = new Array(n);
    for (let slot = 0; slot < n; slot++) {
      const l = all[slot];
      if (this.slotOf.getOr(l.key, -1) >= 0) throw new Error(`leg ${l.key} given twice`);
      this.slotOf.set(l.key, slot);
      this.perTerritory.set(l.territoryId, (this.perTerritory.get(l.territoryId) ?? 0) + 1);
      this.columns.set(slot, l);
      lines[slot] = l.coords;
    }
    this.slots = all;
    // A copy: the corridor index keeps `lines` and changes it on its own updates.
    this.coordsAt = lines.slice();
    this.cumAt = all.map((l) => l.cumM);
    this.index.load(lines);
  }

  upsert(l: Leg): void {
    this.remove(l.key);
    if (l.coords.length < 4) return;
    this.index.insert({ key: this.claimSlot(l), coords: l.coords });
  }

  remove(key: number): void {
    const slot = this.slotOf.getOr(key, -1);
    if (slot < 0) return;
    this.index.remove(slot);
    const t = this.slots[slot]!.territoryId;
    const n = (this.perTerritory.get(t) ?? 1) - 1;
    if (n > 0) this.perTerritory.set(t, n);
    else this.perTerritory.delete(t);
    this.slots[slot] = undefined;
    this.coordsAt[slot] = undefined;
    this.cumAt[slot] = undefined;
    for (const m of [this.rough, this.near]) m.stamp[slot] = 0;
    this.slotOf.delete(key);
    this.freeSlots.push(slot);
  }

  clear(): void {
    this.index.clear();
    this.slots = [];
    this.coordsAt = [];
    this.cumAt = [];
    this.slotOf.clear();
    this.freeSlots = [];
    for (const m of [this.rough, this.near]) m.stamp.fill(0);
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
    const slot = this.slotOf.getOr(key, -1);
    if (slot >= 0) this.columns.setDirect(slot, durationS);
  }

  private directsOwner: object | undefined;
  /** Written by the gather loop of `nearBoth` so that its reads are not optimised away. */
  private touched = 0;

  /** The leg in a slot returned by nearBoth. */
  legAt(slot: number): Leg {
    return this.slots[slot]!;
  }

  get size(): number {
    return this.slotOf.size;
  }

  territories(): number[] {
    return [...this.perTerritory.keys()];
  }

  private nextStamp(): number {
    if (this.stamp >= 0xfffffff0) {
      for (const m of [this.rough, this.near]) m.stamp.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }

  private window(p: LngLat, radiusM: number): Window {
    const { kx, ky } = scaleAt(p[1]);
    const dx = radiusM / kx + PIECE_SLACK_DEG,
      dy = radiusM / ky + PIECE_SLACK_DEG;
    const minX = p[0] - dx,
      minY = p[1] - dy,
      maxX = p[0] + dx,
      maxY = p[1] + dy;
    return { kx, ky, minX, minY, maxX, maxY, cells: this.index.cellsIn(minX, minY, maxX, maxY) };
  }

  /**
   * Marks the legs having a segment whose box meets the window, on a day and at hours that may fit (no distance
   * computed). Lists every piece of such a leg: the last passes measure them without visiting the cells again.
   */
  private markNear(w: Window, stamp: number, rejected: number, f: LegFilter): void {
    const st = this.rough.stamp;
    const cols = this.columns;
    const out = this.firstPieces;
    out.n = 0;
    for (let c = 0; c < w.cells.length; c++) {
      const { keys, floats, n, start } = w.cells[c];
      out.reserve(n);
      const outCell = out.cell,
        outPiece = out.piece;
      let kept = out.n;
      for (let k = start, end = start + n; k < end; k++) {
        const slot = keys[k];
        const mark = st[slot];
        // A leg passes a window with several pieces: its hours and days are read once, kept or rejected.
        if (mark === rejected || pieceOutside(floats, k * PIECE_STRIDE + PIECE_GEOM, w)) continue;
        if (mark !== stamp) {
          if (!cols.mayServe(slot, f)) {
            st[slot] = rejected;
            continue;
          }
          st[slot] = stamp;
        }
        outCell[kept] = c;
        outPiece[kept++] = k;
      }
      out.n = kept;
    }
  }

  /**
   * Pieces (of the window's cells, or of `list`) whose leg is stamped `only` in `marks`, that may be within the
   * radius of p (bound on the float32 piece): their legs are stamped `stamp` in `into` and listed in `out`, with the
   * range of those pieces in `ranges`.
   */
  private boundNear(
    p: LngLat,
    radiusM: number,
    w: Window,
    marks: Marks,
    only: number,
    into: Marks,
    stamp: number,
    ranges: Nearness,
    out: number[],
    list?: PieceList,
  ): void {
    const onlyStamp = marks.stamp,
      st = into.stamp;
    const { fromPart, toPart } = ranges;
    const { kx, ky } = w;
    const bound = radiusM + SLACK_M;
    const keep = (slot: number, part: number) => {
      if (st[slot] !== stamp) {
        st[slot] = stamp;
        out.push(slot);
        fromPart[slot] = part;
        toPart[slot] = part;
      } else if (part < fromPart[slot]) fromPart[slot] = part;
      else if (part > toPart[slot]) toPart[slot] = part;
    };
    const cells = w.cells;
    if (list) {
      const { cell: listCell, piece: listPiece, n } = list;
      for (let j = 0; j < n; j++) {
        const { keys, ints, floats } = cells[listCell[j]];
        const k = listPiece[j];
        const slot = keys[k];
        if (onlyStamp[slot] !== only) continue;
        const r = k * PIECE_STRIDE;
        const g = r + PIECE_GEOM;
        if (distanceM(p, floats[g], floats[g + 1], floats[g + 2], floats[g + 3], kx, ky) <= bound)
          keep(slot, ints[r + PIECE_PART]);
      }
      return;
    }
    for (let c = 0; c < cells.length; c++) {
      const { keys, ints, floats, n, start } = cells[c];
      for (let k = start, end = start + n; k < end; k++) {
        const slot = keys[k];
        if (onlyStamp[slot] !== only) continue;
        const r = k * PIECE_STRIDE;
        const g = r + PIECE_GEOM;
        if (pieceOutside(floats, g, w)) continue;
        if (distanceM(p, floats[g], floats[g + 1], floats[g + 2], floats[g + 3], kx, ky) <= bound)
          keep(slot, ints[r + PIECE_PART]);
      }
    }
  }

  /**
   * Every leg passing within radiusM of both points, pickup before drop-off along its route, serving `f`, with exact
   * distances and positions.
   */
  nearBoth(from: LngLat, to: LngLat, radiusM: number, f: LegFilter): BothEnds {
    // Bounds first, on the float32 pieces, the costly ones only where they can matter: legs near the sparser end are
    // marked (box test), those among them that may be within the radius of the other end are bounded there, then at
    // the first end. Only the legs left are measured exactly, on their own routes, by the function the brute-force
    // scan (services/bench/brute-force.ts) measures with.
    const wp = this.window(from, radiusM),
      wd = this.window(to, radiusM);
    const pieces = (cells: { n: number }[]) => cells.reduce((n, c) => n + c.n, 0);
    const pickupFirst = pieces(wp.cells) <= pieces(wd.cells);
    const [first, other] = pickupFirst ? [from, to] : [to, from];
    const [wFirst, wOther] = pickupFirst ? [wp, wd] : [wd, wp];
    const marked = this.nextStamp();
    const rejected = this.nextStamp();
    const bounded = this.nextStamp();
    const both = this.nextStamp();
    const { atPickup, atDropoff } = this;
    const [atFirst, atOther] = pickupFirst ? [atPickup, atDropoff] : [atDropoff, atPickup];
    this.markNear(wFirst, marked, rejected, f);
    this.boundNear(other, radiusM, wOther, this.rough, marked, this.near, bounded, atOther, []);
    const candidates: number[] = [];
    this.boundNear(first, radiusM, wFirst, this.near, bounded, this.rough, both, atFirst, candidates, this.firstPieces);
    // Exact, on the segments that may be within the radius: the nearest one, if it is, lies among them, and so does
    // the lowest of equally near ones (which the scan keeps).
    const p = scaleAt(from[1]),
      d = scaleAt(to[1]);
    const best: Nearest = { distM: Infinity, alongM: 0 };
    const slots = this.slots;
    const legAt = (slot: number) => slots[slot]!;
    const pFrom = atPickup.fromPart,
      pTo = atPickup.toPart,
      dFrom = atDropoff.fromPart,
      dTo = atDropoff.toPart;
    // Cheap rejections first, without reading the leg: the pickup's nearest segment is at or after fromPart, the
    // drop-off's at or before toPart, so a pickup range entirely after the drop-off's drives the other way (about
    // half of the legs near both ends); then what the columns say (day, seats, territory, driver).
    let left = 0;
    for (let j = 0; j < candidates.length; j++) {
      const slot = candidates[j];
      if (pFrom[slot] <= dTo[slot] && this.columns.serves(slot, f, legAt)) candidates[left++] = slot;
    }
    // Each leg's object, route and positions are elsewhere in memory: read one after the other in the measuring loop,
    // each candidate waited for several cache misses in turn (a third of a dense query). A loop of independent
    // reads first lets the processor fetch many candidates' lines at once; the measure then finds them in cache.
    let touched = 0;
    const coordsAt = this.coordsAt,
      cumAt = this.cumAt;
    for (let j = 0; j < left; j++) {
      const slot = candidates[j];
      const coords = coordsAt[slot]!,
        cum = cumAt[slot]!;
      touched += coords[2 * pFrom[slot]] + cum[pFrom[slot]] + coords[2 * dFrom[slot]] + cum[dFrom[slot]];
    }
    this.touched = touched;
    let kept = 0;
    for (let j = 0; j < left; j++) {
      const slot = candidates[j];
      const coords = coordsAt[slot]!,
        cum = cumAt[slot]!;
      best.distM = Infinity;
      nearestOnSegments(coords, cum, pFrom[slot], pTo[slot] + 1, from[0], from[1], p.kx, p.ky, best);
      if (best.distM > radiusM) continue;
      atPickup.distM[slot] = best.distM;
      atPickup.alongM[slot] = best.alongM;
      best.distM = Infinity;
      nearestOnSegments(coords, cum, dFrom[slot], dTo[slot] + 1, to[0], to[1], d.kx, d.ky, best);
      if (best.distM > radiusM) continue;
      atDropoff.distM[slot] = best.distM;
      atDropoff.alongM[slot] = best.alongM;
      // Pickup before drop-off along the route.
      if (atPickup.alongM[slot] >= best.alongM) continue;
      candidates[kept++] = slot;
    }
    candidates.length = kept;
    return { slots: candidates, pickup: atPickup, dropoff: atDropoff };
  }
}

/**
 * Legs in the order of their midpoints along a Z-curve of ~2 km squares: legs on the same roads get neighbouring
 * slots, so that a query's reads of the per-slot arrays (marks, columns) fall on the same cache lines instead of one
 * line per leg (at a million legs those arrays are megabytes, far beyond the CPU caches).
 */
function nearbyFirst(legs: Leg[]): Leg[] {
  // Key and position packed in one float64: 30 bits of Z-curve, 21 bits of position.
  if (legs.length >= 2 ** 21) return legs;
  const order = new Float64Array(legs.length);
  legs.forEach((l, i) => {
    const mid = 2 * Math.floor(l.coords.length / 4);
    const x = Math.min(32767, Math.max(0, Math.floor(((l.coords[mid] ?? 0) + 180) / 0.02)));
    const y = Math.min(32767, Math.max(0, Math.floor(((l.coords[mid + 1] ?? 0) + 90) / 0.02)));
    let z = 0;
    for (let b = 14; b >= 0; b--) z = z * 4 + ((x >> b) & 1) * 2 + ((y >> b) & 1);
    order[i] = z * 2 ** 21 + i;
  });
  order.sort();
  return Array.from(order, (k) => legs[k % 2 ** 21]);
}

/** Distance from p to a segment, in metres (scaled at p's latitude). */
function distanceM(p: LngLat, x1: number, y1: number, x2: number, y2: number, kx: number, ky: number): number {
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
  return Math.sqrt(ex * ex + ey * ey);
}

/** True when the box of the piece at `g` misses the window: the piece is farther than the radius. */
function pieceOutside(
  geom: Float32Array,
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
