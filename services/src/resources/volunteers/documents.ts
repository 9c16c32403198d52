import Router from '@koa/router';
import { z } from 'zod';
import { accessReason, auditPersonalRead } from '../../audit/audit.ts';
import { requireRole } from '../../auth/principal.ts';
import { asPrincipal } from '../../auth/scope.ts';
import type { Services } from '../../context.ts';
import { tripReceipt, volunteerStatement } from '../../domain/statements.ts';
import { receiptPdf, statementCsv, statementPdf } from '../../documents/volunteer-documents.ts';
import { id, parse } from '../../http/validate.ts';

const month = z
  .string({ error: 'expected a month YYYY-MM' })
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month YYYY-MM');
const format = z.enum(['json', 'csv', 'pdf'], { error: 'expected json, csv or pdf' }).default('json');

/**
 * The volunteers' monthly statements and the passengers' trip receipts. They name people (the volunteer, the
 * passengers): coordinators and admins only, each read audited.
 */
export function volunteerDocumentRoutes(s: Services) {
  const r = new Router();

  r.get('/volunteers/:id/statement', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const vid = parse(id, ctx.params.id, 'id');
    const m = parse(month, ctx.query.month, 'month');
    const f = parse(format, ctx.query.format, 'format');
    const st = await asPrincipal(s.db, p, async (tx) => {
      const st = await volunteerStatement(tx, p, vid, m);
      await auditPersonalRead(tx, p, [{ id: vid, territoryId: st.territoryId }], ['firstName', 'lastName', 'homeLabel', 'trips'], accessReason(ctx));
      return st;
    });
    const file = `releve-${vid}-${m}`;
    if (f === 'csv') {
      ctx.type = 'text/csv; charset=utf-8';
      ctx.set('Content-Disposition', `attachment; filename="${file}.csv"`);
      ctx.body = statementCsv(st);
    } else if (f === 'pdf') {
      ctx.type = 'application/pdf';
      ctx.set('Content-Disposition', `inline; filename="${file}.pdf"`);
      ctx.body = await statementPdf(st);
    } else ctx.body = st;
  });

  r.get('/matches/:id/receipt.pdf', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const mid = parse(id, ctx.params.id, 'id');
    const receipt = await asPrincipal(s.db, p, async (tx) => {
      const rc = await tripReceipt(tx, p, mid);
      const { rows } = await tx.query<{ territory_id: number }>('SELECT territory_id FROM matches WHERE id = $1', [mid]);
      const named = [rc.driverId, ...(rc.passengerId === null ? [] : [rc.passengerId])];
      await auditPersonalRead(tx, p, named.map((x) => ({ id: x, territoryId: rows[0].territory_id })), ['firstName', 'lastName'], accessReason(ctx));
      return rc;
    });
    ctx.type = 'application/pdf';
    ctx.set('Content-Disposition', `inline; filename="carnet-de-voyage-${mid}.pdf"`);
    ctx.body = await receiptPdf(receipt);
  });

  return r;
}
