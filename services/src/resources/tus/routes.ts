import Router from '@koa/router';
import { z } from 'zod';
import { accessReason, auditEvent, auditPersonalRead } from '../../audit/audit.ts';
import { requireRole } from '../../auth/principal.ts';
import { asPrincipal } from '../../auth/scope.ts';
import type { Services } from '../../context.ts';
import { visibilityOf } from '../../domain/scope.ts';
import {
  BENEFIT_KEYS,
  checkRequest,
  presentException,
  recordBeneficiary,
  recordException,
  recordMembership,
  removeBeneficiary,
  removeMembership,
  TUS_RULES,
  tusPerson,
  tusSettings,
  writeTusSettings,
} from '../../domain/tus.ts';
import { tusReport } from '../../domain/tus-report.ts';
import { territoryBySlug } from '../../domain/territories.ts';
import { badRequest } from '../../http/errors.ts';
import { id, isoDate, parse } from '../../http/validate.ts';
import { reportCsv, reportLines, reportPdf } from './report-formats.ts';

export const tusSettingsBody = z.object({
  enabled: z.boolean(),
  associationName: z.string().trim().max(200).nullable().default(null),
  rna: z.string().trim().regex(/^W[0-9A-Z]{9}$/, 'un numéro RNA : W suivi de 9 caractères').nullable().default(null),
  associationAddress: z.string().trim().max(300).nullable().default(null),
  employees: z.number().int().min(0).max(10_000).nullable().default(null),
  memberFeeEur: z.number().min(0).max(10_000).nullable().default(null),
  requireMembership: z.boolean().default(true),
  blockConfirmation: z.boolean().default(false),
  careRules: z.string().trim().max(2000).nullable().default(null),
});

export const beneficiaryBody = z
  .object({
    byResidence: z.boolean().default(false),
    byResources: z.boolean().default(false),
    resourceBenefit: z.enum(BENEFIT_KEYS).nullable().default(null),
    proof: z.string().trim().min(3, 'décrivez le justificatif vu (3 caractères au moins)').max(300),
    proofDate: isoDate,
  })
  .refine((b) => b.byResidence || b.byResources, { message: 'choisissez au moins un critère : résidence ou ressources', path: ['byResidence'] })
  .refine((b) => !b.byResources || b.resourceBenefit, { message: 'indiquez la prestation ou la couverture justifiée', path: ['resourceBenefit'] })
  .refine((b) => b.proofDate <= new Date().toISOString().slice(0, 10), { message: 'la date du justificatif ne peut être future', path: ['proofDate'] });

export const membershipBody = z.object({
  feeEur: z.number().min(0).max(10_000),
  paidOn: isoDate,
});

export const exceptionBody = z.object({
  rule: z.enum(TUS_RULES),
  reason: z.string().trim().min(3, 'donnez la raison de la dérogation (3 caractères au moins)').max(500),
});

const year = z.coerce.number().int().min(2000).max(2100);

/** Fields of a person's TUS record, named in the audit of each read. */
const TUS_FIELDS = ['tusEligibility', 'tusProof', 'tusMemberships'];

