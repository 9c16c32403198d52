/**
 * Outbox benchmark: `npm run bench -- messages [--messages 5000] [--batch 50]`.
 * A fresh PostgreSQL database (migrated), N queued SMS, then the sender with the dry-run provider: one replica, then
 * two replicas draining the same outbox at once (FOR UPDATE SKIP LOCKED). Prints messages/s and checks that every
 * message was sent exactly once (one audit row each).
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { migrate } from '../src/schema.ts';
import { openPostgres } from '@comobi/db/postgres';
import type { Db } from '@comobi/db';
import { Outbox, type Providers } from '../src/messaging/outbox.ts';
import { dryRunProvider, printProvider } from '../src/messaging/providers/dry-run.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('messages', 5000);
const BATCH = arg('batch', 50);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const providers: Providers = { sms: dryRunProvider('sms'), voice: dryRunProvider('voice'), letter: printProvider };
const cfg = { MESSAGING_BATCH: BATCH, MESSAGING_BACKOFF_BASE_S: 30, MESSAGING_MAX_ATTEMPTS: 8 };

async function queue(db: Db, territoryId: number, run: string, n = N) {
  await db.query(
    `INSERT INTO messages (territory_id, kind, channel, recipient, body, segments, encoding, idempotency_key)
     SELECT $1, 'confirmation', 'sms', '+336' || lpad(g::text, 8, '0'),
       'CoMobi : trajet confirmé le 14/09/2026 à 08h05. RDV Place de la Mairie, Le Vigan. Conducteur : Pierre. Coordination : 05 65 53 00 00',
       1, 'GSM-7', $3 || ':' || g FROM generate_series(1, $2) g`,
    [territoryId, n, run],
  );
}

async function main() {
  const name = `comobi_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  const db = await openPostgres(u.toString());
  try {
    await migrate(db);
    const t = await db.query<{ id: number }>("INSERT INTO territories (slug, name) VALUES ('bench', 'Bench') RETURNING id");
    const territoryId = t.rows[0].id;
    console.log(`# outbox benchmark: ${N} SMS, batch ${BATCH}, dry-run provider, PostgreSQL ${(await db.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version}`);
    // Warm-up (connections, plans), not counted.
    await queue(db, territoryId, 'warm', 500);
    await new Outbox(db, providers, cfg).drain(new Date(Date.now() + 86_400_000));
    for (const replicas of [1, 2]) {
      const run = `r${replicas}`;
      await queue(db, territoryId, run);
      // Paris noon tomorrow: outside the default quiet hours whatever the hour of the run.
      const now = new Date(Date.now() + 86_400_000);
      now.setUTCHours(11, 0, 0, 0);
      const t0 = performance.now();
      const tallies = await Promise.all(Array.from({ length: replicas }, () => new Outbox(db, providers, cfg).drain(now)));
      const s = (performance.now() - t0) / 1000;
      const sent = tallies.reduce((a, x) => a + x.sent, 0);
      const audited = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_log a JOIN messages m ON m.id = a.subject_id
         WHERE a.action = 'message_sent' AND m.idempotency_key LIKE $1`,
        [`${run}:%`],
      );
      const left = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE status = 'queued' AND idempotency_key LIKE $1`, [`${run}:%`]);
      console.log(
        `${String(replicas).padStart(1)} replica(s): ${sent} sent in ${s.toFixed(2)} s = ${Math.round(sent / s)} messages/s` +
          `  (per replica: ${tallies.map((x) => x.sent).join(' + ')}; audit rows ${audited.rows[0].n}; left queued ${left.rows[0].n})`,
      );
      if (audited.rows[0].n !== N || sent !== N) throw new Error('a message was sent twice or not at all');
    }
  } finally {
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

await main();
