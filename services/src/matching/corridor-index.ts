import RBush from 'rbush';

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
 * its own float64 lines (`parts` says which segment).
 */
export interface Cell {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  id: number;
  n: number;
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
  keys: new Int32Array(capacity),
  parts: new Int32Array(capacity),
  geom: new Float32Array(capacity * PIECE_STRIDE),
});

function grow(c: Cell, need: number): void {
  if (need <= c.keys.length) return;
  const cap = Math.max(need, c.keys.length * 2, 8);
  const keys = new Int32Array(cap),
    parts = new Int32Array(cap),
    geom = new Float32Array(cap * PIECE_STRIDE);
  keys.set(c.keys.subarray(0, c.n));
  parts.set(c.parts.subarray(0, c.n));
  geom.set(c.geom.subarray(0, c.n * PIECE_STRIDE));
  c.keys = keys;
  c.parts = parts;
  c.geom = geom;
}

function grownInt32(a: Int32Array, need: number, fill = 0): Int32Array {
  if (need <= a.length) return a;
  const b = new Int32Array(Math.max(need, a.length * 2, 1024)).fill(fill);
  b.set(a);
  return b;
}

/**
 * Dense numbers for sparse cell ids, in an open-addressing table of typed arrays: a bulk load looks up one id per
 * segment (tens of millions at national scale), where a Map cost seconds and its garbage.
 */
class DenseIds {
  private table: Int32Array;
  private values: Int32Array;
  private mask: number;
  readonly ids: number[] = [];

  constructor(expected: number) {
    let size = 1024;
    while (size < expected * 2) size *= 2;
    this.table = new Int32Array(size).fill(-1);
    this.values = new Int32Array(size);
    this.mask = size - 1;
  }

  /** The dense number of `id`, given the next one when new. */
  of(id: number): number {
    let h = Math.imul(id, 0x9e3779b1) & this.mask;
    for (;;) {
      const t = this.table[h];
      if (t === id) return this.values[h];
      if (t === -1) break;
      h = (h + 1) & this.mask;
    }
    if (this.ids.length * 2 >= this.mask) {
      this.rehash();
      return this.of(id);
    }
    const d = this.ids.length;
    this.table[h] = id;
    this.values[h] = d;
    this.ids.push(id);
    return d;
  }

  private rehash(): void {
    const size = this.table.length * 2;
    this.table = new Int32Array(size).fill(-1);
    this.values = new Int32Array(size);
    this.mask = size - 1;
    this.ids.forEach((id, d) => {
      let h = Math.imul(id, 0x9e3779b1) & this.mask;
      while (this.table[h] !== -1) h = (h + 1) & this.mask;
      this.table[h] = id;
      this.values[h] = d;
    });
  }
}

/**
 * R-tree of line pieces, domain-free: it knows keys, part numbers and geometry, nothing of drivers. Each segment of
 * a line is filed in a small grid cell by its midpoint, and each cell is one R-tree item whose box is the union of
 * its pieces' boxes. Thousands of routes along the same roads then cost a few tree items near any point instead of
 * one item each (a naive tree of 3.6M segment boxes returns tens of thousands of boxes per query, and is slower
 * than PostGIS). Removal is exact: a line's cells are remembered (in one typed pool, not an array per line: a
 * million of those were a tenth of the memory).
 */
export class CorridorIndex {
  private tree = new RBush<Cell>(16);
  private cells = new Map<number, Cell>();
  /** Per key: where its cell ids start in `lineCellPool`, and how many (-1: not indexed). */
  private lineStart: Int32Array = new Int32Array(0);
  private lineCount: Int32Array = new Int32Array(0);
  private lineCellPool: Int32Array = new Int32Array(0);
  private poolUsed = 0;

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
    const k = cell.n++;
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

  private cellsOf(line: Line): number[] {
    const ids = new Set<number>();
    for (let i = 0; i < line.coords.length / 2 - 1; i++) ids.add(this.pieceCell(line.coords, i));
    return [...ids];
  }

  /** Remembers a line's cells, at the end of the pool. */
  private keepCells(key: number, ids: ArrayLike<number>, n = ids.length): void {
    this.lineStart = grownInt32(this.lineStart, key + 1, -1);
    this.lineCount = grownInt32(this.lineCount, key + 1);
    this.lineCellPool = grownInt32(this.lineCellPool, this.poolUsed + n);
    this.lineStart[key] = this.poolUsed;
    this.lineCount[key] = n;
    for (let j = 0; j < n; j++) this.lineCellPool[this.poolUsed++] = ids[j];
  }

