import type { Queryable } from '@comobi/db';
import { exportedColumns, INVENTORY } from './inventory.ts';

/**
 * Everything stored about a person, as JSON (right of access and portability): one key per table of the inventory
 * that holds rows about them (identity, profile, consents, trips, requests, matches and their events, messages and
 * bookings from partner apps, registry declarations, the FranceConnect link, who read their data), every column but
 * the secrets. Places are GeoJSON.
 */
export async function exportPerson(db: Queryable, personId: number): Promise<Record<string, unknown> | null> {
  const exists = await db.query<{ territory: string }>(
    'SELECT t.name AS territory FROM people p JOIN territories t ON t.id = p.territory_id WHERE p.id = $1', [personId]);
  if (!exists.rows[0]) return null;
  const out: Record<string, unknown> = { exportedAt: new Date().toISOString(), territory: exists.rows[0].territory };
  // The single records first (person, identity, FranceConnect), then the lists.
  const tables = [...INVENTORY].sort((a, b) => Number(!a.exportAs?.one) - Number(!b.exportAs?.one));
  for (const t of tables) {
    if (!t.about || !t.exportAs) continue;
    const cols = exportedColumns(t);
    const { rows } = await db.query<{ row: Record<string, unknown> }>(
      `SELECT to_jsonb(x) AS row FROM (SELECT ${cols.join(', ')} FROM ${t.table} WHERE ${t.about} ORDER BY 1) x`,
      [personId],
    );
    out[t.exportAs.key] = t.exportAs.one ? (rows[0]?.row ?? null) : rows.map((r) => r.row);
  }
  return out;
}
