import fs from 'node:fs';
import { loadConfig } from '../config.ts';
import { openDb } from '@comobi/db';
import { migrate } from '../schema.ts';
import { BnlcInvalid, importBnlc } from './import.ts';

/** npm run bnlc-import -- <file.csv>: replaces the carpool areas (DATABASE_URL, or the embedded store). */
const file = process.argv[2];
if (!file) {
  console.error('usage: npm run bnlc-import -- <bnlc.csv>');
  process.exit(2);
}
const db = await openDb(loadConfig());
try {
  await migrate(db);
  const { imported } = await importBnlc(db, fs.readFileSync(file, 'utf8'));
  console.log(`${imported} carpool areas imported from ${file}`);
} catch (e) {
  if (!(e instanceof BnlcInvalid)) throw e;
  for (const err of e.errors.slice(0, 50)) console.error(`${file}:${err.line}: ${err.column}: [${err.code}] ${err.message}`);
  if (e.errors.length > 50) console.error(`… ${e.errors.length - 50} more`);
  process.exitCode = 1;
} finally {
  await db.close();
}
