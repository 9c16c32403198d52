import type { Db } from '../db/index.ts';
import { purgeRateLimits } from '../security/rate-limit.ts';
import { anonymizeRequests, erasePerson } from './erase.ts';

/** Arbitrary constant: one replica at a time runs the retention job. */
const RETENTION_LOCK = 4_620_301;

export interface RetentionReport {
  ran: boolean;
  people: number;
  requests: number;
  sessions: number;
  attempts: number;
  rateLimits: number;
}

/**
 * Anonymises people and requests without activity for `months`: a person's last activity is the latest change of
 * their record, trips, requests, matches or FranceConnect login. Safe with several replicas: a transaction-scoped
 * advisory lock lets one run and the others skip.
 */
export async function runRetention(db: Db, months: number): Promise<RetentionReport> {
  return db.transaction(async (tx) => {
    const { rows: lock } = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [RETENTION_LOCK]);
    if (!lock[0].ok) return { ran: false, people: 0, requests: 0, sessions: 0, attempts: 0, rateLimits: 0 };
    const cutoff = `(now() - make_interval(months => ${Number(months)}))`;
    const { rows: idle } = await tx.query<{ id: number }>(
      `SELECT p.id FROM people p WHERE p.anonymized_at IS NULL
         AND p.updated_at < ${cutoff}
         AND NOT EXISTS (SELECT 1 FROM trips t WHERE t.driver_id = p.id AND (t.updated_at >= ${cutoff}
               OR (t.active AND (t.kind = 'regular' AND (t.valid_to IS NULL OR t.valid_to >= ${cutoff}::date)))))
         AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.passenger_id = p.id AND (r.updated_at >= ${cutoff} OR r.date >= ${cutoff}::date))
         AND NOT EXISTS (SELECT 1 FROM matches m JOIN trips t ON t.id = m.trip_id WHERE t.driver_id = p.id AND m.updated_at >= ${cutoff})
         AND NOT EXISTS (SELECT 1 FROM citizen_accounts a WHERE a.person_id = p.id AND a.last_login_at >= ${cutoff})
       ORDER BY p.id`,
    );
    for (const p of idle) await erasePerson(tx, p.id, { actor: 'retention-job', role: 'system' });
    const requests = await anonymizeRequests(tx, `updated_at < ${cutoff} AND (date IS NULL OR date < ${cutoff}::date)`, []);
    const sessions = (await tx.query('DELETE FROM citizen_sessions WHERE expires_at < now()')).rowCount;
    const attempts = (await tx.query(`DELETE FROM oidc_attempts WHERE created_at < now() - interval '1 hour'`)).rowCount;
    const rateLimits = await purgeRateLimits(tx);
    return { ran: true, people: idle.length, requests, sessions, attempts, rateLimits };
  });
}

/** Once a day in-process (first run a few minutes after start); errors are logged, never thrown. */
export function scheduleRetention(db: Db, months: number, log: (m: string, extra?: object) => void): () => void {
  const run = () =>
    void runRetention(db, months)
      .then((r) => r.ran && log('retention job', { ...r }))
      .catch((e) => log('retention job failed', { error: String((e as Error)?.message ?? e) }));
  const first = setTimeout(run, 5 * 60_000);
  const daily = setInterval(run, 24 * 3_600_000);
  first.unref();
  daily.unref();
  return () => {
    clearTimeout(first);
    clearInterval(daily);
  };
}
