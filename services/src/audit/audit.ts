import type { Context } from 'koa';
import type { Principal } from '../auth/principal.ts';
import type { Queryable } from '@comobi/db';

export const PERSONAL_FIELDS = ['firstName', 'lastName', 'phone', 'email', 'address', 'birthdate'] as const;

/** Why personal data is shown: the console sends the request being handled ("request:42"). */
export const accessReason = (ctx: Context): string | null => {
  const v = ctx.get('x-access-reason') || (typeof ctx.query.reason === 'string' ? ctx.query.reason : '');
  return v ? v.slice(0, 200) : null;
};

/** One audit row per person whose personal fields were displayed. */
export async function auditPersonalRead(
  db: Queryable,
  p: Principal,
  people: { id: number; territoryId: number }[],
  fields: readonly string[],
  reason: string | null,
  /** What was read: a person, or a record holding someone's words (a message; a request's notes without a passenger). */
  subjectType: 'person' | 'message' | 'interop_message' | 'request' | 'match' = 'person',
): Promise<void> {
  if (!people.length) return;
  await db.query(
    `INSERT INTO audit_log (actor, actor_role, territory_id, action, subject_type, subject_id, fields, reason)
     SELECT $1, $2, t, 'read_personal', $7, i, $3, $4 FROM unnest($5::int[], $6::int[]) AS x(i, t)`,
    [p.actor, p.role, fields, reason, people.map((x) => x.id), people.map((x) => x.territoryId), subjectType],
  );
}

export interface AuditEvent {
  actor: string;
  actorRole: string;
  action: string;
  subjectType: string;
  subjectId?: number | null;
  territoryId?: number | null;
  fields?: string[];
  reason?: string | null;
}

/** Account and administration events (logins, user and token changes, exports): the same log as personal reads. */
export async function auditEvent(db: Queryable, e: AuditEvent): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor, actor_role, territory_id, action, subject_type, subject_id, fields, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [e.actor, e.actorRole, e.territoryId ?? null, e.action, e.subjectType, e.subjectId ?? null, e.fields ?? [], e.reason ?? null],
  );
}
