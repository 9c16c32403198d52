import { parse as parseCsv } from 'csv-parse/sync';

/** The subset of Frictionless Table Schema that schema-lieux-covoiturage uses. */
export interface TableField {
  name: string;
  type: 'string' | 'number' | 'integer' | 'boolean' | 'date';
  format?: string;
  constraints?: { required?: boolean; pattern?: string; enum?: string[]; minimum?: number; maximum?: number };
}
export interface TableSchema {
  fields: TableField[];
  missingValues?: string[];
  primaryKey?: string;
}

export interface CellError {
  /** Stable code: missing_column, required, pattern, enum, type, minimum, maximum, duplicate_key, column_count. */
  code: string;
  /** 1-based line in the file (the header is line 1). */
  line: number;
  column: string;
  message: string;
}

export type Cell = string | number | boolean | null;
export interface TableRow {
  line: number;
  values: Record<string, Cell>;
  /** Columns present in the file but not in the schema (e.g. the national file's id_local), kept as text. */
  extra: Record<string, string>;
}

const TRUE = new Set(['true', 'True', 'TRUE', '1']);
const FALSE = new Set(['false', 'False', 'FALSE', '0']);

function castDate(v: string, format = '%Y-%m-%d'): string | undefined {
  if (format !== '%Y-%m-%d' && format !== 'default') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return undefined;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v ? v : undefined;
}

function cast(f: TableField, raw: string): { value?: Cell; error?: string } {
  switch (f.type) {
    case 'string':
      return { value: raw };
    case 'number': {
      const n = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw) ? Number(raw) : NaN;
      return Number.isFinite(n) ? { value: n } : { error: `"${raw}" is not a number` };
    }
    case 'integer':
      return /^[-+]?\d+$/.test(raw) ? { value: Number(raw) } : { error: `"${raw}" is not an integer` };
    case 'boolean':
      if (TRUE.has(raw)) return { value: true };
      if (FALSE.has(raw)) return { value: false };
      return { error: `"${raw}" is not a boolean (true/false)` };
    case 'date': {
      const d = castDate(raw, f.format);
      return d ? { value: d } : { error: `"${raw}" is not a date in format ${f.format ?? '%Y-%m-%d'}` };
    }
  }
}

/** Delimiter of the header line: the schema asks for ';', the consolidated national file uses ','. */
const delimiterOf = (text: string) => {
  const header = text.slice(0, text.indexOf('\n') >>> 0 || text.length);
  return (header.match(/;/g)?.length ?? 0) > (header.match(/,/g)?.length ?? 0) ? ';' : ',';
};

/**
 * Validates a CSV against a Table Schema: every error names the line and the column and has a stable code. Rows
 * are returned typed; the caller decides what to do when errors is not empty (the importer rejects the file).
 */
export function validateTable(text: string, schema: TableSchema): { rows: TableRow[]; errors: CellError[] } {
  const errors: CellError[] = [];
  const parsed: { record: string[]; info: { lines: number } }[] = parseCsv(text.replace(/^\uFEFF/, ''), {
    delimiter: delimiterOf(text),
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
  }) as unknown as { record: string[]; info: { lines: number } }[];
  const records = parsed.map((p) => p.record);
  if (!records.length) return { rows: [], errors: [{ code: 'empty', line: 1, column: '', message: 'the file has no header' }] };
  const header = records[0].map((h) => h.trim());
  for (const f of schema.fields) {
    if (!header.includes(f.name)) errors.push({ code: 'missing_column', line: 1, column: f.name, message: `column ${f.name} is missing` });
  }
  if (errors.length) return { rows: [], errors };
  const known = new Set(schema.fields.map((f) => f.name));
  const missing = new Set(schema.missingValues ?? ['']);
  const seen = new Map<string, number>();
  const rows: TableRow[] = [];
  for (const { record: rec, info } of parsed.slice(1)) {
    // The line where the record ends: the same as where it starts unless a quoted cell spans lines.
    const line = info.lines;
    if (rec.length !== header.length) {
      errors.push({ code: 'column_count', line, column: '', message: `expected ${header.length} cells, found ${rec.length}` });
      continue;
    }
    const values: Record<string, Cell> = {};
    const extra: Record<string, string> = {};
    header.forEach((h, i) => {
      if (!known.has(h)) extra[h] = rec[i];
    });
    for (const f of schema.fields) {
      const raw = rec[header.indexOf(f.name)].trim();
      const c = f.constraints ?? {};
      const err = (code: string, message: string) => errors.push({ code, line, column: f.name, message });
      if (missing.has(raw)) {
        values[f.name] = null;
        if (c.required) err('required', 'a value is required');
        continue;
      }
      const { value, error } = cast(f, raw);
      if (error !== undefined) {
        err('type', error);
        continue;
      }
      if (c.pattern && !new RegExp(`^(?:${c.pattern})$`).test(raw)) err('pattern', `"${raw}" does not match ${c.pattern}`);
      if (c.enum && !c.enum.includes(raw)) err('enum', `"${raw}" is not one of: ${c.enum.join(', ')}`);
      if (typeof value === 'number' && c.minimum !== undefined && value < c.minimum) err('minimum', `${value} is below ${c.minimum}`);
      if (typeof value === 'number' && c.maximum !== undefined && value > c.maximum) err('maximum', `${value} is above ${c.maximum}`);
      values[f.name] = value!;
    }
    const key = schema.primaryKey ? values[schema.primaryKey] : null;
    if (typeof key === 'string') {
      const first = seen.get(key);
      if (first) errors.push({ code: 'duplicate_key', line, column: schema.primaryKey!, message: `${key} already on line ${first}` });
      else seen.set(key, line);
    }
    rows.push({ line, values, extra });
  }
  return { rows, errors };
}
