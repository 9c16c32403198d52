import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './types.ts';

const defaultDir = path.resolve(import.meta.dirname, '../../migrations');

/** Arbitrary constant: serialises migrations when several replicas start at once on one PostgreSQL. */
const MIGRATION_LOCK = 4_620_190;

/**
 * Forward-only numbered SQL migrations (`NNN_name.sql`), recorded in schema_migrations. Migrations are plain SQL that runs unchanged on PGlite and PostgreSQL.
 */
export async function migrate(db: Db, dir = defaultDir): Promise<string[]> {
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort();
  // One transaction for the whole upgrade: a replica sees the old schema or the new one, never half of it; the
  // transaction-scoped advisory lock makes concurrent replicas wait and then find nothing left to do.
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set(
      (await tx.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name),
    );
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      await tx.exec(fs.readFileSync(path.join(dir, file), 'utf8'));
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
      applied.push(file);
    }
    return applied;
  });
}
