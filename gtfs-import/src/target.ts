import { once } from 'node:events';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db, Queryable } from '../../services/src/db/index.ts';

/** A value in PostgreSQL's text input form; null is NULL. */
export type Value = string | number | null;

export interface RowSink {
  write(rows: Value[][]): Promise<void>;
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

/** Rows in COPY text format. */
export function copyText(rows: Value[][]): string {
  let out = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      if (i) out += '\t';
      if (v === null) out += '\\N';
      else if (typeof v === 'number') out += v;
      else out += escapeRe.test(v) ? v.replace(escapeAllRe, (c) => escapes[c]) : v;
    }
    out += '\n';
  }
  return out;
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
      const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
      let failure: Error | undefined;
      let wake: (() => void) | undefined;
      stream.on('error', (err: Error) => {
        failure ??= err;
        wake?.();
      });
      stream.on('drain', () => wake?.());
      return {
        async write(rows) {
          if (failure) throw failure;
          if (!stream.write(copyText(rows))) {
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
            if (failure) throw failure;
          }
        },
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
