import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDate, parseTime } from '../../gtfs-import/src/convert.ts';
import { readCsv } from '../../gtfs-import/src/csv.ts';
import { gtfsFiles } from '../../gtfs-import/src/files/index.ts';

const migration = fs.readFileSync(path.resolve(import.meta.dirname, '../../gtfs-import/migrations/100_gtfs.sql'), 'utf8');

async function parse(text: string, chunk = 3, strict = false, warnings: string[] = []) {
  const buf = Buffer.from(text);
  const chunks = Array.from({ length: Math.ceil(buf.length / chunk) }, (_, i) => buf.subarray(i * chunk, (i + 1) * chunk));
  const rows: [number, string[]][] = [];
  const onWarning = (kind: string, line: number, column: string) => warnings.push(`${kind} ${line} ${column}`);
  for await (const b of readCsv((async function* () { yield* chunks; })(), { file: 't.txt', strict, onWarning })) {
    b.rows.forEach((r, i) => rows.push([b.lines[i], r]));
  }
  return rows;
}

describe('GTFS file modules', () => {
  it.each(gtfsFiles.map((f) => [f.file, f] as const))('%s: every stored column is in its table of the migration', (_name, f) => {
    const table = new RegExp(`CREATE TABLE gtfs\\.${f.table} \\(([\\s\\S]*?)\\n\\) PARTITION BY LIST \\(feed_version_id\\);`).exec(migration);
    expect(table, `CREATE TABLE gtfs.${f.table} in 100_gtfs.sql`).not.toBeNull();
    for (const c of f.columns) if (c.db !== null) expect(table![1]).toMatch(new RegExp(`\\n  ${c.keyColumn ?? c.db ?? c.name} `));
  });
});

describe('CSV reader', () => {
  it('reads quotes, doubled quotes, commas and newlines in quoted fields, CRLF and a BOM, across chunk boundaries', async () => {
    const rows = await parse('\uFEFFa,b,c\r\n1,"x, ""y""",3\r\n"multi\nline",,z\r\n\r\nlast,row,end');
    expect(rows).toEqual([
      [1, ['a', 'b', 'c']],
      [2, ['1', 'x, "y"', '3']],
      [3, ['multi\nline', '', 'z']],
      [6, ['last', 'row', 'end']],
    ]);
  });

  it('names the line and column of each quoted value holding a line break, across chunk boundaries', async () => {
    for (const chunk of [3, 7, 1000]) {
      const warnings: string[] = [];
      await parse('id,"name",note\n1,"two\nlines",x\n2,plain,"three\r\nli\nnes"\n3,"a, b",c\n', chunk, false, warnings);
      expect(warnings).toEqual(['newline_in_value 2 name', 'newline_in_value 4 note']);
    }
  });

  it('refuses a NUL byte with its line, whichever chunk it falls in', async () => {
    for (const chunk of [3, 7, 1000]) {
      await expect(parse('a,b\n1,2\n"x\ny",3\n4,\u00005\n', chunk)).rejects.toMatchObject({ code: 'E_ENCODING', file: 't.txt', line: 5 });
    }
  });

  it('refuses an unbalanced quote with the line where it opened, and a stray quote when strict', async () => {
    await expect(parse('a,b\n1,2\n3,"never closed\n4,5\n')).rejects.toMatchObject({ code: 'E_CSV_QUOTE', line: 3 });
    expect(await parse('a,b\n1,x"y\n')).toEqual([[1, ['a', 'b']], [2, ['1', 'x"y']]]);
    await expect(parse('a,b\n1,x"y\n', 3, true)).rejects.toMatchObject({ code: 'E_CSV_QUOTE', line: 2 });
  });
});

describe('GTFS values', () => {
  it('keeps times past 24:00:00 as seconds since the service day’s start', () => {
    expect(parseTime('7:05:09')).toBe(25_509);
    expect(parseTime('25:05:30')).toBe(90_330);
    expect(parseTime('120:00:00')).toBe(432_000);
    for (const bad of ['24:60:00', '8:00', '08:00:0a', '', '1:2:3']) expect(parseTime(bad)).toBeUndefined();
  });

  it('reads dates as real calendar dates', () => {
    expect(parseDate('20240229')).toBe('2024-02-29');
    expect(parseDate('20250229')).toBeUndefined();
    expect(parseDate('2025-01-01')).toBeUndefined();
  });
});
