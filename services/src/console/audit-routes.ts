import type Router from '@koa/router';
import type { Context } from 'koa';
import { requireRole } from '../auth/principal.ts';
import type { Services } from '../context.ts';
import { asPrincipal } from '../auth/scope.ts';
import { badRequest } from '../http/errors.ts';
import { filterBy, listPage, listParams, Where, type ListSpec } from '../http/simple-rest.ts';
import { auditEvent } from './events.ts';

const SELECT = `SELECT id, at, actor, actor_role, territory_id, action, subject_type, subject_id, fields, reason FROM audit_log`;

interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  actor_role: string;
  territory_id: number | null;
  action: string;
  subject_type: string;
  subject_id: number | null;
  fields: string[];
  reason: string | null;
}

const present = (r: AuditRow) => ({
  id: r.id,
  at: r.at,
  actor: r.actor,
  actorRole: r.actor_role,
  territoryId: r.territory_id,
  action: r.action,
  subjectType: r.subject_type,
  subjectId: r.subject_id,
  fields: r.fields,
  reason: r.reason,
});

const spec: ListSpec = {
  select: SELECT,
  count: 'SELECT count(*)::int AS n FROM audit_log',
  // Admins only, and their territories by row-level security.
  territoryColumn: null,
  sortable: { id: 'id', at: 'at', actor: 'actor', action: 'action' },
  filters: {
    actor: (w, v) => {
      if (typeof v !== 'string') throw badRequest('filter.actor', 'must be text');
      w.add((p) => `actor = ${p}`, v);
    },
    action: (w, v) => {
      const vals = Array.isArray(v) ? v : [v];
      if (!vals.every((x) => typeof x === 'string')) throw badRequest('filter.action', 'must be text');
      w.add((p) => `action = ANY(${p}::text[])`, vals);
    },
    subjectType: (w, v) => {
      if (typeof v !== 'string') throw badRequest('filter.subjectType', 'must be text');
      w.add((p) => `subject_type = ${p}`, v);
    },
    subjectId: filterBy.int('subject_id', 'subjectId'),
    territoryId: filterBy.int('territory_id', 'territoryId'),
    reason: filterBy.text('reason', 'reason'),
    dateFrom: filterBy.date('at', 'dateFrom', '>='),
    // Inclusive of the whole day.
    dateTo: (w, v) => {
      if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(v)) throw badRequest('filter.dateTo', 'expected a date YYYY-MM-DD');
      w.add((p) => `at < ${p}::date + 1`, v.slice(0, 10));
    },
  },
};

/** A spreadsheet must not run a cell as a formula: values starting with = + - @ are prefixed with a quote. */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(' ') : v instanceof Date ? v.toISOString() : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r;]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

const EXPORT_LIMIT = 100_000;

/** The audit log, for admins: list (simple-rest) and CSV export with the same filters. */
export function auditRoutes(api: Router, s: Services): void {
  api.get('/audit', async (ctx) => {
    const p = requireRole(ctx, 'admin');
    const rows = await asPrincipal(s.db, p, (tx) =>
      listPage<AuditRow>(ctx, tx, 'audit', spec, { territoryIds: p.territoryIds, readsPersonal: true }),
    );
    ctx.body = rows.map(present);
  });

  const exportCsv = async (ctx: Context) => {
    const p = requireRole(ctx, 'admin');
    const where = new Where();
    const lp = listParams(ctx, spec, where);
    const rows = await asPrincipal(s.db, p, async (tx) => {
      const r = await tx.query<AuditRow>(`${SELECT} ${where} ORDER BY ${lp.orderBy} LIMIT ${EXPORT_LIMIT}`, where.params);
      await auditEvent(tx, { actor: p.actor, actorRole: p.role, action: 'audit_export', subjectType: 'audit_log', fields: [], reason: JSON.stringify(lp.filter).slice(0, 200) });
      return r.rows;
    });
    const header = ['id', 'at', 'actor', 'actor_role', 'territory_id', 'action', 'subject_type', 'subject_id', 'fields', 'reason'];
    const lines = [header.join(','), ...rows.map((r) => header.map((h) => csvCell(r[h as keyof AuditRow])).join(','))];
    ctx.set('Content-Type', 'text/csv; charset=utf-8');
    ctx.set('Content-Disposition', `attachment; filename="audit-${new Date().toISOString().slice(0, 10)}.csv"`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = `\uFEFF${lines.join('\r\n')}\r\n`;
  };
  api.get('/audit/export.csv', exportCsv);
}
