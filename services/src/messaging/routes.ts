import type Router from '@koa/router';
import { accessReason, auditPersonalRead } from '../audit/audit.ts';
import { requireRole } from '../auth/principal.ts';
import type { Services } from '../context.ts';
import { asPrincipal } from '../auth/scope.ts';
import { auditMessageRead, driverWeek, loadMessage, messageList, presentMessage, type MessageRow } from '../domain/messages.ts';
import { notFound } from '../http/errors.ts';
import { listPage } from '../http/simple-rest.ts';
import { id, isoDate, parse } from '../http/validate.ts';
import { nextWeekday } from '../time/days.ts';
import { letterPdf, weekSheetPdf } from './letter.ts';

/**
 * The outbox as the console reads it: coordinators and admins only (numbers masked in lists; the text of one
 * message, audited, is what was or would have been sent).
 */
export function messageRoutes(api: Router, s: Services) {
  api.get('/messages', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const rows = await asPrincipal(s.db, p, (tx) =>
      listPage<MessageRow>(ctx, tx, 'messages', messageList, { territoryIds: p.territoryIds, readsPersonal: true }),
    );
    ctx.body = rows.map((r) => presentMessage(r, false));
  });

  api.get('/messages/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const mid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      const row = await loadMessage(tx, mid);
      if (!row) throw notFound('message', mid);
      await auditMessageRead(tx, p, row, accessReason(ctx));
      return presentMessage(row, true);
    });
  });

  /** A letter to print and post, in large type. */
  api.get('/messages/:id/letter.pdf', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const mid = parse(id, ctx.params.id, 'id');
    const { row, territory } = await asPrincipal(s.db, p, async (tx) => {
      const row = await loadMessage(tx, mid);
      if (!row || row.channel !== 'letter') throw notFound('letter', mid);
      await auditMessageRead(tx, p, row, accessReason(ctx));
      const t = await tx.query<{ name: string }>('SELECT name FROM territories WHERE id = $1', [row.territory_id]);
      return { row, territory: t.rows[0]?.name ?? '' };
    });
    ctx.type = 'application/pdf';
    ctx.set('Content-Disposition', `inline; filename="courrier-${mid}.pdf"`);
    ctx.body = await letterPdf(row.kind, row.body, territory);
  });

  /** A driver's weekly sheet (7 days from `from`, by default the coming Monday), to print and post. */
  api.get('/people/:id/week.pdf', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const pid = parse(id, ctx.params.id, 'id');
    const from = ctx.query.from === undefined ? nextWeekday(1) : parse(isoDate, ctx.query.from, 'from');
    const week = await asPrincipal(s.db, p, async (tx) => {
      const w = await driverWeek(tx, p, pid, from);
      if (!w) throw notFound('person', pid);
      await auditPersonalRead(tx, p, [{ id: pid, territoryId: w.territoryId }], ['trips', 'passengers'], accessReason(ctx));
      return w;
    });
    ctx.type = 'application/pdf';
    ctx.set('Content-Disposition', `inline; filename="semaine-${pid}-${from}.pdf"`);
    ctx.body = await weekSheetPdf(week, from);
  });
}
