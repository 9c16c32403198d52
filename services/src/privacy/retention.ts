import type { Db } from '@comobi/db';
import { erasePerson } from './erase.ts';
import { INVENTORY, plan } from './inventory.ts';

/** Arbitrary constant: one replica at a time runs the retention job. */
const RETENTION_LOCK = 4_620_301;

export interface RetentionReport {
  ran: boolean;
  people: number;
  requests: number;
  sessions: number;
  attempts: number;
  rateLimits: number;
  /** Rows treated per table (the four above included). */
  rows: Record<string, number>;
}

/** The people without activity since the cutoff: their record, trips, requests, matches, FranceConnect logins. */
const idlePeople = (cutoff: string) => `SELECT p.id FROM people p WHERE p.anonymized_at IS NULL
    AND p.updated_at < ${cutoff}
    AND NOT EXISTS (SELECT 1 FROM trips t WHERE t.driver_id = p.id AND (t.updated_at >= ${cutoff}
          OR (t.active AND (t.kind = 'regular' AND (t.valid_to IS NULL OR t.valid_to >= ${cutoff}::date)))))
    AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.passenger_id = p.id AND (r.updated_at >= ${cutoff} OR r.date >= ${cutoff}::date))
    AND NOT EXISTS (SELECT 1 FROM matches m JOIN trips t ON t.id = m.trip_id WHERE t.driver_id = p.id AND m.updated_at >= ${cutoff})
    AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.volunteer_id = p.id AND m.updated_at >= ${cutoff})
    AND NOT EXISTS (SELECT 1 FROM volunteers v WHERE v.person_id = p.id AND v.active AND v.updated_at >= ${cutoff})
    AND NOT EXISTS (SELECT 1 FROM citizen_accounts a WHERE a.person_id = p.id AND a.last_login_at >= ${cutoff})
  ORDER BY p.id`;

/**
 * The retention job, driven by the inventory: people idle for `months` are erased; then every table with a `stale`
 * condition has those rows treated as its retention says (deleted, or their personal columns rewritten; rows
 * already treated are left alone, so a run changes nothing twice). Safe with several replicas: a
 * transaction-scoped advisory lock lets one run and the others skip.
 */
export async function runRetention(db: Db, months: number): Promise<RetentionReport> {
  return db.transaction(async (tx) => {
    const { rows: lock } = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [RETENTION_LOCK]);
    if (!lock[0].ok) return { ran: false, people: 0, requests: 0, sessions: 0, attempts: 0, rateLimits: 0, rows: {} };
    const cutoff = `(now() - make_interval(months => ${Number(months)}))`;
    const { rows: idle } = await tx.query<{ id: number }>(idlePeople(cutoff));
    for (const p of idle) await erasePerson(tx, p.id, { actor: 'retention-job', role: 'system' });
    const rows: Record<string, number> = {};
    for (const t of INVENTORY) {
      if (!t.stale) continue;
      const p = plan(t, 'retention');
      if ('delete' in p) {
        rows[t.table] = (await tx.query(`DELETE FROM ${t.table} WHERE ${t.stale(cutoff)}`)).rowCount;
      } else if (p.sets.length) {
        // Only rows some column of which would change: a second run finds nothing to do.
        const changes = Object.entries(t.personal).flatMap(([col, c]) =>
          typeof c.retention === 'object' && 'set' in c.retention ? [`${col} IS DISTINCT FROM ${c.retention.set}`] : []);
        rows[t.table] = (await tx.query(`UPDATE ${t.table} SET ${p.sets.join(', ')} WHERE (${t.stale(cutoff)}) AND (${changes.join(' OR ')})`)).rowCount;
      }
    }
    return {
      ran: true,
      people: idle.length,
      requests: rows.requests ?? 0,
      sessions: rows.citizen_sessions ?? 0,
      attempts: rows.oidc_attempts ?? 0,
      rateLimits: rows.rate_limits ?? 0,
      rows,
    };
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
