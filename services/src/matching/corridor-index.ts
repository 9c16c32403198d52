import RBush from 'rbush';

/**
 * Words per piece, in one record: its part (int32), then its two ends x1, y1, x2, y2 (float32); its key is in the
 * cell's `keys`, an array of its own. A cell's pieces are consecutive records: a query scans one run of memory per
 * cell, and a bulk load writes one. Most pieces a query visits belong to legs it has already set aside, which it
 * tells from the key alone: keys read from a record each brought the whole record's cache line in, six times
 * the memory read for them.
 */
export const PIECE_STRIDE = 5;
/** Offsets in a record. */
export const PIECE_PART = 0;
export const PIECE_GEOM = 1;

/**
 * How far (degrees, on each axis) a float32 coordinate may lie from the float64 one it rounds: half an ulp for any
 * |coordinate| < 256, with room to spare. Tests on stored pieces widen their bounds by this much.
 */
export const PIECE_SLACK_DEG = 1e-5;

/**
 * A cell of the index: the box of all the pieces filed under it, their geometry and who they belong to, in typed
 * arrays so that a query reads them in one tight loop. The geometry is float32 (a third of the memory of float64
 * ends with their positions along the line): good for bounds, not for exact distances, which a caller measures on
 * its own float64 lines (the part says which segment). `ints` and `floats` are two views of the same records. The
 * cells of a bulk load share one buffer, each its range of it (records `start` to `start + n`): no array objects
 * per cell; a cell that grows past its range moves to a buffer of its own.
 */
export interface Cell {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  id: number;
  n: number;
  /** First record of the cell. */
  start: number;
  /** Records the cell's range holds from `start`. */
  cap: number;
  /** The key of each piece, by piece (not by word): `keys[k]` is that of record k. */
  keys: Int32Array;
  ints: Int32Array;
  floats: Float32Array;
}

export interface Line {
  /** A small non-negative integer (a dense slot number): it indexes typed arrays. */
  key: number;
  /** Flat [x0, y0, x1, y1, …]. */
  coords: Float64Array;
}

const emptyCell = (id: number, capacity: number): Cell => {
  const buffer = new ArrayBuffer(capacity * PIECE_STRIDE * 4);
  return {
    keys: new Int32Array(capacity),
    minX: Infinity,
    minY: Infinity,
    maxX: -Infinity,
    maxY: -Infinity,
    id,
    n: 0,
    start: 0,
    cap: capacity,
    ints: new Int32Array(buffer),
    floats: new Float32Array(buffer),
  };
};

function grow(c: Cell, need: number): void {
  if (need <= c.cap) return;
  const cap = Math.max(need, c.cap * 2, 8);
  const buffer = new ArrayBuffer(cap * PIECE_STRIDE * 4);
  const ints = new Int32Array(buffer);
  ints.set(c.ints.subarray(c.start * PIECE_STRIDE, (c.start + c.n) * PIECE_STRIDE));
  const keys = new Int32Array(cap);
  keys.set(c.keys.subarray(c.start, c.start + c.n));
  c.keys = keys;
  c.ints = ints;
  c.floats = new Float32Array(buffer);
  c.start = 0;
  c.cap = cap;
}

function grownInt32(a: Int32Array, need: number, fill = 0): Int32Array {
  if (need <= a.length) return a;
  const b = new Int32Array(Math.max(need, a.length * 2, 1024)).fill(fill);
  b.set(a);
  return b;
}

/** Cells per side of a tile of `CellNumbers`. */
const TILE_BITS = 6;
const TILE_MASK = (1 << TILE_BITS) - 1;

/**
 * Dense numbers of the cells met during a bulk load, found in two array reads: the grid cut in tiles of 64 × 64
 * cells, a table of the tiles, and for each tile met a block of the numbers of its cells. A hash lookup per piece
 * instead (tens of millions of them at national scale) was a third of the load.
 */
class CellNumbers {
  private blockOf: Int32Array;
  private blocks: Int32Array = new Int32Array(0);
  private blocksUsed = 0;
  count = 0;
  /** Cell ids by dense number. */
  ids: Int32Array = new Int32Array(1024);

  constructor(
    private tileColumns: number,
    tileRows: number,
  ) {
    this.blockOf = new Int32Array(tileColumns * tileRows).fill(-1);
  }

  /** The dense number of the cell at (column, row), of id `id`; the next one when the cell is new. */
  of(column: number, row: number, id: number): number {
    const tile = (row >> TILE_BITS) * this.tileColumns + (column >> TILE_BITS);
    let base = this.blockOf[tile];
    if (base < 0) base = this.newBlock(tile);
    const at = base + (((row & TILE_MASK) << TILE_BITS) | (column & TILE_MASK));
    let d = this.blocks[at];
    if (d < 0) {
      d = this.count++;
      this.blocks[at] = d;
      if (d === this.ids.length) this.ids = grownInt32(this.ids, d + 1);
      this.ids[d] = id;
    }
    return d;
  }

