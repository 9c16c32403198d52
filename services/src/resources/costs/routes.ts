import Router from '@koa/router';
import { requireRole } from '../../auth/principal.ts';
import { asPrincipal } from '../../auth/scope.ts';
import type { Services } from '../../context.ts';
import { allowanceSchema, costRulesSchema, loadCostRules, participationSchema, writeCostRules } from '../../domain/costs.ts';
import { id, parse } from '../../http/validate.ts';
import { z } from 'zod';

/** A change of the rules: the parts given, each a partial object over the rules as they are. */
export const costRulesBody = z
  .object({ participation: participationSchema.partial().strict().optional(), allowance: allowanceSchema.partial().strict().optional() })
  .strict();

/**
 * A territory's cost rules (participation, allowance): read by its coordinators, changed by them and the admins.
 * New proposals follow a change; matches already handled keep their amounts.
 */
export function costRoutes(s: Services) {
  const r = new Router();

  r.get('/territories/:id/costs', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator', 'viewer');
    const tid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, (tx) => loadCostRules(tx, p, tid));
  });

  r.put('/territories/:id/costs', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const tid = parse(id, ctx.params.id, 'id');
    const b = parse(costRulesBody, ctx.request.body);
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      const current = await loadCostRules(tx, p, tid);
      const next = costRulesSchema.parse({
        participation: { ...current.participation, ...b.participation },
        allowance: { ...current.allowance, ...b.allowance },
      });
      await writeCostRules(tx, p, tid, next);
      return loadCostRules(tx, p, tid);
    });
  });

  return r;
}
