import Router from '@koa/router';
import { z } from 'zod';
import { assertTerritory, requireRole } from '../../auth/principal.ts';
import { asPrincipal } from '../../auth/scope.ts';
import type { Services } from '../../context.ts';
import type { Queryable } from '@comobi/db';
import { computePlan, confirmPlan, loadPlan } from '../../domain/planning.ts';
import { loadTerritory } from '../../domain/territories.ts';
import { id, isoDate, parse } from '../../http/validate.ts';

/** A week is the horizon coordinators plan; a month bounds the instance the solver gets. */
const MAX_HORIZON_DAYS = 31;
const dayDiff = (a: string, b: string) => (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000;

const planBody = z
  .object({
    territoryId: z.number().int().positive(),
    from: isoDate,
    to: isoDate,
    timeLimitS: z.number().min(0.001).max(60).default(8),
  })
  .superRefine((b, ctx) => {
    const days = dayDiff(b.from, b.to);
    if (days < 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    else if (days >= MAX_HORIZON_DAYS)
      ctx.addIssue({ code: 'custom', path: ['to'], message: `the horizon is at most ${MAX_HORIZON_DAYS} days` });
  });

const confirmBody = z.object({ requestIds: z.array(z.number().int().positive()).min(1).max(5000).optional() });

/**
 * Batch assignment: a plan assigns all open requests of a horizon together (domain/planning); the coordinator then
 * confirms its items, all or some, which marks the chosen matches as the ones to call.
 */
export function planRoutes(s: Services) {
  const r = new Router();

  r.post('/plans', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const b = parse(planBody, ctx.request.body);
    assertTerritory(p, b.territoryId);
    const run = <T>(fn: (tx: Queryable) => Promise<T>) => asPrincipal(s.db, p, fn);
    await run((tx) => loadTerritory(tx, p, b.territoryId));
    const planId = await computePlan(run, s, p, b.territoryId, b.from, b.to, b.timeLimitS);
    ctx.status = 201;
    ctx.body = await run((tx) => loadPlan(tx, p, planId));
  });

  r.get('/plans/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const pid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, (tx) => loadPlan(tx, p, pid));
  });

  r.post('/plans/:id/confirm', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const pid = parse(id, ctx.params.id, 'id');
    const b = parse(confirmBody, ctx.request.body ?? {});
    const run = <T>(fn: (tx: Queryable) => Promise<T>) => asPrincipal(s.db, p, fn);
    ctx.body = await confirmPlan(run, s, p, pid, b.requestIds);
  });

  return r;
}
