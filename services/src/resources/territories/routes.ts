import Router from '@koa/router';
import { z } from 'zod';
import { principalOf, requireRole } from '../../auth/principal.ts';
import type { Services } from '../../context.ts';
import { asPrincipal } from '../../auth/scope.ts';
import {
  createTerritory,
  deleteTerritory,
  loadTerritory,
  presentTerritory,
  territoryList,
  updateTerritory,
  type TerritoryRow,
} from '../../domain/territories.ts';
import { polygonGeoJSON } from '../../geo/sql.ts';
import { listPage } from '../../http/simple-rest.ts';
import { id, parse } from '../../http/validate.ts';
import { rulesSchema } from '../../matching/rules.ts';

const body = z.object({
  slug: z.string().regex(/^[a-z0-9-]{2,40}$/, 'lowercase letters, digits and dashes, 2 to 40'),
  name: z.string().min(1).max(200),
  boundary: polygonGeoJSON.nullable().optional(),
  rules: rulesSchema.partial().strict().optional(),
  coordinatorPhone: z.string().max(40).nullable().optional(),
});

export function territoryRoutes(s: Services) {
  const r = new Router();

  r.get('/territories', async (ctx) => {
    const p = principalOf(ctx);
    const rows = await asPrincipal(s.db, p, (tx) =>
      listPage<TerritoryRow>(ctx, tx, 'territories', territoryList, { territoryIds: p.territoryIds, readsPersonal: false }),
    );
    ctx.body = rows.map((row) => presentTerritory(row, false));
  });

  r.get('/territories/:id', async (ctx) => {
    const p = principalOf(ctx);
    const tid = parse(id, ctx.params.id, 'id');
    ctx.body = presentTerritory(await asPrincipal(s.db, p, (tx) => loadTerritory(tx, p, tid)), true);
  });

  r.post('/territories', async (ctx) => {
    const p = requireRole(ctx, 'admin');
    const b = parse(body, ctx.request.body);
    ctx.status = 201;
    ctx.body = await asPrincipal(s.db, p, async (tx) =>
      presentTerritory(await loadTerritory(tx, p, await createTerritory(tx, b)), true),
    );
  });

  r.put('/territories/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin');
    const tid = parse(id, ctx.params.id, 'id');
    const b = parse(body.partial(), ctx.request.body);
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      await loadTerritory(tx, p, tid);
      await updateTerritory(tx, tid, b);
      return presentTerritory(await loadTerritory(tx, p, tid), true);
    });
  });

  r.delete('/territories/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin');
    const tid = parse(id, ctx.params.id, 'id');
    ctx.body = presentTerritory(await asPrincipal(s.db, p, (tx) => deleteTerritory(tx, p, tid)), false);
  });

  return r;
}
