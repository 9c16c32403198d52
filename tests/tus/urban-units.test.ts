import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importUrbanUnits, parseUrbanUnits, UrbanUnitsImportError } from '../../services/src/territory/urban-units.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

const FIXTURE = path.join(import.meta.dirname, '../../fixtures/lot-urban-units-2020.csv');
const HEADER = 'CODGEO;LIBGEO;UU2020;LIBUU2020;STATUT_COM_UU;TUU2017;POP_UU';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.drop());

const errorsOf = (text: string, file = 'uu.csv') => {
  try {
    parseUrbanUnits(text, file);
  } catch (e) {
    if (e instanceof UrbanUnitsImportError) return e.errors;
    throw e;
  }
  throw new Error('expected the file to be refused');
};

const count = async (table: string) => Number((await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);

describe('INSEE urban units importer', () => {
  it('loads the Lot: 320 communes, the units and their size against 12,000', async () => {
    const r = await importUrbanUnits(t.db, fs.readFileSync(FIXTURE, 'utf8'), 'lot-urban-units-2020.csv');
    expect(r).toEqual({ communes: 320, units: 4, rural: 306 });
    const { rows } = await t.db.query<{ code: string; population: number; small: boolean }>('SELECT code, population, small FROM urban_units ORDER BY code');
    expect(rows).toEqual([
      { code: '46102', population: 3372, small: true },
      { code: '46106', population: 4512, small: true },
      { code: '46301', population: 13376, small: false },
      { code: '46401', population: 23345, small: false },
    ]);
    const c = await t.db.query<{ insee: string; unit_code: string | null; status: string }>(
      `SELECT insee, unit_code, status FROM commune_urban_units WHERE insee IN ('46042', '46224', '46148') ORDER BY insee`,
    );
    expect(c.rows).toEqual([
      { insee: '46042', unit_code: '46401', status: 'C' },
      { insee: '46148', unit_code: null, status: 'H' },
      { insee: '46224', unit_code: '46401', status: 'B' },
    ]);
  });

  it('skips INSEE’s title rows, reads a comma file and the BOM, and counts lines from the top of the file', () => {
    const text = '\uFEFFBase des unités urbaines 2020\nGéographie au 01/01/2024\n\nCODGEO,UU2020,TUU2017\n46042,46401,4\n46148,46000,0\n46999,4X601,2\n';
    const errs = errorsOf(text, 'insee.csv');
    expect(errs).toEqual([{ file: 'insee.csv', line: 7, column: 2, code: 'bad_code', message: expect.stringContaining('4X601') }]);
    const ok = parseUrbanUnits(text.replace('4X601', '46101'), 'insee.csv');
    expect(ok.units.map((u) => [u.code, u.small])).toEqual([['46401', false], ['46101', true]]);
    expect(ok.communes.find((c) => c.insee === '46148')?.unitCode).toBeNull();
  });

  it('names the file, line and column of every bad field', () => {
    const errs = errorsOf(
      [
        HEADER,
        '46042;Cahors;46401;Cahors;C;4;23345',
        '4604;Trop court;46401;Cahors;B;4;23345',
        '46102;Figeac;46301;Figeac;C;3;',
        '46251;Saint-Céré;46106;Saint-Céré;X;1;4512',
        '46225;Prayssac;46102;Prayssac;C;1;3 3x2',
        '46042;Cahors bis;46401;Cahors;C;4;23345',
        '46224;Pradines;46401;Cahors;B;4;9000',
      ].join('\n'),
      'lot.csv',
    );
    expect(errs.map(({ line, column, code }) => ({ line, column, code }))).toEqual([
      { line: 3, column: 1, code: 'bad_code' },
      { line: 4, column: 7, code: 'band_needs_population' },
      { line: 5, column: 5, code: 'bad_status' },
      { line: 6, column: 7, code: 'bad_number' },
      { line: 7, column: 1, code: 'duplicate_commune' },
      { line: 8, column: 7, code: 'conflicting_unit' },
    ]);
    expect(errs.every((e) => e.file === 'lot.csv')).toBe(true);
    expect(errs[1].message).toContain('12,000');
  });

  it('refuses a file without the required columns, or a unit whose size is unknown', () => {
    expect(errorsOf('CODGEO;LIBGEO\n46042;Cahors\n')).toEqual([expect.objectContaining({ line: 1, column: 0, code: 'missing_column' })]);
    expect(errorsOf('A;B\n1;2\n')[0].code).toBe('missing_column');
    expect(errorsOf('CODGEO;UU2020\n46042;46401\n')[0]).toMatchObject({ line: 2, code: 'needs_population' });
  });

  it('is all or nothing: a file with one bad line leaves the units loaded before as they were', async () => {
    const before = await t.db.query('SELECT * FROM commune_urban_units ORDER BY insee');
    // Pradines would leave Cahors's unit, but the last line is wrong: nothing of the file is written.
    const text = [HEADER, '46224;Pradines;46000;Communes hors unité urbaine;H;0;', '46042;Cahors;46401;Cahors;C;9;23345'].join('\n');
    await expect(importUrbanUnits(t.db, text, 'bad.csv')).rejects.toThrow('bad.csv:3:6: bad_number');
    expect((await t.db.query('SELECT * FROM commune_urban_units ORDER BY insee')).rows).toEqual(before.rows);
    expect(await count('urban_units')).toBe(4);
  });

  it('npm run urban-units: prints file:line:column and exits 1 on a bad file, imports a good one', async () => {
    if (!t.url) return expect(t.url).toBeUndefined(); // the CLI needs a database another process can open (postgres)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uu-'));
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, [HEADER, '46042;Cahors;46401;Cahors;C;4;23345', '46148;Lalbenque;4600;;H;0;'].join('\n'));
    const run = (file: string) =>
      promisify(execFile)('npx', ['tsx', 'services/src/territory/urban-units-cli.ts', file], {
        cwd: path.join(import.meta.dirname, '../..'),
        env: { ...process.env, DATABASE_URL: t.url, LOG_LEVEL: 'silent' },
      }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const failed = await run(bad);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('bad.csv:3:3: [bad_code]');
    expect(failed.stderr).toContain('nothing imported');
    const ok = await run(FIXTURE);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('320 communes (306 hors unité urbaine) and 4 urban units imported');
  }, 120_000);
});
