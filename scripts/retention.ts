/**
 * The retention job, once (for a cron when RETENTION_JOB=off): anonymises people and requests inactive for
 * RETENTION_MONTHS (default 24). Run: npx tsx scripts/retention.ts  (DATABASE_URL or the embedded store).
 */
import { loadConfig } from '../services/src/config.ts';
import { openDb } from '@comobi/db';
import { migrate } from '../services/src/schema.ts';
import { runRetention } from '../services/src/privacy/retention.ts';
import { loadPublicConfig } from '../services/src/public/config.ts';

const config = loadConfig();
const months = loadPublicConfig().RETENTION_MONTHS;
const db = await openDb(config);
try {
  await migrate(db);
  const report = await runRetention(db, months);
  console.log(JSON.stringify({ months, ...report }));
} finally {
  await db.close();
}
