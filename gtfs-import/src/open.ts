import { openDb } from '../../services/src/db/index.ts';
import { migrate } from '../../services/src/db/migrate.ts';
import { dbTarget, postgresTarget, type ImportTarget } from './target.ts';

/** DATABASE_URL: a real PostgreSQL (COPY streams); otherwise the embedded PGlite under DATA_DIR. Migrates first. */
export async function openTarget(config: { DATABASE_URL?: string; DATA_DIR: string }): Promise<ImportTarget> {
  const db = await openDb(config);
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  if (db.kind === 'pglite') return dbTarget(db);
  await db.close();
  return postgresTarget(config.DATABASE_URL!);
}
