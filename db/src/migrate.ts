import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './types.ts';

/** Arbitrary constant: serialises migrations when several replicas start at once on one PostgreSQL. */
const MIGRATION_LOCK = 4_620_190;

/**
 * Forward-only numbered SQL migrations (`NNN_name.sql`), recorded in schema_migrations by file name. Each package
 * keeps the migrations of its own tables in its folder; the folders given are applied together, in the order of
 * the file names (numbers are unique across packages). Plain SQL that runs unchanged on PGlite and PostgreSQL.
 */
export async function migrate(db: Db, dirs: readonly string[]): Promise<string[]> {
  const files = dirs
    .flatMap((dir) => fs.readdirSync(dir).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f)).map((f) => ({ dir, f })))
    .sort((a, b) => (a.f < b.f ? -1 : a.f > b.f ? 1 : 0));
  const seen = new Set<string>();
  for (const { f } of files) {
    if (seen.has(f)) throw new Error(`migration ${f} is in two folders`);
    seen.add(f);
  }
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
    for (const { dir, f } of files) {
      if (done.has(f)) continue;
      await tx.exec(fs.readFileSync(path.join(dir, f), 'utf8'));
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [f]);
      applied.push(f);
    }
    return applied;
  });
}
