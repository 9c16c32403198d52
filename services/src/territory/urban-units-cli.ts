import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { openDb } from '@comobi/db';
import { migrate } from '../schema.ts';
import { importUrbanUnits, UrbanUnitsImportError } from './urban-units.ts';

/**
 * npm run urban-units -- <composition.csv> [--edition UU2020]: INSEE's commune → urban unit table (the TUS
 * eligibility by residence), all or nothing, into DATABASE_URL or the embedded store.
 */
const args = process.argv.slice(2);
const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--edition');
const edition = args.includes('--edition') ? args[args.indexOf('--edition') + 1] : 'UU2020';
if (!file || !edition) {
  console.error('usage: npm run urban-units -- <UU2020 composition.csv> [--edition UU2020]');
  process.exit(2);
}
const db = await openDb(loadConfig());
try {
  await migrate(db);
  const r = await importUrbanUnits(db, fs.readFileSync(file, 'utf8'), path.basename(file), edition);
  console.log(`${r.communes} communes (${r.rural} hors unité urbaine) and ${r.units} urban units imported from ${file} (${edition})`);
} catch (e) {
  if (!(e instanceof UrbanUnitsImportError)) throw e;
  for (const err of e.errors.slice(0, 50)) console.error(`${err.file}:${err.line}:${err.column}: [${err.code}] ${err.message}`);
  if (e.errors.length > 50) console.error(`… ${e.errors.length - 50} more`);
  console.error('nothing imported');
  process.exitCode = 1;
} finally {
  await db.close();
}
