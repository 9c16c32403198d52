import type { Queryable } from '../db/index.ts';

/** Account events (logins, user changes, exports) go to the same audit log as personal-data reads. */
export async function auditEvent(
  db: Queryable,
  e: { actor: string; actorRole: string; action: string; subjectType: string; subjectId?: number | null; territoryId?: number | null; fields?: string[]; reason?: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor, actor_role, territory_id, action, subject_type, subject_id, fields, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [e.actor, e.actorRole, e.territoryId ?? null, e.action, e.subjectType, e.subjectId ?? null, e.fields ?? [], e.reason ?? null],
  );
}
