import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { colorRe, parseDate, parseFloatStrict, parseInt32, parseTime, parseUint } from './convert.ts';
import { readCsv } from './csv.ts';
import { GtfsError, gtfsError } from './errors.ts';
import { fileByName, gtfsFiles, type Column, type GtfsFile, type Namespace } from './files/index.ts';
import type { FileReport, ImportReport } from './report.ts';
import { tripTimesCheck } from './trip-times.ts';
import { CopyWriter, type ImportTarget, type LoadSession, type RowSink, type Value } from './target.ts';
import type { ImportWarning } from './warnings.ts';
import { DEFAULT_MAX_UNCOMPRESSED, openFeedZip, type FeedZip } from './zip.ts';

export interface ImportOptions {
  /** Feed name (unique); a new version of an existing feed replaces the active one. */
  name: string;
  territoryId?: number | null;
  /** Refuse what the default lenient reading accepts with a warning. */
  strict?: boolean;
  maxUncompressedBytes?: number;
  sourceUrl?: string;
  tdgDatasetId?: string;
  /** Record a version with status 'failed' and the error when the import fails (default: leave the database as is). */
  keepFailed?: boolean;
  /** Benchmarks: read every file `repeat` times, ids prefixed on each pass after the first. */
  repeat?: number;
  onProgress?: (p: { file: string; rows: number; done: boolean }) => void;
  /** The day the feed is judged expired against (YYYY-MM-DD); default: today in the feed's first agency's timezone. */
  today?: string;
  /**
   * Moves every date of the feed (calendar, calendar_dates, feed_info) by this many days: a past timetable replayed
   * over the current period (the demo). A multiple of 7 keeps each service on its weekdays. Said in the report.
   */
  shiftDays?: number;
}

/** YYYY-MM-DD moved by n days. */
const shiftDate = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

const MAX_WARNINGS = 100;
/** Readings of one kind listed in the warnings; the others are counted. */
const LISTED_PER_KIND = 5;

type Warn = (w: ImportWarning) => void;
/** A lenient reading of `kind` (counted in the report; --strict refuses it), listed for the first few. */
type Fix = (kind: string, w?: ImportWarning) => void;

interface Op {
  col: Column;
  idx: number;
  /** Position in the output row, -1 when not stored. */
  pos: number;
  refs?: Map<string, number>;
  /** Reference to the file's own namespace, checked at the end of the file. */
  deferred: boolean;
  storeKey: boolean;
  point?: 'lat' | 'lon';
  /** The last reference resolved (raw text) and what it resolved to. */
  lastRaw: string | undefined;
  lastValue: Value;
}

