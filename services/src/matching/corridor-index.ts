import RBush from 'rbush';
import { IntTable } from './int-table.ts';

/** Floats stored per piece: its two ends, as float32. */
export const PIECE_STRIDE = 4;

/**
 * How far (degrees, on each axis) a float32 coordinate may lie from the float64 one it rounds: half an ulp for any
 * |coordinate| < 256, with room to spare. Tests on stored pieces widen their bounds by this much.
 */
export const PIECE_SLACK_DEG = 1e-5;

/**
 * A cell of the index: the box of all the pieces filed under it, their geometry and who they belong to, in typed
 * arrays so that a query reads them in one tight loop. The geometry is float32 (a third of the memory of float64
 * ends with their positions along the line): good for bounds, not for exact distances, which a caller measures on
 * its own float64 lines (`parts` says which segment). The cells of a bulk load share three arrays, each its range
 * of them (pieces `start` to `start + n`): no array objects per cell; a cell that grows past its range moves to
 * arrays of its own.
 */
export interface Cell {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  id: number;
  n: number;
  /** First piece of the cell in its arrays. */
  start: number;
  /** Pieces the cell's range holds from `start`. */
  cap: number;
  keys: Int32Array;
  parts: Int32Array;
  /** PIECE_STRIDE floats per piece: x1, y1, x2, y2. */
  geom: Float32Array;
}

export interface Line {
  /** A small non-negative integer (a dense slot number): it indexes typed arrays. */
  key: number;
  /** Flat [x0, y0, x1, y1, …]. */
  coords: Float64Array;
}

const emptyCell = (id: number, capacity: number): Cell => ({
  minX: Infinity,
  minY: Infinity,
  maxX: -Infinity,
  maxY: -Infinity,
  id,
  n: 0,
  start: 0,
  cap: capacity,
  keys: new Int32Array(capacity),
  parts: new Int32Array(capacity),
  geom: new Float32Array(capacity * PIECE_STRIDE),
});

function grow(c: Cell, need: number): void {
  if (need <= c.cap) return;
  const cap = Math.max(need, c.cap * 2, 8);
  const keys = new Int32Array(cap),
    parts = new Int32Array(cap),
    geom = new Float32Array(cap * PIECE_STRIDE);
  keys.set(c.keys.subarray(c.start, c.start + c.n));
  parts.set(c.parts.subarray(c.start, c.start + c.n));
  geom.set(c.geom.subarray(c.start * PIECE_STRIDE, (c.start + c.n) * PIECE_STRIDE));
  c.keys = keys;
  c.parts = parts;
  c.geom = geom;
  c.start = 0;
  c.cap = cap;
}

function grownInt32(a: Int32Array, need: number, fill = 0): Int32Array {
  if (need <= a.length) return a;
  const b = new Int32Array(Math.max(need, a.length * 2, 1024)).fill(fill);
  b.set(a);
  return b;
}

/**
 * R-tree of line pieces, domain-free: it knows keys, part numbers and geometry, nothing of drivers. Each segment of
 * a line is filed in a small grid cell by its midpoint, and each cell is one R-tree item whose box is the union of
 * its pieces' boxes. Thousands of routes along the same roads then cost a few tree items near any point instead of
 * one item each (a naive tree of 3.6M segment boxes returns tens of thousands of boxes per query, and is slower
 * than PostGIS). Removal is exact: the index keeps each line (the caller's array, not a copy) and finds its cells
 * again from it.
 */
export class CorridorIndex {
  private tree = new RBush<Cell>(16);
  private cells = new Map<number, Cell>();
  /** The indexed lines by key. */
  private lines: (Float64Array | undefined)[] = [];

  /** @param cellDeg cell size in degrees of longitude and latitude (about 1 km by default). */
  constructor(private cellDeg: { x: number; y: number } = { x: 0.013, y: 0.009 }) {
    this.columns = Math.ceil(360 / cellDeg.x) + 1;
    if (this.columns * Math.ceil(180 / cellDeg.y + 1) > 2 ** 30)
      throw new Error('cells too small for small-integer ids');
  }

