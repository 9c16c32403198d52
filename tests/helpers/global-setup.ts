import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openPglite } from '@comobi/db/pglite';
import { migrate } from '../../services/src/schema.ts';
import { pgliteTemplateDir } from './db.ts';

/**
 * PGlite takes ~20 s to create the PostGIS extension: do it once, in a template folder keyed by the migrations'
 * content, that every PGlite test file copies (a few seconds to open). Built aside and renamed, so that concurrent
 * runs never see half a template.
 */
export default async function setup() {
  buildConsole();
  const dir = pgliteTemplateDir();
  if (fs.existsSync(`${dir}/.ready`)) return;
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const db = await openPglite(tmp);
  await migrate(db);
  await db.close();
  fs.writeFileSync(`${tmp}/.ready`, new Date().toISOString());
  try {
    fs.renameSync(tmp, dir);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true }); // another run won the race: its template is as good
  }
}

/**
 * The console's browser and HTTP tests serve console/dist: built here, once, before the test files start (several
 * files building it at once would serve each other half-written bundles).
 */
function buildConsole() {
  const root = path.resolve(import.meta.dirname, '../..');
  if (fs.existsSync(path.join(root, 'console', 'dist', 'index.html'))) return;
  // The production build, as served: vitest's NODE_ENV=test made Vite bundle React's development build (526 KB
  // instead of 314, and slower), so that the browser tests ran another console than the one shipped.
  execFileSync('npm', ['run', 'build', '-w', 'console'], { cwd: root, stdio: 'ignore', env: { ...process.env, NODE_ENV: 'production' } });
}
