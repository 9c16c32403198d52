import type Router from '@koa/router';
import { z } from 'zod';
import { assertTerritory, principalOf } from '../auth/principal.ts';
import type { Services } from '../context.ts';
import { asPrincipal } from '../auth/scope.ts';
import { parse } from '../http/validate.ts';

const query = z.object({ territoryId: z.coerce.number().int().positive().optional() });

const countBy = (rows: { k: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.k, r.n]));

/** Counts without any personal data: the dashboard, and all that viewers get. */
export function statsRoutes(api: Router, s: Services): void {
  api.get('/dashboard', async (ctx) => {
    const p = principalOf(ctx);
    const q = parse(query, ctx.query);
    if (q.territoryId !== undefined) assertTerritory(p, q.territoryId);
    const t = q.territoryId ?? null;
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      const by = async (sql: string) => countBy((await tx.query<{ k: string; n: number }>(sql, [t])).rows);
      return {
        requestsByStatus: await by(`SELECT status AS k, count(*)::int AS n FROM requests WHERE $1::int IS NULL OR territory_id = $1 GROUP BY 1`),
        requestsByPurpose: await by(`SELECT purpose AS k, count(*)::int AS n FROM requests WHERE $1::int IS NULL OR territory_id = $1 GROUP BY 1`),
        unservedReasons: await by(`SELECT unserved_reason AS k, count(*)::int AS n FROM requests WHERE status = 'unserved' AND ($1::int IS NULL OR territory_id = $1) GROUP BY 1`),
        matchesByStatus: await by(`SELECT status AS k, count(*)::int AS n FROM matches WHERE $1::int IS NULL OR territory_id = $1 GROUP BY 1`),
        people: await by(`SELECT CASE WHEN is_driver AND is_passenger THEN 'both' WHEN is_driver THEN 'drivers' ELSE 'passengers' END AS k,
                            count(*)::int AS n FROM people WHERE $1::int IS NULL OR territory_id = $1 GROUP BY 1`),
        activeTrips: (await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM trips WHERE active AND ($1::int IS NULL OR territory_id = $1)`, [t])).rows[0].n,
      };
    });
  });
}
