import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { IntTable } from '../../services/src/matching/int-table.ts';

describe('IntTable', () => {
  it('answers like a Map through insertions, overwrites and deletions, across rehashes', () => {
    const rng = seedrandom('int-table');
    const table = new IntTable();
    const map = new Map<number, number>();
    // Keys from a small range (many collisions, deletions in the middle of probe runs), and large ones above 2^32.
    const key = () => (rng() < 0.8 ? Math.floor(rng() * 5000) * 2 : Math.floor(rng() * 2 ** 40));
    // Disagreements collected, not one expect per operation (vitest's expect costs more than the table).
    const wrong: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const k = key();
      const r = rng();
      if (r < 0.55) {
        table.set(k, i);
        map.set(k, i);
      } else if (r < 0.85) {
        if (table.delete(k) !== map.delete(k)) wrong.push(`delete ${k} at ${i}`);
      } else if (table.get(k) !== map.get(k)) wrong.push(`get ${k} at ${i}`);
    }
    for (const [k, v] of map) if (table.get(k) !== v) wrong.push(`final ${k}`);
    for (let k = 0; k < 10_000; k += 2) if (table.getOr(k, -7) !== (map.get(k) ?? -7)) wrong.push(`getOr ${k}`);
    expect(wrong).toEqual([]);
    expect(table.size).toBe(map.size);
    expect(map.size).toBeGreaterThan(2000);
    // A table kept half full (its smallest size, 1024): long probe runs, many of them wrapping around its end.
    const small = new IntTable();
    const smallMap = new Map<number, number>();
    for (let i = 0; i < 300_000; i++) {
      const k = Math.floor(rng() * 1000);
      if (smallMap.size < 500 && rng() < 0.5) {
        small.set(k, i);
        smallMap.set(k, i);
      } else if (small.delete(k) !== smallMap.delete(k)) wrong.push(`small delete ${k} at ${i}`);
      if (small.get(k) !== smallMap.get(k)) wrong.push(`small get ${k} at ${i}`);
    }
    for (const [k, v] of smallMap) if (small.get(k) !== v) wrong.push(`small final ${k}`);
    expect(wrong).toEqual([]);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get([...map.keys()][0])).toBeUndefined();
  });
});
