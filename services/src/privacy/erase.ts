import type { Queryable } from '../db/index.ts';
import { eraseMessagesOf } from '../domain/messages.ts';

/** A point replaced by the centroid of its commune: commune-level statistics and maps stay the same. */
const blur = (col: string) =>
  `COALESCE((SELECT c.centroid FROM communes c WHERE ST_Intersects(c.geom, ${col}) LIMIT 1), ${col})`;

/**
 * Erasure of a person (by themselves or by a coordinator on their behalf), in the caller's transaction: names and
 * contact details are deleted, places are blurred to their commune, free texts and needs are emptied, the
 * FranceConnect link and sessions are removed. The anonymous rows stay so that statistics do not change.
 */
export async function erasePerson(tx: Queryable, personId: number, by: { actor: string; role: string }): Promise<void> {
  const { rows } = await tx.query<{ territory_id: number }>('SELECT territory_id FROM people WHERE id = $1 FOR UPDATE', [personId]);
  if (!rows[0]) return;
  await tx.query('DELETE FROM person_identities WHERE person_id = $1', [personId]);
  await tx.query('DELETE FROM citizen_accounts WHERE person_id = $1', [personId]);
  await eraseMessagesOf(tx, personId);
  await tx.query(
    `UPDATE people SET home = NULL, needs = '{}', direct_contact_consent = false, direct_contact_consent_at = NULL,
       anonymized_at = COALESCE(anonymized_at, now()), updated_at = now() WHERE id = $1`,
    [personId],
  );
  // Matches first: keep the shared distance before the points move.
  await tx.query(
    `UPDATE matches m SET shared_m = COALESCE(m.shared_m, ST_Distance(m.pickup::geography, m.dropoff::geography)),
       pickup = ${blur('m.pickup')}, dropoff = ${blur('m.dropoff')}, note = NULL, status_reason = NULL
     WHERE m.request_id IN (SELECT id FROM requests WHERE passenger_id = $1)
        OR m.trip_id IN (SELECT id FROM trips WHERE driver_id = $1)`,
    [personId],
  );
  await tx.query(`UPDATE match_events SET note = NULL WHERE match_id IN (
      SELECT m.id FROM matches m LEFT JOIN requests r ON r.id = m.request_id LEFT JOIN trips t ON t.id = m.trip_id
      WHERE r.passenger_id = $1 OR t.driver_id = $1)`, [personId]);
  await anonymizeRequests(tx, 'passenger_id = $1', [personId]);
  // Trips stop (an erased driver cannot be called); their routes would show where the driver lives.
  await tx.query(
    `UPDATE trips SET active = false, origin = ${blur('origin')}, destination = ${blur('destination')},
       origin_label = NULL, destination_label = NULL, updated_at = now() WHERE driver_id = $1`,
    [personId],
  );
  await tx.query(
    `UPDATE trips SET route = ST_MakeLine(origin, destination),
       return_route = CASE WHEN return_route IS NULL THEN NULL ELSE ST_MakeLine(destination, origin) END
     WHERE driver_id = $1`,
    [personId],
  );
  await tx.query(
    `INSERT INTO audit_log (actor, actor_role, territory_id, action, subject_type, subject_id, fields)
     VALUES ($1, $2, $3, 'erase_personal', 'person', $4, $5)`,
    [by.actor, by.role, rows[0].territory_id, personId, ['identity', 'places', 'notes', 'needs']],
  );
}

/** Requests matching `where` lose their labels, notes, needs and exact points (blurred to the commune). */
export async function anonymizeRequests(tx: Queryable, where: string, params: unknown[]): Promise<number> {
  const r = await tx.query(
    `UPDATE requests SET from_point = ${blur('from_point')}, to_point = ${blur('to_point')}, from_label = NULL,
       to_label = NULL, note = NULL, needs = '{}', anonymized_at = now(), updated_at = now()
     WHERE anonymized_at IS NULL AND ${where}`,
    params,
  );
  return r.rowCount;
}
