import { parse as parseCsv } from 'csv-parse/sync';
import type { Queryable } from '@comobi/db';
import { URBAN_UNIT_THRESHOLD } from '../domain/tus.ts';

/**
 * INSEE's composition of the urban units (unités urbaines 2020, "base des unités urbaines", sheet
 * Composition_communale, saved as CSV; or the table d'appartenance géographique des communes, which carries the same
 * columns): one commune a line with its unit. Columns, by name, in any order, case aside:
 *
 * - CODGEO (required): the commune's INSEE code;
 * - UU2020 (required): the unit's code; a code ending in 000 (e.g. 46000) is INSEE's "commune hors unité urbaine";
 * - LIBGEO, LIBUU2020: names; STATUT_COM_UU (or STATUT_2017): C ville-centre, B banlieue, I ville isolée, H hors UU;
 * - TUU2017: the unit's size band (0 hors UU, 1 = 2,000–4,999, 2 = 5,000–9,999, 3 = 10,000–19,999, 4 = 20,000–49,999 …);
 * - POP_UU (or POPULATION, PMUN_UU, POP2017): the unit's municipal population.
 *
 * Whether a unit is under the decree's 12,000 inhabitants is read from its population, else from its band; band 3
 * straddles the threshold and needs the population. Lines before the header (INSEE's title rows) are skipped.
 */

export interface UrbanUnitsError {
  file: string;
  line: number;
  /** 1-based column of the field at fault; 0 when the whole line or file is. */
  column: number;
  code: string;
  message: string;
}

export class UrbanUnitsImportError extends Error {
  constructor(readonly errors: UrbanUnitsError[]) {
    super(errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.code}: ${e.message}`).join('\n'));
  }
}

export interface UrbanUnit {
  code: string;
  name: string;
  population: number | null;
  sizeBand: number | null;
  small: boolean;
}

export interface CommuneUnit {
  insee: string;
  name: string | null;
  /** null: hors unité urbaine. */
  unitCode: string | null;
  status: 'C' | 'B' | 'I' | 'H' | null;
}

export interface ParsedUrbanUnits {
  units: UrbanUnit[];
  communes: CommuneUnit[];
}

const ALIASES: Record<string, string[]> = {
  insee: ['CODGEO', 'COM', 'DEPCOM'],
  name: ['LIBGEO', 'LIBCOM'],
  unit: ['UU2020'],
  unitName: ['LIBUU2020'],
  status: ['STATUT_COM_UU', 'STATUT_2017', 'COMUU2020'],
  band: ['TUU2017'],
  population: ['POP_UU', 'POPULATION', 'PMUN_UU', 'POP2017', 'PMUN2017'],
};
const REQUIRED = ['insee', 'unit'] as const;

const INSEE_RE = /^[0-9][0-9AB][0-9]{3}$/;
const UNIT_RE = /^[0-9][0-9AB][0-9A-Z]{3}$/;

/** Validates the whole file before anything is written: every error found, with its file, line and column. */
export function parseUrbanUnits(text: string, file: string): ParsedUrbanUnits {
  const errors: UrbanUnitsError[] = [];
  const fail = (line: number, column: number, code: string, message: string) => errors.push({ file, line, column, code, message });
  const body = text.replace(/^\uFEFF/, '');
  const lines = body.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => /(^|[;,\t"])CODGEO([;,\t"]|$)/i.test(l));
  if (headerAt < 0) {
    fail(1, 0, 'missing_column', 'no header line with CODGEO (the Composition_communale sheet saved as CSV)');
    throw new UrbanUnitsImportError(errors);
  }
  const headerLine = lines[headerAt];
  const delimiter = [';', ',', '\t'].sort((a, b) => headerLine.split(b).length - headerLine.split(a).length)[0];
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(lines.slice(headerAt).join("\n"), { delimiter, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as typeof records;
  } catch (e) {
    const m = e as { lines?: number; message: string };
    fail(headerAt + (m.lines ?? 1), 0, 'bad_csv', m.message);
    throw new UrbanUnitsImportError(errors);
  }
  const header = records[0].record.map((h) => h.toUpperCase());
  const col: Record<string, number> = {};
  for (const [key, names] of Object.entries(ALIASES)) {
    const i = header.findIndex((h) => names.includes(h));
    if (i >= 0) col[key] = i;
  }
  for (const k of REQUIRED)
    if (col[k] === undefined) fail(headerAt + 1, 0, 'missing_column', `column ${ALIASES[k][0]} is required`);
  if (errors.length) throw new UrbanUnitsImportError(errors);
  if (records.length < 2) {
    fail(headerAt + 1, 0, 'empty_file', 'no commune after the header');
    throw new UrbanUnitsImportError(errors);
  }

  const units = new Map<string, UrbanUnit & { line: number }>();
  const communes = new Map<string, CommuneUnit & { line: number }>();
  for (const { record, info } of records.slice(1)) {
    const line = headerAt + info.lines;
    const at = (k: string) => (col[k] === undefined ? '' : (record[col[k]] ?? '').trim());
    const column = (k: string) => col[k] + 1;
    const insee = at('insee');
    const unit = at('unit').toUpperCase();
    if (!INSEE_RE.test(insee)) {
      fail(line, column('insee'), 'bad_code', `"${insee}" is not a commune's INSEE code (5 characters)`);
      continue;
    }
    if (!UNIT_RE.test(unit)) {
      fail(line, column('unit'), 'bad_code', `"${unit}" is not an urban unit code (5 characters, e.g. 46401 or 46000)`);
      continue;
    }
    if (communes.has(insee)) {
      fail(line, column('insee'), 'duplicate_commune', `commune ${insee} already given on line ${communes.get(insee)!.line}`);
      continue;
    }
    const rawStatus = at('status').toUpperCase();
    if (rawStatus && !['C', 'B', 'I', 'H'].includes(rawStatus)) {
      fail(line, column('status'), 'bad_status', `"${rawStatus}" is not a status (C, B, I or H)`);
      continue;
    }
    // INSEE codes the communes outside any unit as the département followed by 000.
    const outside = unit.endsWith('000') || rawStatus === 'H';
    communes.set(insee, {
      insee,
      name: at('name') || null,
      unitCode: outside ? null : unit,
      status: (rawStatus || (outside ? 'H' : null)) as CommuneUnit['status'],
      line,
    });
    if (outside) continue;

