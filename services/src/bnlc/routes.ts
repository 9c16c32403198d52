import Router from '@koa/router';
import { z } from 'zod';
import type { Services } from '../context.ts';
import { lat, lng, parse } from '../http/validate.ts';
import { nearestCarpoolAreas } from './nearest.ts';

const query = z.object({
  near: z
    .string({ error: 'expected near=lng,lat' })
    .transform((s) => s.split(',').map(Number))
    .pipe(z.tuple([lng, lat], { error: 'expected near=lng,lat' })),
  radiusM: z.coerce.number().positive().max(50_000).default(5_000),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

/** GET /api/carpool-areas?near=lng,lat&radiusM=&limit=: public places, no personal data, any authenticated role. */
export function carpoolAreaRoutes(s: Services) {
  const r = new Router();
  r.get('/carpool-areas', async (ctx) => {
    const q = parse(query, ctx.query);
    ctx.body = await nearestCarpoolAreas(s.db, [q.near[0], q.near[1]], q.radiusM, q.limit);
  });
  return r;
}