  /** Columns of the grid: cell ids stay small integers (V8 keeps them unboxed, Map lookups stay cheap). */
  private readonly columns: number;

  private cellId(x: number, y: number): number {
    return Math.floor((y + 90) / this.cellDeg.y) * this.columns + Math.floor((x + 180) / this.cellDeg.x);
  }

  private pieceCell(c: Float64Array, i: number): number {
    return this.cellId((c[2 * i] + c[2 * i + 2]) / 2, (c[2 * i + 1] + c[2 * i + 3]) / 2);
  }

  private put(cell: Cell, key: number, c: Float64Array, i: number): void {
    const x1 = c[2 * i],
      y1 = c[2 * i + 1],
      x2 = c[2 * i + 2],
      y2 = c[2 * i + 3];
    grow(cell, cell.n + 1);
    const k = cell.start + cell.n++;
    cell.keys[k] = key;
    cell.parts[k] = i;
    const g = k * PIECE_STRIDE;
    cell.geom[g] = x1;
    cell.geom[g + 1] = y1;
    cell.geom[g + 2] = x2;
    cell.geom[g + 3] = y2;
    if (x1 < cell.minX) cell.minX = x1;
    if (x2 < cell.minX) cell.minX = x2;
    if (y1 < cell.minY) cell.minY = y1;
    if (y2 < cell.minY) cell.minY = y2;
    if (x1 > cell.maxX) cell.maxX = x1;
    if (x2 > cell.maxX) cell.maxX = x2;
    if (y1 > cell.maxY) cell.maxY = y1;
    if (y2 > cell.maxY) cell.maxY = y2;
  }

  private cellsOf(coords: Float64Array): number[] {
    const ids = new Set<number>();
    for (let i = 0; i < coords.length / 2 - 1; i++) ids.add(this.pieceCell(coords, i));
    return [...ids];
  }

  /**
   * Bulk load into an empty index: line `i` gets key `i`, and the index keeps the array. A counting pass files each
   * piece in its cell, then each piece is written at its place in three arrays shared by all cells (one buffer:
   * every large buffer allocated made V8 run a full collection, a second each at a million routes), the cells'
   * boxes in a typed array: no object per line or per piece, and one R-tree bulk load.
   */
  load(lines: (Float64Array | undefined)[]): void {
    this.clear();
    const count = lines.length;
    let total = 0;
    for (let l = 0; l < count; l++) total += Math.max(0, (lines[l]?.length ?? 0) / 2 - 1);
    // Pass 1: pieces per cell, cells numbered densely in their order of appearance. Consecutive pieces of a line
    // often share a cell: the lookup is skipped then, here and in pass 2 (which finds the cells again rather than
    // keeping 4 bytes per piece of them).
    const denseOf = new IntTable(Math.max(1024, total >> 6));
    let ids: Int32Array = new Int32Array(1024),
      counts: Int32Array = new Int32Array(1024);
    let cellCount = 0;
    for (let l = 0; l < count; l++) {
      const c = lines[l];
      if (!c) continue;
      let lastId = -1,
        d = -1;
      for (let i = 0; i < c.length / 2 - 1; i++) {
        const id = this.pieceCell(c, i);
        if (id !== lastId) {
          lastId = id;
          d = denseOf.getOr(id, -1);
          if (d < 0) {
            d = cellCount++;
            denseOf.set(id, d);
            if (d === ids.length) {
              ids = grownInt32(ids, d + 1);
              counts = grownInt32(counts, d + 1);
            }
            ids[d] = id;
          }
        }
        counts[d]++;
      }
    }
    const cursor = new Int32Array(cellCount);
    for (let d = 1; d < cellCount; d++) cursor[d] = cursor[d - 1] + counts[d - 1];
    const buffer = new ArrayBuffer(total * (8 + 4 * PIECE_STRIDE));
    const allKeys = new Int32Array(buffer, 0, total),
      allParts = new Int32Array(buffer, 4 * total, total),
      allGeom = new Float32Array(buffer, 8 * total, total * PIECE_STRIDE);
    const box = new Float64Array(cellCount * 4);
    for (let d = 0; d < cellCount; d++) {
      box[4 * d] = box[4 * d + 1] = Infinity;
      box[4 * d + 2] = box[4 * d + 3] = -Infinity;
    }
    for (let l = 0; l < count; l++) {
      const c = lines[l];
      if (!c) continue;
      let lastId = -1,
        d = -1;
      for (let i = 0; i < c.length / 2 - 1; i++) {
        const id = this.pieceCell(c, i);
        if (id !== lastId) {
          lastId = id;
          d = denseOf.getOr(id, -1);
        }
        const j = cursor[d]++;
        const x1 = c[2 * i],
          y1 = c[2 * i + 1],
          x2 = c[2 * i + 2],
          y2 = c[2 * i + 3];
        allKeys[j] = l;
        allParts[j] = i;
        const g = j * PIECE_STRIDE;
        allGeom[g] = x1;
        allGeom[g + 1] = y1;
        allGeom[g + 2] = x2;
        allGeom[g + 3] = y2;
        const b = 4 * d;
        if (x1 < box[b]) box[b] = x1;
        if (x2 < box[b]) box[b] = x2;
        if (y1 < box[b + 1]) box[b + 1] = y1;
        if (y2 < box[b + 1]) box[b + 1] = y2;
        if (x1 > box[b + 2]) box[b + 2] = x1;
        if (x2 > box[b + 2]) box[b + 2] = x2;
        if (y1 > box[b + 3]) box[b + 3] = y1;
        if (y2 > box[b + 3]) box[b + 3] = y2;
      }
    }
    const cells: Cell[] = new Array(cellCount);
    for (let d = 0; d < cellCount; d++) {
      const n = counts[d];
      const cell: Cell = {
        minX: box[4 * d],
        minY: box[4 * d + 1],
        maxX: box[4 * d + 2],
        maxY: box[4 * d + 3],
        id: ids[d],
        n,
        // The cursor ends where the cell's range ends.
        start: cursor[d] - n,
        cap: n,
        keys: allKeys,
        parts: allParts,
        geom: allGeom,
      };
      cells[d] = cell;
      this.cells.set(cell.id, cell);
    }
    this.lines = lines;
    this.tree.load(cells);
  }