  /** Bulk load into an empty index: cells sized exactly (a counting pass first), then one R-tree bulk load. */
  load(lines: Line[]): void {
    this.clear();
    let total = 0;
    let maxKey = -1;
    for (const l of lines) {
      total += Math.max(0, l.coords.length / 2 - 1);
      if (l.key > maxKey) maxKey = l.key;
    }
    // One cell lookup per piece, remembered as a dense cell number for the second pass.
    const cellOfPiece = new Int32Array(total);
    const dense = new DenseIds(Math.max(1024, total >> 6));
    let counts = new Int32Array(1024);
    let s = 0;
    for (const l of lines) {
      for (let i = 0; i < l.coords.length / 2 - 1; i++, s++) {
        const d = dense.of(this.pieceCell(l.coords, i));
        if (d >= counts.length) {
          const grown = new Int32Array(counts.length * 2);
          grown.set(counts);
          counts = grown;
        }
        counts[d]++;
        cellOfPiece[s] = d;
      }
    }
    // One allocation per array for all cells (each cell a view on its part): a few large external allocations make
    // V8 collect once where thousands of small ones made it collect the whole heap several times during the load.
    const keys = new Int32Array(total),
      parts = new Int32Array(total),
      geom = new Float32Array(total * PIECE_STRIDE);
    let offset = 0;
    const cells = dense.ids.map((id, d) => {
      const n = counts[d];
      const c = emptyCell(id, 0);
      c.keys = keys.subarray(offset, offset + n);
      c.parts = parts.subarray(offset, offset + n);
      c.geom = geom.subarray(offset * PIECE_STRIDE, (offset + n) * PIECE_STRIDE);
      offset += n;
      return c;
    });
    this.lineStart = new Int32Array(maxKey + 1).fill(-1);
    this.lineCount = new Int32Array(maxKey + 1);
    this.lineCellPool = new Int32Array(Math.max(1024, total));
    const mine = new Int32Array(64);
    s = 0;
    for (const l of lines) {
      let n = 0;
      let buf = mine;
      for (let i = 0; i < l.coords.length / 2 - 1; i++, s++) {
        const cell = cells[cellOfPiece[s]];
        let known = false;
        for (let j = n - 1; j >= 0 && !known; j--) known = buf[j] === cell.id;
        if (!known) {
          if (n === buf.length) {
            const b = new Int32Array(buf.length * 2);
            b.set(buf);
            buf = b;
          }
          buf[n++] = cell.id;
        }
        this.put(cell, l.key, l.coords, i);
      }
      this.keepCells(l.key, buf, n);
    }
    for (const c of cells) this.cells.set(c.id, c);
    this.tree.load(cells);
  }

  insert(line: Line): void {
    this.remove(line.key);
    const ids = this.cellsOf(line);
    // A cell leaves the tree before its box changes, and comes back after.
    for (const id of ids) {
      const c = this.cells.get(id);
      if (c) this.tree.remove(c);
      else this.cells.set(id, emptyCell(id, 8));
    }
    for (let i = 0; i < line.coords.length / 2 - 1; i++)
      this.put(this.cells.get(this.pieceCell(line.coords, i))!, line.key, line.coords, i);
    for (const id of ids) this.tree.insert(this.cells.get(id)!);
    // Inserted lines go to the end of the pool; the space of removed ones comes back at the next bulk load.
    this.keepCells(line.key, ids);
  }

  remove(key: number): boolean {
    if (key >= this.lineStart.length || this.lineStart[key] < 0) return false;
    const start = this.lineStart[key],
      count = this.lineCount[key];
    for (let j = start; j < start + count; j++) {
      const id = this.lineCellPool[j];
      const c = this.cells.get(id)!;
      this.tree.remove(c);
      let w = 0;
      for (let r = 0; r < c.n; r++) {
        if (c.keys[r] === key) continue;
        if (w !== r) {
          c.keys[w] = c.keys[r];
          c.parts[w] = c.parts[r];
          c.geom.copyWithin(w * PIECE_STRIDE, r * PIECE_STRIDE, (r + 1) * PIECE_STRIDE);
        }
        w++;
      }
      c.n = w;
      // The box stays as it was: still a valid (if loose) bound; it is tight again after the next bulk load.
      if (w === 0) this.cells.delete(id);
      else this.tree.insert(c);
    }
    this.lineStart[key] = -1;
    this.lineCount[key] = 0;
    return true;
  }

  /** Cells whose box meets the window: their pieces are a superset of the pieces that do. */
  cellsIn(minX: number, minY: number, maxX: number, maxY: number): Cell[] {
    return this.tree.search({ minX, minY, maxX, maxY });
  }

  clear(): void {
    this.tree.clear();
    this.cells.clear();
    this.lineStart = new Int32Array(0);
    this.lineCount = new Int32Array(0);
    this.lineCellPool = new Int32Array(0);
    this.poolUsed = 0;
  }
}
