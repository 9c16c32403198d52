import path from 'node:path';
import type { Db } from './types.ts';

export type { Db, Queryable, QueryResult, Unlisten } from './types.ts';
export { migrate } from './migrate.ts';

/** DATABASE_URL selects a real PostgreSQL/PostGIS; otherwise PGlite keeps its files under DATA_DIR/pglite. */
export async function openDb(config: { DATABASE_URL?: string; DATA_DIR: string }): Promise<Db> {
  if (config.DATABASE_URL) {
    const { openPostgres } = await import('./postgres.ts');
    return openPostgres(config.DATABASE_URL);
  }
  const { openPglite } = await import('./pglite.ts');
  return openPglite(path.join(config.DATA_DIR, 'pglite'));
}