    const popText = at('population').replace(/[\s\u00a0\u202f]/g, '');
    let population: number | null = null;
    if (popText) {
      if (!/^\d+$/.test(popText)) {
        fail(line, column('population'), 'bad_number', `"${at('population')}" is not a population (a whole number)`);
        continue;
      }
      population = Number(popText);
    }
    const bandText = at('band');
    let band: number | null = null;
    if (bandText) {
      if (!/^[0-8]$/.test(bandText)) {
        fail(line, column('band'), 'bad_number', `"${bandText}" is not a TUU2017 size band (0 to 8)`);
        continue;
      }
      band = Number(bandText);
    }
    let small: boolean;
    if (population !== null) small = population < URBAN_UNIT_THRESHOLD;
    else if (band === null) {
      fail(line, col.population === undefined ? 0 : column('population'), 'needs_population',
        `unit ${unit} has neither a population (POP_UU) nor a size band (TUU2017): its size against 12,000 is unknown`);
      continue;
    } else if (band === 3) {
      fail(line, col.population === undefined ? column('band') : column('population'), 'band_needs_population',
        `unit ${unit} is in band 3 (10,000 to 19,999 inhabitants), which straddles 12,000: its population (POP_UU) is needed`);
      continue;
    } else small = band <= 2;
    const name = at('unitName') || unit;
    const known = units.get(unit);
    if (known) {
      if (known.population !== population && population !== null && known.population !== null) {
        fail(line, column('population'), 'conflicting_unit', `unit ${unit} has population ${known.population} on line ${known.line}`);
        continue;
      }
      if (known.small !== small) {
        fail(line, column(population !== null ? 'population' : 'band'), 'conflicting_unit', `unit ${unit} has another size on line ${known.line}`);
        continue;
      }
      known.population ??= population;
      known.sizeBand ??= band;
    } else units.set(unit, { code: unit, name, population, sizeBand: band, small, line });
  }
  if (errors.length) throw new UrbanUnitsImportError(errors);
  return {
    units: [...units.values()].map(({ line: _, ...u }) => u),
    communes: [...communes.values()].map(({ line: _, ...c }) => c),
  };
}

/** Writes a parsed file in the caller's transaction: the units and communes it names replace those known. */
export async function writeUrbanUnits(tx: Queryable, parsed: ParsedUrbanUnits, edition: string) {
  await tx.query(
    `INSERT INTO urban_units (code, name, population, size_band, small, edition)
     SELECT u.code, u.name, u.population, u."sizeBand", u.small, $2
     FROM jsonb_to_recordset($1::jsonb) AS u(code text, name text, population int, "sizeBand" smallint, small boolean)
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, population = EXCLUDED.population, size_band = EXCLUDED.size_band,
       small = EXCLUDED.small, edition = EXCLUDED.edition, imported_at = now()`,
    [JSON.stringify(parsed.units), edition],
  );
  await tx.query(
    `INSERT INTO commune_urban_units (insee, name, unit_code, status, edition)
     SELECT c.insee, c.name, c."unitCode", c.status, $2
     FROM jsonb_to_recordset($1::jsonb) AS c(insee text, name text, "unitCode" text, status text)
     ON CONFLICT (insee) DO UPDATE SET name = EXCLUDED.name, unit_code = EXCLUDED.unit_code, status = EXCLUDED.status,
       edition = EXCLUDED.edition`,
    [JSON.stringify(parsed.communes), edition],
  );
  return { units: parsed.units.length, communes: parsed.communes.length, rural: parsed.communes.filter((c) => !c.unitCode).length };
}

/** The whole import in one transaction: a file with one bad line writes nothing. */
export async function importUrbanUnits(
  db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> },
  text: string,
  file: string,
  edition = 'UU2020',
) {
  const parsed = parseUrbanUnits(text, file);
  return db.transaction((tx) => writeUrbanUnits(tx, parsed, edition));
}
