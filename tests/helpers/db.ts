import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Db } from '@comobi/db';
import { migrate, MIGRATION_DIRS } from '../../services/src/schema.ts';

export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const backend = (process.env.TEST_DB ?? 'postgres') as 'postgres' | 'pglite';

export interface TestDb {
  db: Db;
  /** Connection string of the real database (postgres back end only): for a second process or client. */
  url?: string;
  drop(): Promise<void>;
}

const withDb = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

/** A fresh database for one test file: created here, dropped after. */
export async function createPostgresDb(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `comobi_test_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDb(PG_ADMIN_URL, name);
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** The migrated PGlite template made once per run by global-setup; each file gets its own copy. */
export const pgliteTemplateDir = () => {
  const h = crypto.createHash('sha256');
  for (const dir of MIGRATION_DIRS)
    for (const f of fs.readdirSync(dir).sort()) h.update(f).update(fs.readFileSync(path.join(dir, f)));
  return path.join(os.tmpdir(), `comobi-pglite-template-${h.digest('hex').slice(0, 12)}`);
};

export async function createTestDb(kind: 'postgres' | 'pglite' = backend): Promise<TestDb> {
  if (kind === 'postgres') {
    const { openPostgres } = await import('@comobi/db/postgres');
    const created = await createPostgresDb();
    const db = await openPostgres(created.url);
    await migrate(db);
    return {
      db,
      url: created.url,
      async drop() {
        await db.close();
        await created.drop();
      },
    };
  }
  const { openPglite } = await import('@comobi/db/pglite');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-pglite-'));
  fs.cpSync(pgliteTemplateDir(), dir, { recursive: true });
  const db = await openPglite(dir);
  await migrate(db);
  return {
    db,
    async drop() {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
