import type Router from '@koa/router';
import { z } from 'zod';
import { assertTerritory, principalOf } from '../auth/principal.ts';
import type { Services } from '../context.ts';
import { asPrincipal } from '../auth/scope.ts';
import { parse } from '../http/validate.ts';
import { auditPersonalRead } from '../audit/audit.ts';
import { forbidden } from '../http/errors.ts';
import { visibilityOf } from '../domain/scope.ts';
import { dashboardCounts } from '../stats/dashboard.ts';
import { workQueue } from '../stats/work-queue.ts';

const query = z.object({ territoryId: z.coerce.number().int().positive().optional() });
const queueQuery = query.extend({ limit: z.coerce.number().int().min(1).max(200).default(50) });

/** Counts without any personal data: the dashboard, and all that viewers get. */
export function statsRoutes(api: Router, s: Services): void {
  api.get('/dashboard', async (ctx) => {
    const p = principalOf(ctx);
    const q = parse(query, ctx.query);
    if (q.territoryId !== undefined) assertTerritory(p, q.territoryId);
    ctx.body = await asPrincipal(s.db, p, (tx) => dashboardCounts(tx, q.territoryId ?? null));
  });

  /**
   * The coordinator's work queue (stats/work-queue.ts). Coordinators and admins get each section's items with names
   * and phones (audited, reason "work-queue"); viewers the counts alone; integrations nothing.
   */
  api.get('/work-queue', async (ctx) => {
    const p = principalOf(ctx);
    if (p.role === 'integration') throw forbidden('the work queue is for the console’s staff');
    const q = parse(queueQuery, ctx.query);
    if (q.territoryId !== undefined) assertTerritory(p, q.territoryId);
    const visibility = visibilityOf(p);
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      const { queue, shown } = await workQueue(tx, {
        territoryId: q.territoryId ?? null,
        now: new Date(),
        visibility,
        answerWaitHours: (id) => s.rulesOf(id).answerWaitHours,
        limit: q.limit,
      });
      if (visibility === 'personal') await auditPersonalRead(tx, p, shown, ['firstName', 'lastName', 'phone'], 'work-queue');
      return queue;
    });
  });
}