/** Loads one feed into a new version and switches to it, all in one transaction. See ImportReport for what it returns. */
export async function importFeed(target: ImportTarget, zipPath: string, options: ImportOptions): Promise<ImportReport> {
  const t0 = performance.now();
  const strict = options.strict ?? false;
  const repeat = Math.max(1, options.repeat ?? 1);
  // Everything that can be refused without the database is refused before the first write.
  const zip = await openFeedZip(zipPath, options.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED);
  const notices: ImportWarning[] = [];
  let warningsOmitted = 0;
  const lenient: Record<string, number> = {};
  const warn: Warn = (w) => (notices.length < MAX_WARNINGS ? notices.push(w) : warningsOmitted++);
  const fix: Fix = (kind, w) => {
    lenient[kind] = (lenient[kind] ?? 0) + 1;
    if (w && lenient[kind] <= LISTED_PER_KIND) warn(w);
  };
  const noted: Record<string, number> = {};
  const listed: Fix = (kind, w) => {
    noted[kind] = (noted[kind] ?? 0) + 1;
    if (w && noted[kind] <= LISTED_PER_KIND) warn(w);
    else warningsOmitted++;
  };
  try {
    if (zip.folder) {
      const at = { file: path.basename(zipPath), column: `${zip.folder}/` };
      if (strict) throw gtfsError({ code: 'E_ZIP_FOLDER', ...at }, `the feed's files are in the folder "${zip.folder}/", not at the zip's root`);
      fix('files_in_folder', { code: 'W_FOLDER', ...at, message: `files read from the folder "${zip.folder}/" inside the zip (GTFS wants them at its root; refused with --strict)` });
    }
    const ignoredFiles = [...zip.entries.keys()].filter((n) => !fileByName.has(n)).sort();
    for (const n of ignoredFiles) warn({ code: 'W_IGNORED_FILE', file: n, message: `${n}: not a GTFS or GTFS-Flex file, ignored` });
    const has = (f: string) => zip.entries.has(f);
    for (const f of ['agency.txt', 'routes.txt', 'trips.txt', 'stop_times.txt']) {
      if (!has(f)) throw gtfsError({ code: 'E_MISSING_FILE', file: f }, 'required file missing from the feed');
    }
    if (!has('calendar.txt') && !has('calendar_dates.txt')) {
      throw gtfsError({ code: 'E_MISSING_FILE', file: 'calendar.txt' }, 'calendar.txt or calendar_dates.txt is required');
    }
    if (!has('stops.txt') && !has('locations.geojson')) {
      throw gtfsError({ code: 'E_MISSING_FILE', file: 'stops.txt' }, 'stops.txt is required (unless locations.geojson defines zones)');
    }
    const sha256 = await hashFile(zipPath);
    const source = options.sourceUrl ?? path.resolve(zipPath);

    return await target.transaction(async (s) => {
      // The import's own transaction only: a crash right after COMMIT may lose the new version (the previous one stays
      // served, consistent), which spares waiting for the WAL flush of a few hundred MB.
      if (s.kind === 'postgres') await s.exec(`SET LOCAL maintenance_work_mem = '256MB'; SET LOCAL synchronous_commit = off`);
      const [feed] = await s.query<{ id: number }>(
        `INSERT INTO gtfs.feeds (name, territory_id, source_url, tdg_dataset_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET territory_id = COALESCE(EXCLUDED.territory_id, gtfs.feeds.territory_id),
           source_url = EXCLUDED.source_url, tdg_dataset_id = COALESCE(EXCLUDED.tdg_dataset_id, gtfs.feeds.tdg_dataset_id)
         RETURNING id`,
        [options.name, options.territoryId ?? null, source, options.tdgDatasetId ?? null],
      );
      // Concurrent imports of one feed wait for each other.
      await s.query('SELECT id FROM gtfs.feeds WHERE id = $1 FOR UPDATE', [feed.id]);
      const [fv] = await s.query<{ id: number; version: number }>(
        `INSERT INTO gtfs.feed_versions (feed_id, version, source, sha256)
         SELECT $1, COALESCE(max(version), 0) + 1, $2, $3 FROM gtfs.feed_versions WHERE feed_id = $1
         RETURNING id, version`,
        [feed.id, source, sha256],
      );
      const loader = new Loader(s, zip, fv.id, strict, repeat, warn, fix, listed, options.onProgress, options.shiftDays ?? 0);
      const files: FileReport[] = [];
      const loaded: GtfsFile[] = [];
      for (const mod of gtfsFiles) {
        if (!has(mod.file)) continue;
        const t = performance.now();
        await loader.createPartition(mod);
        let rows: number;
        try {
          rows = mod.file === 'locations.geojson' ? await loader.loadGeojson(mod) : await loader.loadCsv(mod);
        } catch (err) {
          if (!(err instanceof SkipFile)) throw err;
          fix('skipped_files', { code: 'W_SKIPPED_FILE', file: mod.file, line: 1, column: err.column, message: err.message });
          await s.exec(`DROP TABLE ${partitionName(mod.table, fv.id)}`);
          continue;
        }
        const ms = Math.round(performance.now() - t);
        files.push({ file: mod.file, rows, ms, rowsPerS: Math.round(rows / Math.max(ms, 1) * 1000) });
        loaded.push(mod);
        if (rows === 0 && mod.required) throw gtfsError({ code: 'E_EMPTY_FILE', file: mod.file, line: 1 }, 'the file has no rows');
        if (rows === 0 && mod.file !== 'stops.txt') warn({ code: 'W_NO_ROWS', file: mod.file, message: `${mod.file}: no rows` });
      }
      if (!loader.count('place')) {
        throw gtfsError({ code: 'E_EMPTY_FILE', file: has('stops.txt') ? 'stops.txt' : 'locations.geojson', line: 1 }, 'the feed has no stop and no zone');
      }
      const ti = performance.now();
      await loader.finish(loaded);
      const indexMs = Math.round(performance.now() - ti);

      const [meta] = await s.query<{ start: string | null; end: string | null; xmin: number | null; ymin: number | null; xmax: number | null; ymax: number | null }>(
        `WITH dates AS (
           SELECT start_date AS d FROM gtfs.calendar WHERE feed_version_id = $1
           UNION ALL SELECT end_date FROM gtfs.calendar WHERE feed_version_id = $1
           UNION ALL SELECT date FROM gtfs.calendar_dates WHERE feed_version_id = $1 AND exception_type = 1),
         box AS (
           SELECT ST_Extent(geom) AS b FROM (SELECT geom FROM gtfs.stops WHERE feed_version_id = $1
             UNION ALL SELECT geom FROM gtfs.locations WHERE feed_version_id = $1) g)
         SELECT (SELECT min(d) FROM dates)::text AS start, (SELECT max(d) FROM dates)::text AS end,
           ST_XMin(b) AS xmin, ST_YMin(b) AS ymin, ST_XMax(b) AS xmax, ST_YMax(b) AS ymax FROM box`,
        [fv.id],
      );
      const expiry = await checkExpiry(s, fv.id, options.today, strict);
      // First, and listed even past the cap: it matters more than any other warning.
      if (expiry) notices.unshift(expiry.warning);
      const superseded = await s.query<{ id: number }>(
        `UPDATE gtfs.feed_versions SET status = 'superseded' WHERE feed_id = $1 AND status = 'active' RETURNING id`,
        [feed.id],
      );
      const report: ImportReport = {
        feed: { id: feed.id, name: options.name },
        version: { id: fv.id, version: fv.version, status: 'active' },
        source,
        sha256,
        strict,
        files,
        indexMs,
        indexSteps: loader.steps,
        totalMs: Math.round(performance.now() - t0),
        lenient,
        warnings: notices.map((n) => n.message),
        notices,
        warningsOmitted,
        ignoredFiles,
        servicePeriod: meta.start && meta.end ? { start: meta.start, end: meta.end } : null,
        expired: expiry ? { end: expiry.end, today: expiry.today } : null,
        calendarShift: options.shiftDays
          ? {
              days: options.shiftDays,
              published: meta.start && meta.end ? { start: shiftDate(meta.start, -options.shiftDays), end: shiftDate(meta.end, -options.shiftDays) } : null,
            }
          : null,
        bbox: meta.xmin === null ? null : [meta.xmin, meta.ymin!, meta.xmax!, meta.ymax!],
        supersededVersionIds: superseded.map((r) => r.id),
      };
      await s.query(
        `UPDATE gtfs.feed_versions SET status = 'active', activated_at = now(), report = $2::jsonb,
           service_start = $3, service_end = $4,
           bbox = CASE WHEN $5::float8 IS NULL THEN NULL ELSE ST_MakeEnvelope($5, $6, $7, $8, 4326) END
         WHERE id = $1`,
        [fv.id, JSON.stringify(report), report.servicePeriod?.start ?? null, report.servicePeriod?.end ?? null, ...(report.bbox ?? [null, null, null, null])],
      );
      return report;
    });
  } catch (err) {
    const error = err instanceof GtfsError ? err : dbError(err);
    if (options.keepFailed) await recordFailure(target, zipPath, options, error).catch(() => {});
    throw error;
  } finally {
    zip.close();
  }
}