  private newBlock(tile: number): number {
    const size = 1 << (2 * TILE_BITS);
    if (this.blocksUsed + size > this.blocks.length) {
      const blocks = new Int32Array(Math.max(this.blocks.length * 2, 16 * size)).fill(-1);
      blocks.set(this.blocks.subarray(0, this.blocksUsed));
      this.blocks = blocks;
    }
    this.blockOf[tile] = this.blocksUsed;
    this.blocksUsed += size;
    return this.blockOf[tile];
  }
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
    this.rows = Math.ceil(180 / cellDeg.y) + 1;
    if (this.columns * this.rows > 2 ** 30) throw new Error('cells too small for small-integer ids');
  }

  /** Columns and rows of the grid: cell ids stay small integers (V8 keeps them unboxed, Map lookups stay cheap). */
  private readonly columns: number;
  private readonly rows: number;

  /** The column and row of a piece's cell: that of its midpoint. The one rule for load, insert and remove. */
  private pieceColumn(c: Float64Array, i: number): number {
    return Math.floor(((c[2 * i] + c[2 * i + 2]) / 2 + 180) / this.cellDeg.x);
  }

  private pieceRow(c: Float64Array, i: number): number {
    return Math.floor(((c[2 * i + 1] + c[2 * i + 3]) / 2 + 90) / this.cellDeg.y);
  }

  private pieceCell(c: Float64Array, i: number): number {
    return this.pieceRow(c, i) * this.columns + this.pieceColumn(c, i);
  }

  private put(cell: Cell, key: number, c: Float64Array, i: number): void {
    const x1 = c[2 * i],
      y1 = c[2 * i + 1],
      x2 = c[2 * i + 2],
      y2 = c[2 * i + 3];
    grow(cell, cell.n + 1);
    const k = cell.start + cell.n++;
    const r = k * PIECE_STRIDE;
    cell.keys[k] = key;
    cell.ints[r + PIECE_PART] = i;
    const g = r + PIECE_GEOM;
    cell.floats[g] = x1;
    cell.floats[g + 1] = y1;
    cell.floats[g + 2] = x2;
    cell.floats[g + 3] = y2;
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
   * piece in its cell, then each piece is written at its place in one buffer shared by all cells (each large
   * buffer allocated made V8 run a full collection, a second or more each at a million routes), the cells' boxes in
   * a typed array: no object per line or per piece, and one R-tree bulk load.
   */
  load(lines: (Float64Array | undefined)[]): void {
    this.clear();
    const count = lines.length;
    let total = 0;
    for (let l = 0; l < count; l++) total += Math.max(0, (lines[l]?.length ?? 0) / 2 - 1);
    // Pass 1: pieces per cell, cells numbered densely in their order of appearance (pass 2 finds the numbers again
    // rather than keeping 4 bytes per piece of them).
    const numbers = new CellNumbers(Math.ceil(this.columns / (TILE_MASK + 1)), Math.ceil(this.rows / (TILE_MASK + 1)));
    let counts: Int32Array = new Int32Array(1024);
    for (let l = 0; l < count; l++) {
      const c = lines[l];
      if (!c) continue;
      for (let i = 0; i < c.length / 2 - 1; i++) {
        const column = this.pieceColumn(c, i),
          row = this.pieceRow(c, i);
        const d = numbers.of(column, row, row * this.columns + column);
        if (d === counts.length) counts = grownInt32(counts, d + 1);
        counts[d]++;
      }
    }
    const { count: cellCount, ids } = numbers;
    const cursor = new Int32Array(cellCount);
    for (let d = 1; d < cellCount; d++) cursor[d] = cursor[d - 1] + counts[d - 1];
    // One buffer for the keys and the records (each large allocation may start a full collection).
    const buffer = new ArrayBuffer(total * (1 + PIECE_STRIDE) * 4);
    const keys = new Int32Array(buffer, 0, total),
      ints = new Int32Array(buffer, total * 4, total * PIECE_STRIDE),
      floats = new Float32Array(buffer, total * 4, total * PIECE_STRIDE);
    const box = new Float64Array(cellCount * 4);
    for (let d = 0; d < cellCount; d++) {
      box[4 * d] = box[4 * d + 1] = Infinity;
      box[4 * d + 2] = box[4 * d + 3] = -Infinity;
    }
    for (let l = 0; l < count; l++) {
      const c = lines[l];
      if (!c) continue;
      for (let i = 0; i < c.length / 2 - 1; i++) {
        const column = this.pieceColumn(c, i),
          row = this.pieceRow(c, i);
        const d = numbers.of(column, row, row * this.columns + column);
        const k = cursor[d]++;
        const r = k * PIECE_STRIDE;
        const x1 = c[2 * i],
          y1 = c[2 * i + 1],
          x2 = c[2 * i + 2],
          y2 = c[2 * i + 3];
        keys[k] = l;
        ints[r + PIECE_PART] = i;
        const g = r + PIECE_GEOM;
        floats[g] = x1;
        floats[g + 1] = y1;
        floats[g + 2] = x2;
        floats[g + 3] = y2;
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
        keys,
        ints,
        floats,
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
          c.ints.copyWithin(w * PIECE_STRIDE, r * PIECE_STRIDE, (r + 1) * PIECE_STRIDE);
          c.keys[w] = c.keys[r];
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