/** The TUS rules: settings per territory, beneficiaries and memberships, the check of a request, the yearly report. */
export function tusRoutes(s: Services) {
  const r = new Router();

  r.get('/tus/settings/:territoryId', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator', 'viewer');
    const t = parse(id, ctx.params.territoryId, 'territoryId');
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      if (p.territoryIds && !p.territoryIds.includes(t)) throw badRequest('territoryId', 'not one of your territories');
      return tusSettings(tx, t);
    });
  });

  r.put('/tus/settings/:territoryId', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const t = parse(id, ctx.params.territoryId, 'territoryId');
    const b = parse(tusSettingsBody, ctx.request.body);
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      const out = await writeTusSettings(tx, p, t, b);
      await auditEvent(tx, { actor: p.actor, actorRole: p.role, action: 'tus_settings_changed', subjectType: 'territory', subjectId: t, territoryId: t });
      return out;
    });
  });

  // A person's eligibility and memberships are personal data (a benefit tells about income or disability).
  r.get('/people/:id/tus', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const pid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      const out = await tusPerson(tx, p, pid);
      const { rows } = await tx.query<{ territory_id: number }>('SELECT territory_id FROM people WHERE id = $1', [pid]);
      await auditPersonalRead(tx, p, [{ id: pid, territoryId: rows[0].territory_id }], TUS_FIELDS, accessReason(ctx));
      return out;
    });
  });

  r.put('/people/:id/tus/beneficiary', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const pid = parse(id, ctx.params.id, 'id');
    const b = parse(beneficiaryBody, ctx.request.body);
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      await recordBeneficiary(tx, p, pid, { ...b, resourceBenefit: b.resourceBenefit });
      const out = await tusPerson(tx, p, pid);
      await auditEvent(tx, { actor: p.actor, actorRole: p.role, action: 'tus_beneficiary_recorded', subjectType: 'person', subjectId: pid,
        territoryId: (await tx.query<{ t: number }>('SELECT territory_id AS t FROM people WHERE id = $1', [pid])).rows[0].t, fields: TUS_FIELDS });
      return out;
    });
  });

  r.delete('/people/:id/tus/beneficiary', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const pid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      await removeBeneficiary(tx, p, pid);
      await auditEvent(tx, { actor: p.actor, actorRole: p.role, action: 'tus_beneficiary_removed', subjectType: 'person', subjectId: pid, fields: TUS_FIELDS });
      return tusPerson(tx, p, pid);
    });
  });

  r.put('/people/:id/tus/memberships/:year', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const pid = parse(id, ctx.params.id, 'id');
    const y = parse(year, ctx.params.year, 'year');
    const b = parse(membershipBody, ctx.request.body);
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      await recordMembership(tx, p, pid, { year: y, ...b });
      await auditEvent(tx, { actor: p.actor, actorRole: p.role, action: 'tus_membership_recorded', subjectType: 'person', subjectId: pid, fields: ['tusMemberships'] });
      return tusPerson(tx, p, pid);
    });
  });

  r.delete('/people/:id/tus/memberships/:year', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const pid = parse(id, ctx.params.id, 'id');
    const y = parse(year, ctx.params.year, 'year');
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      await removeMembership(tx, p, pid, y);
      await auditEvent(tx, { actor: p.actor, actorRole: p.role, action: 'tus_membership_removed', subjectType: 'person', subjectId: pid, fields: ['tusMemberships'] });
      return tusPerson(tx, p, pid);
    });
  });

  const check = async (tx: Parameters<Parameters<typeof asPrincipal>[2]>[0], p: ReturnType<typeof requireRole>, rid: number) => {
    const c = await checkRequest(tx, p, rid, s.router);
    const v = visibilityOf(p);
    return {
      ...c,
      violations: c.violations.map((x) => ({ ...x, exception: x.exception && presentException(x.exception, v) })),
      exceptions: c.exceptions.map((e) => presentException(e, v)),
    };
  };

  r.get('/requests/:id/tus', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator', 'viewer');
    const rid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, (tx) => check(tx, p, rid));
  });

  r.post('/requests/:id/tus/exceptions', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const rid = parse(id, ctx.params.id, 'id');
    const b = parse(exceptionBody, ctx.request.body);
    ctx.status = 201;
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      await recordException(tx, p, rid, b.rule, b.reason);
      const t = (await tx.query<{ t: number }>('SELECT territory_id AS t FROM requests WHERE id = $1', [rid])).rows[0].t;
      // Who served a request outside the rules, and which rule: the reason itself stays in tus_exceptions.
      await auditEvent(tx, { actor: p.actor, actorRole: p.role, action: 'tus_exception_recorded', subjectType: 'request', subjectId: rid, territoryId: t, fields: [b.rule] });
      return check(tx, p, rid);
    });
  });

  r.get('/reports/tus', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator', 'viewer');
    const q = ctx.query;
    if (typeof q.territory !== 'string' || !q.territory) throw badRequest('territory', 'required: the territory id or slug');
    const y = parse(year, q.year ?? String(new Date().getFullYear() - 1), 'year');
    const format = q.format ?? 'json';
    if (format !== 'json' && format !== 'csv' && format !== 'pdf') throw badRequest('format', 'json, csv or pdf');
    const report = await asPrincipal(s.db, p, async (tx) => {
      let t: number;
      if (/^\d+$/.test(q.territory as string)) t = Number(q.territory);
      else {
        const found = await territoryBySlug(tx, q.territory as string);
        if (!found) throw badRequest('territory', `no territory ${q.territory}`);
        t = found.id;
      }
      return tusReport(tx, p, t, y);
    });
    const file = `rapport-tus-${y}-${report.territory.id}`;
    if (format === 'csv') {
      ctx.type = 'text/csv; charset=utf-8';
      ctx.set('Content-Disposition', `attachment; filename="${file}.csv"`);
      ctx.body = reportCsv(report);
    } else if (format === 'pdf') {
      ctx.type = 'application/pdf';
      ctx.set('Content-Disposition', `inline; filename="${file}.pdf"`);
      ctx.body = await reportPdf(report);
    } else ctx.body = { ...report, sections: reportLines(report) };
  });

  return r;
}
