import fs from 'node:fs';
import { PGlite, types } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import type { Db, Queryable, QueryResult } from './types.ts';
import { OID, parseDate, parseInt8, parseNumeric } from './parsers.ts';

const parsers = { [OID.int8]: parseInt8, [OID.numeric]: parseNumeric, [OID.date]: parseDate };

interface PGliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
}

function wrap(db: PGliteLike): Queryable {
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      const r = await db.query<T>(sql, params);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
  };
}

/** Embedded PostgreSQL (WASM) with PostGIS; `dataDir` undefined keeps everything in memory. */
export async function openPglite(dataDir?: string): Promise<Db> {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  void types;
  const pglite = await PGlite.create({ dataDir, extensions: { postgis }, parsers });
  const base = wrap(pglite);
  return {
    kind: 'pglite',
    ...base,
    transaction(fn) {
      return pglite.transaction((tx) => fn(wrap(tx)));
    },
    async listen(channel, onPayload) {
      const unlisten = await pglite.listen(channel, onPayload);
      return unlisten;
    },
    async close() {
      await pglite.close();
    },
  };
}
