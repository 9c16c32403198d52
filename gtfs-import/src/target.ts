import { once } from 'node:events';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db, Queryable } from '@comobi/db';

/** A value in PostgreSQL's text input form; null is NULL. */
export type Value = string | number | null;

export interface RowSink {
  write(rows: Value[][]): Promise<void>;
  /** Rows already in COPY text form (`rows` lines, each ending with a newline). */
  writeCopy(data: Buffer, rows: number): Promise<void>;
  end(): Promise<void>;
  /** Abandons the load (on PostgreSQL: CopyFail), leaving the connection usable for ROLLBACK. */
  abort(): Promise<void>;
}

/** What the importer needs from a database inside its one transaction. */
export interface LoadSession {
  readonly kind: 'postgres' | 'pglite';
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  exec(sql: string): Promise<void>;
  /** Bulk load into `table` (COPY on PostgreSQL, batched INSERTs elsewhere). */
  copy(table: string, columns: string[]): RowSink;
}

export interface ImportTarget {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction: all of it is committed, or none of it. */
  transaction<T>(fn: (s: LoadSession) => Promise<T>): Promise<T>;
  /** Plain statements outside the import transaction (listing, removing versions). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

const escapeRe = /[\\\t\n\r]/;
const escapeAllRe = /[\\\t\n\r]/g;
const escapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A text value in COPY text form. */
export const copyEscape = (v: string): string => (escapeRe.test(v) ? v.replace(escapeAllRe, (c) => escapes[c]) : v);

/**
 * Rows in COPY text form written straight into a buffer: integers as digits, text escaped, no intermediate strings.
 * Each batch gets its own buffer (the socket keeps it until sent).
 */
export class CopyWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(sizeHint = 1 << 16) {
    this.buf = Buffer.allocUnsafe(Math.max(1024, sizeHint));
  }

  private grow(n: number) {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number) {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = b;
  }

  nul() {
    if (this.pos + 2 > this.buf.length) this.grow(2);
    this.buf[this.pos++] = 92;
    this.buf[this.pos++] = 78;
  }

  /** An integer (keys, times in seconds, enums). */
  int(n: number) {
    if (this.pos + 12 > this.buf.length) this.grow(12);
    const b = this.buf;
    if (n < 0) {
      b[this.pos++] = 45;
      n = -n;
    }
    if (n < 10) {
      b[this.pos++] = 48 + n;
      return;
    }
    const digits = n < 100 ? 2 : n < 1e3 ? 3 : n < 1e4 ? 4 : n < 1e5 ? 5 : n < 1e6 ? 6 : n < 1e7 ? 7 : n < 1e8 ? 8 : n < 1e9 ? 9 : String(n).length;
    let p = this.pos + digits;
    this.pos = p;
    while (n >= 10) {
      const q = Math.floor(n / 10);
      b[--p] = 48 + n - q * 10;
      n = q;
    }
    b[--p] = 48 + n;
  }

  /** A text value, escaped for COPY. */
  str(s: string) {
    if (escapeRe.test(s)) s = s.replace(escapeAllRe, (c) => escapes[c]);
    const n = s.length;
    if (this.pos + n * 3 > this.buf.length) this.grow(n * 3);
    const b = this.buf;
    if (n <= 48) {
      // Short ASCII values (ids, numbers as text, dates): a plain loop beats a call into the encoder.
      let p = this.pos;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 128) {
          this.pos += b.write(s, this.pos);
          return;
        }
        b[p++] = c;
      }
      this.pos = p;
    } else this.pos += b.write(s, this.pos);
  }

  /** What was written (the writer is not to be used after). */
  done(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** Rows in COPY text format. */
export function copyText(rows: Value[][]): string {
  let out = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      if (i) out += '\t';
      if (v === null) out += '\\N';
      else if (typeof v === 'number') out += v;
      else out += copyEscape(v);
    }
    out += '\n';
  }
  return out;
}

const unescapes: Record<string, string> = { '\\\\': '\\', '\\t': '\t', '\\n': '\n', '\\r': '\r' };