  insert(line: Line): void {
    this.remove(line.key);
    const ids = this.cellsOf(line.coords);
    // A cell leaves the tree before its box changes, and comes back after.
    for (const id of ids) {
      const c = this.cells.get(id);
      if (c) this.tree.remove(c);
      else this.cells.set(id, emptyCell(id, 8));
    }
    for (let i = 0; i < line.coords.length / 2 - 1; i++)
      this.put(this.cells.get(this.pieceCell(line.coords, i))!, line.key, line.coords, i);
    for (const id of ids) this.tree.insert(this.cells.get(id)!);
    this.lines[line.key] = line.coords;
  }

  remove(key: number): boolean {
    const coords = this.lines[key];
    if (!coords) return false;
    for (const id of this.cellsOf(coords)) {
      const c = this.cells.get(id)!;
      this.tree.remove(c);
      const end = c.start + c.n;
      let w = c.start;
      for (let r = c.start; r < end; r++) {
        if (c.keys[r] === key) continue;
        if (w !== r) {
          c.keys[w] = c.keys[r];
          c.parts[w] = c.parts[r];
          c.geom.copyWithin(w * PIECE_STRIDE, r * PIECE_STRIDE, (r + 1) * PIECE_STRIDE);
        }
        w++;
      }
      c.n = w - c.start;
      // The box stays as it was: still a valid (if loose) bound; it is tight again after the next bulk load.
      if (c.n === 0) this.cells.delete(id);
      else this.tree.insert(c);
    }
    this.lines[key] = undefined;
    return true;
  }

  /** Cells whose box meets the window: their pieces are a superset of the pieces that do. */
  cellsIn(minX: number, minY: number, maxX: number, maxY: number): Cell[] {
    return this.tree.search({ minX, minY, maxX, maxY });
  }

  clear(): void {
    this.tree.clear();
    this.cells.clear();
    this.lines = [];
  }
}
