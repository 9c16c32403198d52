import Router from '@koa/router';
import { z } from 'zod';
import { assertTerritory, requireRole } from '../../auth/principal.ts';
import { asPrincipal } from '../../auth/scope.ts';
import type { Services } from '../../context.ts';
import { isoDate, parse } from '../../http/validate.ts';
import { recruitingPairs } from '../../stats/recruiting.ts';
import { addDays } from '../../time/days.ts';

const DEFAULT_DAYS = 90;
const query = z
  .object({
    territoryId: z.coerce.number().int().positive().optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(20),
  })
  .superRefine((q, ctx) => {
    if (q.from && q.to && q.to < q.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
  });

/**
 * GET /api/recruiting: where drivers are missing (stats/recruiting.ts), counts only, no person: the roles that read
 * the dashboard read it. Default period: the last 90 days up to today and the open requests ahead.
 */
export function recruitingRoutes(s: Services) {
  const r = new Router();
  r.get('/recruiting', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator', 'viewer');
    const q = parse(query, ctx.query);
    if (q.territoryId !== undefined) assertTerritory(p, q.territoryId);
    const today = new Date().toISOString().slice(0, 10);
    const to = q.to ?? addDays(today, 30);
    const from = q.from ?? addDays(to < today ? to : today, -DEFAULT_DAYS);
    ctx.body = await asPrincipal(s.db, p, (tx) =>
      recruitingPairs(tx, { territoryIds: q.territoryId ? [q.territoryId] : p.territoryIds, from, to, limit: q.limit }),
    );
  });
  return r;
}
