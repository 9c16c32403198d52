import { nearestOnSegments, scaleAt, type Nearest } from '../geo/polyline.ts';
import { CorridorIndex, type PieceBox } from './corridor-index.ts';
import type { Leg } from './legs.ts';

export interface IndexOptions {
  /** Segments per indexed piece: fewer means tighter boxes but a bigger tree. */
  segmentsPerPiece: number;
}

const DEFAULTS: IndexOptions = { segmentsPerPiece: 8 };

export interface NearHit {
  leg: Leg;
  distM: number;
  alongM: number;
}

/**
 * Driver legs by corridor: each route cut into pieces of a few segments, each piece's box in an R-tree. A point query
 * returns, for every leg passing within the radius, the exact distance and where along the route it is closest.
 */
export class LegIndex {
  readonly legs = new Map<number, Leg>();
  private index = new CorridorIndex();
  private opts: IndexOptions;

  constructor(opts: Partial<IndexOptions> = {}) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  private pieces(l: Leg): PieceBox[] {
    const c = l.coords;
    const nSeg = c.length / 2 - 1;
    const boxes: PieceBox[] = [];
    for (let s = 0; s < nSeg; s += this.opts.segmentsPerPiece) {
      const e = Math.min(nSeg, s + this.opts.segmentsPerPiece);
      let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
      for (let i = s; i <= e; i++) {
        const x = c[2 * i], y = c[2 * i + 1];
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
      boxes.push({ minX, minY, maxX, maxY, key: l.key, part: s });
    }
    return boxes;
  }

  load(legs: Iterable<Leg>): void {
    const entries: { key: number; boxes: PieceBox[] }[] = [];
    for (const l of legs) {
      if (l.coords.length < 4) continue;
      this.legs.set(l.key, l);
      entries.push({ key: l.key, boxes: this.pieces(l) });
    }
    this.index.load(entries);
  }

  upsert(l: Leg): void {
    if (l.coords.length < 4) return this.remove(l.key);
    this.legs.set(l.key, l);
    this.index.insert(l.key, this.pieces(l));
  }

  remove(key: number): void {
    this.legs.delete(key);
    this.index.remove(key);
  }

  clear(): void {
    this.legs.clear();
    this.index.clear();
  }

  get size(): number {
    return this.legs.size;
  }

  /** Every leg within radiusM of the point, with exact distance and position along the route. */
  near(lng: number, lat: number, radiusM: number, accept?: (l: Leg) => boolean): Map<number, NearHit> {
    const { kx, ky } = scaleAt(lat);
    const dx = radiusM / kx, dy = radiusM / ky;
    const hits = new Map<number, NearHit>();
    const rejected = new Set<number>();
    const scratch: Nearest = { distM: Infinity, alongM: 0 };
    for (const box of this.index.search(lng - dx, lat - dy, lng + dx, lat + dy)) {
      if (rejected.has(box.key)) continue;
      const leg = this.legs.get(box.key)!;
      if (accept && !accept(leg)) {
        rejected.add(box.key);
        continue;
      }
      scratch.distM = Infinity;
      const to = Math.min(box.part + this.opts.segmentsPerPiece, leg.coords.length / 2 - 1);
      nearestOnSegments(leg.coords, leg.cumM, box.part, to, lng, lat, kx, ky, scratch);
      if (scratch.distM > radiusM) continue;
      const prev = hits.get(box.key);
      // Ties keep the earlier point along the route: the same answer as a scan from the start (brute force).
      if (!prev || scratch.distM < prev.distM || (scratch.distM === prev.distM && scratch.alongM < prev.alongM)) {
        hits.set(box.key, { leg, distM: scratch.distM, alongM: scratch.alongM });
      }
    }
    return hits;
  }
}

/** Reference search without the index: every leg, every segment. Used to check the index's recall. */
export function nearByScan(legs: Iterable<Leg>, lng: number, lat: number, radiusM: number, accept?: (l: Leg) => boolean) {
  const { kx, ky } = scaleAt(lat);
  const hits = new Map<number, NearHit>();
  const best: Nearest = { distM: Infinity, alongM: 0 };
  for (const leg of legs) {
    if (accept && !accept(leg)) continue;
    best.distM = Infinity;
    nearestOnSegments(leg.coords, leg.cumM, 0, leg.coords.length / 2 - 1, lng, lat, kx, ky, best);
    if (best.distM <= radiusM) hits.set(leg.key, { leg, distM: best.distM, alongM: best.alongM });
  }
  return hits;
}