function dbError(err: unknown): Error {
  const e = err as { code?: string; detail?: string; table?: string; message?: string };
  if (e && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
    const table = e.table?.replace(/_v\d+$/, '');
    const file = gtfsFiles.find((f) => f.table === table)?.file;
    const code = e.code === '23505' ? 'E_DUPLICATE_ID' : e.code === '23503' ? 'E_UNKNOWN_REF' : 'E_DB';
    return gtfsError({ code, file }, `${e.message}${e.detail ? ` (${e.detail})` : ''}`);
  }
  return err as Error;
}

async function recordFailure(target: ImportTarget, zipPath: string, options: ImportOptions, error: Error) {
  await target.transaction(async (s) => {
    const [feed] = await s.query<{ id: number }>(
      `INSERT INTO gtfs.feeds (name, territory_id) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
      [options.name, options.territoryId ?? null],
    );
    await s.query(
      `INSERT INTO gtfs.feed_versions (feed_id, version, status, source, report)
       SELECT $1, COALESCE(max(version), 0) + 1, 'failed', $2, $3::jsonb FROM gtfs.feed_versions WHERE feed_id = $1`,
      [feed.id, options.sourceUrl ?? path.resolve(zipPath), JSON.stringify({ error: error instanceof GtfsError ? error.toJSON() : { message: error.message } })],
    );
  });
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Files the alternatives and the feed's integrity depend on: never skipped, even when lenient. */
const coreFiles = new Set([
  'agency.txt', 'stops.txt', 'routes.txt', 'trips.txt', 'stop_times.txt', 'calendar.txt', 'calendar_dates.txt',
  'locations.geojson', 'location_groups.txt', 'location_group_stops.txt', 'areas.txt', 'stop_areas.txt', 'booking_rules.txt',
  'levels.txt', 'shapes.txt', 'frequencies.txt',
]);

/** A non-core file whose header does not fit its module (older drafts of fares files, for example). */
class SkipFile extends Error {
  constructor(message: string, readonly column: string) {
    super(message);
  }
}

export const partitionName = (table: string, versionId: number) => `gtfs.${table}_v${versionId}`;

class Loader {
  private readonly ids = new Map<Namespace, Map<string, number>>();
  private timesCheck?: ReturnType<typeof tripTimesCheck>;
  private agencyBlank = 0;

  constructor(
    private readonly s: LoadSession,
    private readonly zip: FeedZip,
    private readonly versionId: number,
    private readonly strict: boolean,
    private readonly repeat: number,
    private readonly warn: Warn,
    private readonly fix: Fix,
    /** A reading kept as is, worth a warning: the first few of each kind listed, the others counted. */
    private readonly listed: Fix,
    private readonly onProgress?: ImportOptions['onProgress'],
    private readonly shiftDays = 0,
  ) {}

  ns(ns: Namespace): Map<string, number> {
    let m = this.ids.get(ns);
    if (!m) this.ids.set(ns, (m = new Map()));
    return m;
  }

  count(ns: Namespace) {
    return this.ids.get(ns)?.size ?? 0;
  }

  async createPartition(mod: GtfsFile) {
    const t = partitionName(mod.table, this.versionId);
    await this.s.exec(`CREATE TABLE ${t} (LIKE gtfs.${mod.table} INCLUDING DEFAULTS);
      ALTER TABLE ${t} ALTER COLUMN feed_version_id SET DEFAULT ${this.versionId},
        ADD CONSTRAINT ${mod.table}_v${this.versionId}_version CHECK (feed_version_id = ${this.versionId});`);
  }

  /** Indexes (by attaching each table as a partition of its parent), foreign keys, planner statistics. */
  readonly steps: Record<string, number> = {};

  private async timed(step: string, sql: string) {
    const t = performance.now();
    await this.s.exec(sql);
    this.steps[step] = (this.steps[step] ?? 0) + Math.round(performance.now() - t);
  }

  async finish(loaded: GtfsFile[]) {
    const v = this.versionId;
    const present = new Set(loaded.map((m) => m.table));
    for (const mod of loaded) {
      try {
        await this.timed(`attach ${mod.table}`, `ALTER TABLE gtfs.${mod.table} ATTACH PARTITION ${partitionName(mod.table, v)} FOR VALUES IN (${v})`);
      } catch (err) {
        // Attaching builds the table's primary key: a repeated key (a stop_sequence twice in a trip) is found here,
        // at no cost to valid feeds; the file is read again to find its line.
        throw (await this.locateDuplicate(mod, err)) ?? err;
      }
    }
    for (const mod of loaded) {
      for (const [i, [cols, ref, refCols]] of (mod.foreignKeys ?? []).entries()) {
        if (!present.has(ref)) continue;
        // Every reference was checked while streaming (with its line): the constraint guards later writes.
        await this.timed('foreign keys', `ALTER TABLE ${partitionName(mod.table, v)} ADD CONSTRAINT ${mod.table}_v${v}_fk${i}
          FOREIGN KEY (${cols}) REFERENCES ${partitionName(ref, v)} (${refCols}) NOT VALID`);
      }
    }
    for (const mod of loaded) await this.timed(`analyze ${mod.table}`, `ANALYZE ${partitionName(mod.table, v)}`);
  }

  /** A unique violation of `mod`'s table as an E_DUPLICATE_ID naming the line of the repeated row; undefined if not one. */
  private async locateDuplicate(mod: GtfsFile, err: unknown): Promise<GtfsError | undefined> {
    const e = err as { code?: string; detail?: string };
    if (e?.code !== '23505') return undefined;
    const m = /Key \((.+)\)=\((.+)\) (?:is duplicated|already exists)/.exec(e.detail ?? '');
    const dbCols = m?.[1].split(', ') ?? [];
    const dbValues = m?.[2].split(', ') ?? [];
    const unlocated = gtfsError({ code: 'E_DUPLICATE_ID', file: mod.file }, `a row repeats another's key (${mod.file})`);
    if (!m || dbCols.length !== dbValues.length) return unlocated;
    // Each key column back to its GTFS column and the text a row has there.
    const keys: { name: string; matches: (raw: string) => boolean; shown: string }[] = [];
    for (const [i, dbCol] of dbCols.entries()) {
      if (dbCol === 'feed_version_id') continue;
      const col = mod.columns.find((c) => (c.keyColumn ?? c.db ?? c.name) === dbCol);
      if (!col) return unlocated;
      const stored = dbValues[i];
      if (col.keyColumn && col.ref) {
        const id = idOfKey(this.ns(col.ref), Number(stored));
        keys.push({ name: col.name, matches: (raw) => raw === id, shown: id });
      } else {
        const norm = (raw: string) =>
          col.type === 'uint' || col.type === 'int' ? String(Number(raw)) : col.type === 'date' ? parseDate(raw) : col.type === 'time' ? String(parseTime(raw)) : raw;
        keys.push({ name: col.name, matches: (raw) => norm(raw) === stored, shown: stored });
      }
    }
    let first: number | undefined;
    let header: string[] | undefined;
    let idx: number[] = [];
    for await (const batch of readCsv(await this.zip.open(mod.file), { file: mod.file, strict: false })) {
      let start = 0;
      if (!header) {
        header = batch.rows[0].map((h) => h.trim());
        idx = keys.map((k) => header!.indexOf(k.name));
        start = 1;
      }
      for (let r = start; r < batch.rows.length; r++) {
        const row = batch.rows[r];
        if (!keys.every((k, j) => k.matches(row[idx[j]] ?? ''))) continue;
        if (first === undefined) {
          first = batch.lines[r];
          continue;
        }
        const last = keys[keys.length - 1];
        return gtfsError(
          { code: 'E_DUPLICATE_ID', file: mod.file, line: batch.lines[r], column: last.name, value: last.shown },
          `${keys.map((k) => `${k.name} "${k.shown}"`).join(', ')} already on line ${first}`,
        );
      }
    }
    return unlocated;
  }

  async loadCsv(mod: GtfsFile): Promise<number> {
    const state: { sink?: RowSink } = {};
    try {
      return await this.loadCsvInto(mod, state);
    } catch (err) {
      await state.sink?.abort();
      throw err;
    }
  }

  private async loadCsvInto(mod: GtfsFile, state: { sink?: RowSink }): Promise<number> {
    let total = 0;
    let header: string[] | undefined;
    for (let pass = 0; pass < this.repeat; pass++) {
      const prefix = pass ? `${pass}~` : '';
      const stream = await this.zip.open(mod.file);
      let plan: ReturnType<Loader['plan']> | undefined;
      const csv = readCsv(stream, {
        file: mod.file,
        strict: this.strict,
        onWarning: (kind, line, column) => {
          if (kind === 'stray_quote') {
            this.fix('stray_quote', { code: 'W_STRAY_QUOTE', file: mod.file, line, column, message: `${mod.file} line ${line}: quote inside an unquoted field, kept as is` });
          } else {
            this.listed('newline_in_value', { code: 'W_NEWLINE_IN_VALUE', file: mod.file, line, column, message: `${mod.file} line ${line}: a quoted value of ${column} holds a line break, kept as is` });
          }
        },
      });
      for await (const batch of csv) {
        let start = 0;
        if (!plan) {
          header = batch.rows[0].map((h) => h.trim());
          plan = this.plan(mod, header, pass === 0);
          start = 1;
        }
        const sink = (state.sink ??= this.s.copy(partitionName(mod.table, this.versionId), plan.columns));
        // Rows go out in COPY text form, built straight from the parsed fields (no intermediate row arrays).
        const { rows, lines } = batch;
        const w = new CopyWriter(batch.chars);
        for (let i = start; i < rows.length; i++) plan.convert(rows[i], lines[i], prefix, w);
        const n = rows.length - start;
        if (n > 0) await sink.writeCopy(w.done(), n);
        total += n;
        this.onProgress?.({ file: mod.file, rows: total, done: false });
      }
      if (!plan) {
        if (mod.required) throw gtfsError({ code: 'E_EMPTY_FILE', file: mod.file, line: 1 }, 'the file is empty (no header)');
        this.warn({ code: 'W_EMPTY_FILE', file: mod.file, message: `${mod.file}: empty file (no header), ignored` });
        break;
      }
      plan.end();
    }
    await state.sink?.end();
    if (mod.file === 'agency.txt' && this.agencyBlank && total > 1) {
      throw gtfsError({ code: 'E_REQUIRED_VALUE', file: mod.file, line: this.agencyBlank, column: 'agency_id' }, 'agency_id is required when the feed has several agencies');
    }
    this.onProgress?.({ file: mod.file, rows: total, done: true });
    return total;
  }

  /** How to turn one CSV row of this file into one table row. */
  private plan(mod: GtfsFile, header: string[], first: boolean) {
    const file = mod.file;
    const seen = new Set<string>();
    header.forEach((h, i) => {
      if (seen.has(h)) throw gtfsError({ code: 'E_DUPLICATE_COLUMN', file, line: 1, column: h }, `column "${h}" appears twice`);
      seen.add(h);
      if (first && !mod.columns.some((c) => c.name === h)) {
        this.warn({ code: 'W_UNKNOWN_COLUMN', file, line: 1, column: h, message: `${file}: unknown column "${h}" (column ${i + 1}), ignored` });
      }
    });
    const def = mod.defines;
    // Only the columns the file has are sent (absent ones are NULL by default), plus those the importer fills in.
    const filled = (col: Column) => col.name === def?.column || (file === 'routes.txt' && col.name === 'agency_id');
    const columns: string[] = [];
    const ops: Op[] = mod.columns.map((col) => {
      const idx = header.indexOf(col.name);
      if (idx < 0 && col.required && !this.strict && !coreFiles.has(file)) {
        throw new SkipFile(`${file}: required column "${col.name}" is missing; file skipped (refused with --strict)`, col.name);
      }
      if (idx < 0 && col.required) throw gtfsError({ code: 'E_MISSING_COLUMN', file, line: 1, column: col.name }, `required column "${col.name}" is missing`);
      let pos = -1;
      if (col.db !== null && (idx >= 0 || filled(col))) {
        pos = columns.length;
        columns.push(col.keyColumn ?? col.db ?? col.name);
      }
      const deferred = !!col.ref && col.ref === mod.defines?.ns && !mod.defines.shared;
      const point = mod.point?.lat === col.name ? 'lat' : mod.point?.lon === col.name ? 'lon' : undefined;
      return { col, idx, pos, refs: col.ref ? this.ns(col.ref) : undefined, deferred, storeKey: !!col.keyColumn, point, lastRaw: undefined, lastValue: null };
    });
    // Columns absent from the file are skipped entirely (they only matter for required ones, refused above).
    const active = ops.filter((o) => o.idx >= 0 || o.pos >= 0);
    const defOp = def ? ops.find((o) => o.col.name === def.column)! : undefined;
    const defMap = def ? this.ns(def.ns) : undefined;
    const keyPos = def?.key ? columns.push(def.key) - 1 : -1;
    const pointPos = mod.point ? columns.push(mod.point.db) - 1 : -1;
    const width = header.length;
    const pending: [string, number, string][] = [];
    const strict = this.strict;
    const fix = this.fix;
    const stopPos = ['stop_id', 'location_group_id', 'location_id'].map((n) => ops.find((o) => o.col.name === n)?.pos ?? -1);
    const single = (ns: Namespace) => (this.count(ns) === 1 ? [...this.ns(ns).keys()][0] : undefined);
    const agencyOp = file === 'routes.txt' ? ops.find((o) => o.col.name === 'agency_id')! : undefined;
    const isStopTimes = file === 'stop_times.txt';
    // One check for every pass of the file (benchmarks read it several times): its arrays are sized for all the trips.
    const times = isStopTimes ? (this.timesCheck ??= this.tripTimes(ops)) : undefined;
    // One row's values, reused from row to row.
    const out: Value[] = new Array(columns.length).fill(null);
    const ncols = columns.length;
    let lastShared: string | undefined;

    const invalid = (code: GtfsError['code'], line: number, col: Column, v: string, what: string) =>
      gtfsError({ code, file, line, column: col.name, value: v }, `${what}: "${v.length > 60 ? `${v.slice(0, 60)}…` : v}"`);

    /** One CSV row → one line of COPY text, written into `w`. */
    const convert = (row: string[], line: number, prefix: string, w: CopyWriter): void => {
      if (row.length !== width) {
        if (row.length > width || strict) {
          throw gtfsError({ code: 'E_COLUMN_COUNT', file, line }, `${row.length} fields where the header has ${width}`);
        }
        fix('short_rows', { code: 'W_SHORT_ROW', file, line, message: `${file} line ${line}: ${row.length} fields where the header has ${width}; missing ones read as empty` });
      }
      for (let i = 0; i < ncols; i++) out[i] = null;
      let lat: number | undefined;
      let lon: number | undefined;
      for (let k = 0; k < active.length; k++) {
        const op = active[k];
        let v = op.idx < 0 ? '' : (row[op.idx] ?? '');
        const col = op.col;
        if (v === '') {
          if (col.required) throw gtfsError({ code: 'E_REQUIRED_VALUE', file, line, column: col.name }, 'required value missing');
          continue;
        }
        let value: Value;
        switch (col.type) {
          case 'id': {
            if (op.refs) {
              // Consecutive rows often repeat a reference (stop_times by trip): resolve it once.
              if (v === op.lastRaw && !op.deferred) {
                value = op.lastValue;
                break;
              }
              const raw = v;
              if (prefix) v = prefix + v;
              const key = op.refs.get(v);
              if (key === undefined) {
                if (op.deferred) pending.push([v, line, col.name]);
                else throw invalid('E_UNKNOWN_REF', line, col, v, `unknown ${col.ref} id`);
              }
              value = op.storeKey ? (key ?? null) : v;
              if (key !== undefined) {
                op.lastRaw = raw;
                op.lastValue = value;
              }
            } else value = prefix ? prefix + v : v;
            break;
          }
          case 'text':
            value = v;
            break;
          case 'time': {
            const t = parseTime(v);
            if (t === undefined) throw invalid('E_INVALID_TIME', line, col, v, 'invalid time (H:MM:SS expected)');
            value = t;
            break;
          }
          case 'date': {
            const d = parseDate(v);
            if (d === undefined) throw invalid('E_INVALID_DATE', line, col, v, 'invalid date (YYYYMMDD expected)');
            value = this.shiftDays ? shiftDate(d, this.shiftDays) : d;
            break;
          }
          case 'uint': {
            const n = parseUint(v);
            if (n === undefined) throw invalid('E_INVALID_VALUE', line, col, v, 'not a non-negative integer');
            value = n;
            break;
          }
          case 'int': {
            const n = parseInt32(v);
            if (n === undefined) throw invalid('E_INVALID_VALUE', line, col, v, 'not an integer');
            value = n;
            break;
          }
          case 'enum': {
            const n = v.length === 1 ? v.charCodeAt(0) - 48 : parseUint(v);
            if (n === undefined || !col.values!.includes(n)) throw invalid('E_INVALID_VALUE', line, col, v, `not one of ${col.values!.join(', ')}`);
            value = n;
            break;
          }
          case 'bool': {
            if (v !== '0' && v !== '1') throw invalid('E_INVALID_VALUE', line, col, v, 'not 0 or 1');
            value = v;
            break;
          }
          case 'float': {
            const n = parseFloatStrict(v);
            if (n === undefined) throw invalid('E_INVALID_VALUE', line, col, v, 'not a number');
            value = v;
            break;
          }
          case 'lat':
          case 'lon': {
            const n = parseFloatStrict(v);
            const max = col.type === 'lat' ? 90 : 180;
            if (n === undefined || n < -max || n > max) throw invalid('E_INVALID_COORDINATE', line, col, v, `invalid ${col.type === 'lat' ? 'latitude' : 'longitude'}`);
            if (op.point === 'lat') lat = n;
            else lon = n;
            value = v;
            break;
          }
          case 'color': {
            if (!colorRe.test(v)) {
              if (strict) throw invalid('E_INVALID_VALUE', line, col, v, 'not a six-digit hexadecimal colour');
              fix('invalid_colors', { code: 'W_INVALID_COLOR', file, line, column: col.name, value: v, message: `${file} line ${line}: ${col.name} "${v}" is not a colour, ignored` });
              continue;
            }
            value = v;
            break;
          }
        }
        if (op.pos >= 0) out[op.pos] = value;
      }
      if (defOp) {
        let id = out[defOp.pos] as string | null;
        if (id === null && file === 'agency.txt') {
          id = '';
          out[defOp.pos] = id;
          this.agencyBlank ||= line;
        }
        // A shared id repeated on consecutive rows (calendar_dates by service) is known already.
        if (id !== null && !(def!.shared && keyPos < 0 && id === lastShared)) {
          const known = defMap!.get(id);
          if (known === undefined) defMap!.set(id, defMap!.size + 1);
          else if (!def!.shared) throw gtfsError({ code: 'E_DUPLICATE_ID', file, line, column: def!.column, value: id }, `duplicate id "${id}" (${def!.ns} ids must be unique)`);
          if (keyPos >= 0) out[keyPos] = known ?? defMap!.size;
          lastShared = id;
        }
      }
      if (pointPos >= 0) {
        if (lat !== undefined && lon !== undefined) out[pointPos] = `SRID=4326;POINT(${lon} ${lat})`;
        else if (lat !== undefined || lon !== undefined || file === 'stops.txt' && needsCoordinates(row, header)) {
          throw gtfsError({ code: 'E_INVALID_COORDINATE', file, line, column: lat === undefined ? mod.point!.lat : mod.point!.lon }, 'coordinates are required here');
        }
      }
      if (agencyOp) {
        if (out[agencyOp.pos] === null) {
          const only = single('agency');
          if (only !== undefined) out[agencyOp.pos] = only;
          else if (strict) throw gtfsError({ code: 'E_REQUIRED_VALUE', file, line, column: 'agency_id' }, 'agency_id is required when the feed has several agencies');
          else fix('route_without_agency', { code: 'W_ROUTE_WITHOUT_AGENCY', file, line, column: 'agency_id', message: `${file} line ${line}: no agency_id in a feed with several agencies` });
        }
      } else if (isStopTimes) {
        if ((stopPos[0] < 0 || out[stopPos[0]] === null) && (stopPos[1] < 0 || out[stopPos[1]] === null) && (stopPos[2] < 0 || out[stopPos[2]] === null)) {
          throw gtfsError({ code: 'E_REQUIRED_VALUE', file, line, column: 'stop_id' }, 'stop_id, location_group_id or location_id is required');
        }
        times!.row(out, line);
      }
      for (let i = 0; i < ncols; i++) {
        const v = out[i];
        if (i) w.byte(9);
        if (v === null) w.nul();
        else if (typeof v === 'number') w.int(v);
        else w.str(v);
      }
      w.byte(10);
    };
    const end = () => {
      times?.end();
      for (const [v, line, column] of pending) {
        if (!defMap!.has(v)) throw gtfsError({ code: 'E_UNKNOWN_REF', file, line, column, value: v }, `unknown ${def!.ns} id "${v}"`);
      }
      pending.length = 0;
    };
    return { columns, convert, end };
  }

  /** The arrival/departure rules of stop_times.txt, on the positions of this file's columns. */
  private tripTimes(ops: Op[]) {
    const pos = (name: string) => ops.find((o) => o.col.name === name)?.pos ?? -1;
    const trips = this.ns('trip');
    return tripTimesCheck(
      {
        tripKey: pos('trip_id'),
        stopSequence: pos('stop_sequence'),
        arrival: pos('arrival_time'),
        departure: pos('departure_time'),
        windowStart: pos('start_pickup_drop_off_window'),
        windowEnd: pos('end_pickup_drop_off_window'),
      },
      trips.size,
      { strict: this.strict, fix: this.fix, tripId: (key) => idOfKey(trips, key) },
    );
  }

  /** locations.geojson: a FeatureCollection of Polygon/MultiPolygon zones (read whole: it is one JSON document). */
  async loadGeojson(mod: GtfsFile): Promise<number> {
    const file = mod.file;
    const chunks: Buffer[] = [];
    for await (const c of await this.zip.open(file)) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '');
    let doc: { type?: string; features?: unknown[] };
    try {
      doc = JSON.parse(text);
    } catch (err) {
      const m = /position (\d+)/.exec((err as Error).message);
      const line = m ? text.slice(0, +m[1]).split('\n').length : 1;
      throw gtfsError({ code: 'E_GEOJSON', file, line }, `invalid JSON: ${(err as Error).message}`);
    }
    if (doc?.type !== 'FeatureCollection' || !Array.isArray(doc.features)) {
      throw gtfsError({ code: 'E_GEOJSON', file, line: 1, column: 'type' }, 'a FeatureCollection is required');
    }
    const places = this.ns('place');
    const rows: Value[][] = [];
    const lineOf = (needle: string) => {
      const i = text.indexOf(needle);
      return i < 0 ? 1 : text.slice(0, i).split('\n').length;
    };
    doc.features.forEach((f, n) => {
      const feature = f as { id?: unknown; properties?: Record<string, unknown>; geometry?: { type?: string; coordinates?: unknown } };
      const id = feature.id ?? feature.properties?.id;
      const column = `features[${n}]`;
      if (typeof id !== 'string' && typeof id !== 'number') throw gtfsError({ code: 'E_GEOJSON', file, line: 1, column: `${column}.id` }, 'every feature needs an id');
      const sid = String(id);
      const line = lineOf(JSON.stringify(sid));
      if (places.has(sid)) throw gtfsError({ code: 'E_DUPLICATE_ID', file, line, column: `${column}.id`, value: sid }, `duplicate place id "${sid}"`);
      const g = feature.geometry;
      const wkt = g && (g.type === 'Polygon' || g.type === 'MultiPolygon') ? polygonWkt(g.type, g.coordinates) : undefined;
      if (!wkt) {
        if (this.strict || !g) throw gtfsError({ code: 'E_GEOJSON', file, line, column: `${column}.geometry` }, 'a Polygon or MultiPolygon geometry is required');
        this.fix('non_polygon_locations', { code: 'W_NON_POLYGON_LOCATION', file, line, column: `${column}.geometry`, value: sid, message: `${file}: location "${sid}" has a ${g.type} geometry, skipped` });
        return;
      }
      places.set(sid, places.size + 1);
      const p = feature.properties ?? {};
      const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
      rows.push([sid, places.size, str(p.stop_name), str(p.stop_desc), str(p.zone_id), str(p.stop_url), `SRID=4326;${wkt}`]);
    });
    const sink = this.s.copy(partitionName(mod.table, this.versionId), ['location_id', 'place_key', 'stop_name', 'stop_desc', 'zone_id', 'stop_url', 'geom']);
    await sink.write(rows);
    await sink.end();
    this.onProgress?.({ file, rows: rows.length, done: true });
    return rows.length;
  }
}

/** The id behind an integer key (for messages: a scan, only on the way to an error or a warning). */
function idOfKey(ids: Map<string, number>, key: number): string {
  for (const [id, k] of ids) if (k === key) return id;
  return `#${key}`;
}

function needsCoordinates(row: string[], header: string[]): boolean {
  const i = header.indexOf('location_type');
  const t = i < 0 ? '' : row[i] ?? '';
  return t === '' || t === '0' || t === '1' || t === '2';
}

function polygonWkt(type: string, coords: unknown): string | undefined {
  const ring = (r: unknown) => {
    if (!Array.isArray(r) || r.length < 4) return undefined;
    const pts: string[] = [];
    for (const p of r) {
      if (!Array.isArray(p) || typeof p[0] !== 'number' || typeof p[1] !== 'number' || Math.abs(p[0]) > 180 || Math.abs(p[1]) > 90) return undefined;
      pts.push(`${p[0]} ${p[1]}`);
    }
    return `(${pts.join(',')})`;
  };
  const poly = (p: unknown) => {
    if (!Array.isArray(p) || !p.length) return undefined;
    const rings = p.map(ring);
    return rings.every(Boolean) ? `(${rings.join(',')})` : undefined;
  };
  if (type === 'Polygon') {
    const p = poly(coords);
    return p && `POLYGON${p}`;
  }
  if (!Array.isArray(coords) || !coords.length) return undefined;
  const ps = coords.map(poly);
  return ps.every(Boolean) ? `MULTIPOLYGON(${ps.join(',')})` : undefined;
}

/**
 * An expired feed (its last service day, from calendar.txt and calendar_dates.txt, or feed_info.txt's feed_end_date,
 * before today) is still activated, with a warning: riders may get nothing from it. --strict refuses it.
 */
async function checkExpiry(s: LoadSession, versionId: number, today: string | undefined, strict: boolean) {
  const [r] = await s.query<{ calendar: string | null; dates: string | null; feed_end: string | null; tz: string | null }>(
    `SELECT (SELECT max(end_date)::text FROM gtfs.calendar WHERE feed_version_id = $1) AS calendar,
       (SELECT max(date)::text FROM gtfs.calendar_dates WHERE feed_version_id = $1 AND exception_type = 1) AS dates,
       (SELECT max(feed_end_date)::text FROM gtfs.feed_info WHERE feed_version_id = $1) AS feed_end,
       (SELECT agency_timezone FROM gtfs.agency WHERE feed_version_id = $1 LIMIT 1) AS tz`,
    [versionId],
  );
  const day = today ?? todayIn(r.tz);
  const service = r.dates && (!r.calendar || r.dates > r.calendar)
    ? { file: 'calendar_dates.txt', column: 'date', end: r.dates }
    : r.calendar ? { file: 'calendar.txt', column: 'end_date', end: r.calendar } : undefined;
  const ended = [service, r.feed_end ? { file: 'feed_info.txt', column: 'feed_end_date', end: r.feed_end } : undefined]
    .filter((x) => x !== undefined && x.end < day)
    .sort((a, b) => (a!.end < b!.end ? -1 : 1))[0];
  if (!ended) return undefined;
  const what = ended.file === 'feed_info.txt' ? 'the feed is valid until' : 'the service ends on';
  if (strict) {
    throw gtfsError({ code: 'E_EXPIRED', file: ended.file, column: ended.column, value: ended.end }, `expired: ${what} ${ended.end}, before today (${day})`);
  }
  const warning: ImportWarning = {
    code: 'W_EXPIRED', file: ended.file, column: ended.column, value: ended.end,
    message: `expired feed: ${what} ${ended.end}, before today (${day}); activated anyway (refused with --strict)`,
  };
  return { warning, end: ended.end, today: day };
}

/** YYYY-MM-DD today in `timeZone` (the feed's), UTC when it is missing or unknown. */
function todayIn(timeZone: string | null): string {
  const now = new Date();
  try {
    if (timeZone) return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  } catch {
    // An unknown timezone name: the feed is judged in UTC.
  }
  return now.toISOString().slice(0, 10);
}
