/**
 * A map from non-negative integers (below 2^53) to int32 values, open addressing in typed arrays. The index looks up
 * one leg key per leg and one cell id per route segment during a bulk load: a `Map` of a million entries cost half
 * a second per million insertions and tens of megabytes of heap that every full collection walks; these arrays
 * are two allocations outside the heap.
 */
export class IntTable {
  private keys: Float64Array;
  private values: Int32Array;
  private bits: number;
  private used = 0;

  constructor(expected = 0) {
    this.bits = 10;
    while (2 ** this.bits < expected * 2) this.bits++;
    this.keys = new Float64Array(2 ** this.bits).fill(EMPTY);
    this.values = new Int32Array(2 ** this.bits);
  }

  get size(): number {
    return this.used;
  }

  /** Fibonacci hashing: the high bits of the product, so that keys with equal low bits still spread. */
  private home(key: number): number {
    const mixed = (key | 0) ^ ((key / 4294967296) | 0);
    return Math.imul(mixed, 0x9e3779b1) >>> (32 - this.bits);
  }

  /** The slot holding `key`, or -1. */
  private find(key: number): number {
    const mask = this.keys.length - 1;
    for (let h = this.home(key); ; h = (h + 1) & mask) {
      const k = this.keys[h];
      if (k === key) return h;
      if (k === EMPTY) return -1;
    }
  }

  get(key: number): number | undefined {
    const h = this.find(key);
    return h < 0 ? undefined : this.values[h];
  }

  /** The value of `key`, or `missing`: no boxing of an undefined in the loops that call it. */
  getOr(key: number, missing: number): number {
    const h = this.find(key);
    return h < 0 ? missing : this.values[h];
  }

  set(key: number, value: number): void {
    if ((this.used + 1) * 2 > this.keys.length) this.rehash(this.bits + 1);
    const mask = this.keys.length - 1;
    for (let h = this.home(key); ; h = (h + 1) & mask) {
      const k = this.keys[h];
      if (k === key) {
        this.values[h] = value;
        return;
      }
      if (k === EMPTY) {
        this.keys[h] = key;
        this.values[h] = value;
        this.used++;
        return;
      }
    }
  }

  /** Removes `key` (backward-shift deletion: no tombstones, lookups stay as short as after a fresh load). */
  delete(key: number): boolean {
    let i = this.find(key);
    if (i < 0) return false;
    const mask = this.keys.length - 1;
    for (let j = (i + 1) & mask; this.keys[j] !== EMPTY; j = (j + 1) & mask) {
      const h = this.home(this.keys[j]);
      // The entry at j may fill the hole at i unless its home lies cyclically in (i, j].
      const stays = i <= j ? i < h && h <= j : i < h || h <= j;
      if (stays) continue;
      this.keys[i] = this.keys[j];
      this.values[i] = this.values[j];
      i = j;
    }
    this.keys[i] = EMPTY;
    this.used--;
    return true;
  }

  clear(): void {
    this.keys.fill(EMPTY);
    this.used = 0;
  }

  private rehash(bits: number): void {
    const { keys, values } = this;
    this.bits = bits;
    this.keys = new Float64Array(2 ** bits).fill(EMPTY);
    this.values = new Int32Array(2 ** bits);
    this.used = 0;
    for (let h = 0; h < keys.length; h++) if (keys[h] !== EMPTY) this.set(keys[h], values[h]);
  }
}

const EMPTY = -1;