/** COPY text back into rows (for targets without COPY). */
export function parseCopyText(text: string): Value[][] {
  const rows: Value[][] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    rows.push(line.split('\t').map((f) => (f === '\\N' ? null : f.includes('\\') ? f.replace(/\\[\\tnr]/g, (c) => unescapes[c]) : f)));
  }
  return rows;
}

/** A real PostgreSQL: one dedicated connection, rows streamed with COPY FROM STDIN (pg-copy-streams). */
export async function postgresTarget(url: string): Promise<ImportTarget> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const session: LoadSession = {
    kind: 'postgres',
    async query<T>(sql: string, params?: unknown[]) {
      return (await client.query(sql, params as unknown[])).rows as T[];
    },
    async exec(sql: string) {
      await client.query(sql);
    },
    copy(table, columns) {
      // FREEZE: every table loaded is created in the same transaction, so its rows can be written frozen (no later
      // hint-bit or freeze pass rewriting the pages).
      const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN (FREEZE)`));
      let failure: Error | undefined;
      let wake: (() => void) | undefined;
      stream.on('error', (err: Error) => {
        failure ??= err;
        wake?.();
      });
      stream.on('drain', () => wake?.());
      const send = async (text: string | Buffer) => {
        if (failure) throw failure;
        if (!stream.write(text)) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          if (failure) throw failure;
        }
      };
      return {
        write: (rows) => send(copyText(rows)),
        writeCopy: (data) => send(data),
        async end() {
          if (failure) throw failure;
          stream.end();
          await once(stream, 'finish').catch((err: Error) => {
            throw failure ?? err;
          });
          if (failure) throw failure;
        },
        async abort() {
          if (stream.destroyed) return;
          const done = new Promise<void>((resolve) => {
            stream.once('close', () => resolve());
            stream.once('error', () => resolve());
          });
          stream.destroy(new Error('import aborted'));
          await done;
          // The server answers the CopyFail with an error that completes the query.
          await client.query('SELECT 1').catch(() => {});
        },
      };
    },
  };
  return {
    kind: 'postgres',
    async transaction(fn) {
      await client.query('BEGIN');
      try {
        const result = await fn(session);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    },
    query: session.query,
    async close() {
      await client.end();
    },
  };
}

const BATCH_ROWS = 2000;

/**
 * Any `Db` (PGlite in particular, whose COPY needs the raw instance): rows are sent in batches as one JSON parameter
 * per INSERT, typed by the table's own row type.
 */
export function dbTarget(db: Db): ImportTarget {
  const sessionOf = (tx: Queryable): LoadSession => ({
    kind: db.kind,
    async query<T>(sql: string, params?: unknown[]) {
      return (await tx.query<T>(sql, params)).rows;
    },
    exec: (sql) => tx.exec(sql),
    copy(table, columns) {
      let pending: Value[][] = [];
      const sql = `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM json_populate_recordset(NULL::${table}, $1::json)`;
      const flush = async () => {
        if (!pending.length) return;
        const objects = pending.map((row) => {
          const o: Record<string, Value> = {};
          for (let i = 0; i < columns.length; i++) o[columns[i]] = row[i] === null ? null : String(row[i]);
          return o;
        });
        pending = [];
        await tx.query(sql, [JSON.stringify(objects)]);
      };
      return {
        async write(rows) {
          for (const r of rows) pending.push(r);
          if (pending.length >= BATCH_ROWS) await flush();
        },
        async writeCopy(data) {
          for (const r of parseCopyText(data.toString('utf8'))) pending.push(r);
          if (pending.length >= BATCH_ROWS) await flush();
        },
        end: flush,
        async abort() {
          pending = [];
        },
      };
    },
  });
  return {
    kind: db.kind,
    transaction: (fn) => db.transaction((tx) => fn(sessionOf(tx))),
    async query<T>(sql: string, params?: unknown[]) {
      return (await db.query<T>(sql, params)).rows;
    },
    close: () => db.close(),
  };
}
