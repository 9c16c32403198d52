import { migrate, openDb } from '@comobi/db';
import { GTFS_MIGRATIONS_DIR } from './schema.ts';
import { dbTarget, postgresTarget, type ImportTarget } from './target.ts';

/** DATABASE_URL: a real PostgreSQL (COPY streams); otherwise the embedded PGlite under DATA_DIR. Migrates first. */
export async function openTarget(config: { DATABASE_URL?: string; DATA_DIR: string }): Promise<ImportTarget> {
  const db = await openDb(config);
  try {
    // The importer's own tables only: the service applies its own (and these) when it starts.
    await migrate(db, [GTFS_MIGRATIONS_DIR]);
  } catch (err) {
    await db.close();
    throw err;
  }
  if (db.kind === 'pglite') return dbTarget(db);
  await db.close();
  return postgresTarget(config.DATABASE_URL!);
}
