import type Router from '@koa/router';
import { accessReason } from '../audit/audit.ts';
import { requireRole } from '../auth/principal.ts';
import type { Services } from '../context.ts';
import { asPrincipal } from '../db/scope.ts';
import { auditMessageRead, loadMessage, messageList, presentMessage, type MessageRow } from '../domain/messages.ts';
import { notFound } from '../http/errors.ts';
import { listPage } from '../http/simple-rest.ts';
import { id, parse } from '../http/validate.ts';
import { letterPdf } from './letter.ts';

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
}
