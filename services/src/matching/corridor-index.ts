import RBush from 'rbush';

/** A box of one piece of something long (a route); `part` says which piece. Domain-free: ids only. */
export interface PieceBox {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  key: number;
  part: number;
}

/**
 * R-tree of route pieces. Keeps the inserted boxes per key so that removal is exact (rbush removes by identity).
 */
export class CorridorIndex {
  private tree = new RBush<PieceBox>(16);
  private byKey = new Map<number, PieceBox[]>();

  /** Bulk load: far faster than one insert at a time, and a better-balanced tree. */
  load(entries: Iterable<{ key: number; boxes: PieceBox[] }>): void {
    const all: PieceBox[] = [];
    for (const e of entries) {
      this.byKey.set(e.key, e.boxes);
      for (const b of e.boxes) all.push(b);
    }
    this.tree.load(all);
  }

  insert(key: number, boxes: PieceBox[]): void {
    this.remove(key);
    this.byKey.set(key, boxes);
    for (const b of boxes) this.tree.insert(b);
  }

  remove(key: number): boolean {
    const boxes = this.byKey.get(key);
    if (!boxes) return false;
    for (const b of boxes) this.tree.remove(b);
    this.byKey.delete(key);
    return true;
  }

  has(key: number): boolean {
    return this.byKey.has(key);
  }

  get size(): number {
    return this.byKey.size;
  }

  search(minX: number, minY: number, maxX: number, maxY: number): PieceBox[] {
    return this.tree.search({ minX, minY, maxX, maxY });
  }

  clear(): void {
    this.tree.clear();
    this.byKey.clear();
  }
}
