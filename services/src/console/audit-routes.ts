import type Router from '@koa/router';
import type { Context } from 'koa';
import { requireRole } from '../auth/principal.ts';
import type { Services } from '../context.ts';
import { asPrincipal } from '../auth/scope.ts';
import { badRequest } from '../http/errors.ts';
import { filterBy, listPage, listParams, Where, type ListSpec } from '../http/simple-rest.ts';
import { frenchCsv, type CsvColumn } from '../http/french-csv.ts';
import { auditEvent } from '../audit/audit.ts';

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

/** French labels of the audit codes, for the export (the console has the same in its messages). */
const ACTION_LABELS: Record<string, string> = {
  read_personal: 'Lecture de données personnelles', login: 'Connexion', logout: 'Déconnexion', user_create: 'Création de compte',
  user_update: 'Modification de compte', user_delete: 'Suppression de compte', audit_export: 'Export du journal',
  token_create: 'Création de jeton d’API', token_revoke: 'Révocation de jeton d’API',
};
const ROLE_LABELS: Record<string, string> = {
  admin: 'Administrateur', coordinator: 'Coordinateur', viewer: 'Observateur', integration: 'Intégration', citizen: 'Usager', public: 'Public',
};
const SUBJECT_LABELS: Record<string, string> = {
  person: 'Personne', user: 'Compte', audit_log: 'Journal d’audit', api_token: 'Jeton d’API', interop_message: 'Message d’une application partenaire',
  request: 'Demande', match: 'Mise en relation', trip: 'Trajet',
};
const label = (labels: Record<string, string>, code: string | null) => (code === null ? '' : labels[code] ?? code);

type ExportRow = AuditRow & { actor_name: string | null; territory_name: string | null };

const EXPORT_COLUMNS: CsvColumn<ExportRow>[] = [
  { header: 'N°', value: (r) => r.id },
  { header: 'Date et heure (heure de Paris)', value: (r) => r.at },
  { header: 'Qui', value: (r) => r.actor_name ?? r.actor },
  { header: 'Rôle', value: (r) => label(ROLE_LABELS, r.actor_role) },
  { header: 'Territoire', value: (r) => r.territory_name ?? '' },
  { header: 'Action', value: (r) => label(ACTION_LABELS, r.action) },
  { header: 'Objet', value: (r) => label(SUBJECT_LABELS, r.subject_type) },
  { header: 'N° de l’objet', value: (r) => r.subject_id },
  { header: 'Champs', value: (r) => r.fields },
  { header: 'Motif', value: (r) => r.reason },
];

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
      // The territory's name rather than its id.
      const r = await tx.query<Omit<ExportRow, 'actor_name'>>(
        `SELECT a.*, (SELECT t.name FROM territories t WHERE t.id = a.territory_id) AS territory_name
         FROM (${SELECT} ${where} ORDER BY ${lp.orderBy} LIMIT ${EXPORT_LIMIT}) a ORDER BY ${lp.orderBy}`,
        where.params,
      );
      await auditEvent(tx, { actor: p.actor, actorRole: p.role, action: 'audit_export', subjectType: 'audit_log', fields: [], reason: JSON.stringify(lp.filter).slice(0, 200) });
      return r.rows;
    });
    ctx.set('Content-Type', 'text/csv; charset=utf-8');
    ctx.set('Content-Disposition', `attachment; filename="audit-${new Date().toISOString().slice(0, 10)}.csv"`);
    ctx.set('Cache-Control', 'no-store');
    // The account's name or e-mail rather than "user:N" (accounts are outside the scoped role's reach: read here, by an admin).
    const userIds = [...new Set(rows.flatMap((r) => (/^user:\d+$/.test(r.actor) ? [Number(r.actor.slice(5))] : [])))];
    const names = new Map(
      (await s.db.query<{ id: number; name: string }>(`SELECT id, coalesce(nullif(display_name, ''), email) AS name FROM users WHERE id = ANY($1::int[])`, [userIds]))
        .rows.map((u) => [`user:${u.id}`, u.name]),
    );
    ctx.body = frenchCsv(EXPORT_COLUMNS, rows.map((r) => ({ ...r, actor_name: names.get(r.actor) ?? null })));
  };
  api.get('/audit/export.csv', exportCsv);
}
