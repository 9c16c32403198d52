import { describe, expect, it } from 'vitest';
import { copyText, CopyWriter, parseCopyText } from '../../gtfs-import/src/target.ts';

describe('COPY text written straight into a buffer', () => {
  it('writes integers, NULLs and escaped text like copyText, and reads back', () => {
    const rows = [
      [0, 7, 9, 10, 99, 100, 86399, 90600, 123456789, 2147483647, -1, -42],
      ['a\tb', 'back\\slash', 'line\nbreak\r', 'Gare de Cahors', 'Évêque ☃', 'x'.repeat(80) + 'é', null, '', null, 1, 2, 3],
    ];
    const w = new CopyWriter(8);
    for (const row of rows) {
      row.forEach((v, i) => {
        if (i) w.byte(9);
        if (v === null) w.nul();
        else if (typeof v === 'number') w.int(v);
        else w.str(v);
      });
      w.byte(10);
    }
    const text = w.done().toString('utf8');
    expect(text).toBe(copyText(rows));
    expect(parseCopyText(text)).toEqual(rows.map((r) => r.map((v) => (v === null ? null : String(v)))));
  });
});
