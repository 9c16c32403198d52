import type Router from '@koa/router';
import { z } from 'zod';
import { assertTerritory, principalOf } from '../auth/principal.ts';
import type { Services } from '../context.ts';
import { asPrincipal } from '../auth/scope.ts';
import { parse } from '../http/validate.ts';
import { dashboardCounts } from '../stats/dashboard.ts';

const query = z.object({ territoryId: z.coerce.number().int().positive().optional() });

/** Counts without any personal data: the dashboard, and all that viewers get. */
export function statsRoutes(api: Router, s: Services): void {
  api.get('/dashboard', async (ctx) => {
    const p = principalOf(ctx);
    const q = parse(query, ctx.query);
    if (q.territoryId !== undefined) assertTerritory(p, q.territoryId);
    const t = q.territoryId ?? null;
    ctx.body = await asPrincipal(s.db, p, (tx) => dashboardCounts(tx, q.territoryId ?? null));
  });
}
