import RBush from 'rbush';

/** Floats stored per piece: its two ends. */
export const PIECE_STRIDE = 6;

/**
 * A cell of the index: the box of all the pieces filed under it, their geometry and who they belong to, in typed
 * arrays so that a query reads them in one tight loop.
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
  geom: Float64Array;
}

export interface Line {
  key: number;
  /** Flat [x0, y0, x1, y1, …]. */
  coords: Float64Array;
  /** Distance along the line at each vertex: kept beside each piece so that a query never reads the line itself. */
  along: Float64Array;
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
  geom: new Float64Array(capacity * PIECE_STRIDE),
});

function grow(c: Cell, need: number): void {
  if (need <= c.keys.length) return;
  const cap = Math.max(need, c.keys.length * 2, 8);
  const keys = new Int32Array(cap),
    parts = new Int32Array(cap),
    geom = new Float64Array(cap * PIECE_STRIDE);
  keys.set(c.keys.subarray(0, c.n));
  parts.set(c.parts.subarray(0, c.n));
  geom.set(c.geom.subarray(0, c.n * PIECE_STRIDE));
  c.keys = keys;
  c.parts = parts;
  c.geom = geom;
}

/**
 * R-tree of line pieces, domain-free: it knows keys, part numbers and geometry, nothing of drivers. Each segment of
 * a line is filed in a small grid cell by its midpoint, and each cell is one R-tree item whose box is the union of
 * its pieces' boxes. Thousands of routes along the same roads then cost a few tree items near any point instead of
 * one item each (a naive tree of 3.6M segment boxes returns tens of thousands of boxes per query, and is slower
 * than PostGIS). Removal is exact: a line's cells are remembered.
 */
export class CorridorIndex {
  private tree = new RBush<Cell>(16);
  private cells = new Map<number, Cell>();
  private lineCells = new Map<number, number[]>();

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

  private put(cell: Cell, key: number, line: Line, i: number): void {
    const c = line.coords;
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
    cell.geom[g + 4] = line.along[i];
    cell.geom[g + 5] = line.along[i + 1] - line.along[i];
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

  /** Bulk load into an empty index: cells sized exactly (a counting pass first), then one R-tree bulk load. */
  load(lines: Line[]): void {
    this.clear();
    let total = 0;
    for (const l of lines) total += Math.max(0, l.coords.length / 2 - 1);
    // One cell lookup per piece, remembered as a dense cell number for the second pass.
    const cellOfPiece = new Int32Array(total);
    const dense = new Map<number, number>();
    const ids: number[] = [];
    let counts = new Int32Array(1024);
    let s = 0;
    for (const l of lines) {
      for (let i = 0; i < l.coords.length / 2 - 1; i++, s++) {
        const id = this.pieceCell(l.coords, i);
        let d = dense.get(id);
        if (d === undefined) {
          d = ids.length;
          dense.set(id, d);
          ids.push(id);
          if (d >= counts.length) {
            const grown = new Int32Array(counts.length * 2);
            grown.set(counts);
            counts = grown;
          }
        }
        counts[d]++;
        cellOfPiece[s] = d;
      }
    }
    // One allocation per array for all cells (each cell a view on its part): a few large external allocations make
    // V8 collect once where thousands of small ones made it collect the whole heap several times during the load.
    const keys = new Int32Array(total),
      parts = new Int32Array(total),
      geom = new Float64Array(total * PIECE_STRIDE);
    let offset = 0;
    const cells = ids.map((id, d) => {
      const n = counts[d];
      const c = emptyCell(id, 0);
      c.keys = keys.subarray(offset, offset + n);
      c.parts = parts.subarray(offset, offset + n);
      c.geom = geom.subarray(offset * PIECE_STRIDE, (offset + n) * PIECE_STRIDE);
      offset += n;
      return c;
    });
    s = 0;
    for (const l of lines) {
      const mine: number[] = [];
      for (let i = 0; i < l.coords.length / 2 - 1; i++, s++) {
        const cell = cells[cellOfPiece[s]];
        if (mine[mine.length - 1] !== cell.id && !mine.includes(cell.id)) mine.push(cell.id);
        this.put(cell, l.key, l, i);
      }
      this.lineCells.set(l.key, mine);
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
      this.put(this.cells.get(this.pieceCell(line.coords, i))!, line.key, line, i);
    for (const id of ids) this.tree.insert(this.cells.get(id)!);
    this.lineCells.set(line.key, ids);
  }

  remove(key: number): boolean {
    const ids = this.lineCells.get(key);
    if (!ids) return false;
    for (const id of ids) {
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
    this.lineCells.delete(key);
    return true;
  }

  /** Cells whose box meets the window: their pieces are a superset of the pieces that do. */
  cellsIn(minX: number, minY: number, maxX: number, maxY: number): Cell[] {
    return this.tree.search({ minX, minY, maxX, maxY });
  }

  clear(): void {
    this.tree.clear();
    this.cells.clear();
    this.lineCells.clear();
  }
}
