import type { Queryable } from '@comobi/db';
import { INVENTORY, plan } from './inventory.ts';

/**
 * Erasure of a person (by themselves or by a coordinator on their behalf), in the caller's transaction: every table
 * of the inventory is treated as it says, on the rows about the person — names, contact details and sign-in links
 * deleted, places blurred to their commune, free texts emptied, messages from partner apps scrubbed, registry
 * declarations scrubbed (a queued one cancelled). The anonymous rows stay so that statistics do not change.
 */
export async function erasePerson(tx: Queryable, personId: number, by: { actor: string; role: string }): Promise<void> {
  const { rows } = await tx.query<{ territory_id: number }>('SELECT territory_id FROM people WHERE id = $1 FOR UPDATE', [personId]);
  if (!rows[0]) return;
  for (const t of INVENTORY) {
    if (!t.about) continue;
    const p = plan(t, 'erase');
    if ('delete' in p) await tx.query(`DELETE FROM ${t.table} WHERE ${t.about}`, [personId]);
    else if (p.sets.length) await tx.query(`UPDATE ${t.table} SET ${p.sets.join(', ')} WHERE ${t.about}`, [personId]);
  }
  await tx.query(
    `INSERT INTO audit_log (actor, actor_role, territory_id, action, subject_type, subject_id, fields)
     VALUES ($1, $2, $3, 'erase_personal', 'person', $4, $5)`,
    [by.actor, by.role, rows[0].territory_id, personId, ['identity', 'places', 'notes', 'needs', 'messages', 'declarations']],
  );
}
