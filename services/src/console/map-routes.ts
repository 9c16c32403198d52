import type Router from '@koa/router';
import { z } from 'zod';
import { assertTerritory, principalOf } from '../auth/principal.ts';
import type { Services } from '../context.ts';
import { asPrincipal } from '../auth/scope.ts';
import { parse } from '../http/validate.ts';

const query = z.object({
  territoryId: z.coerce.number().int().positive().optional(),
  q: z.string().max(100).optional(),
  /** "false": names and centroids only (pickers); otherwise outlines simplified to about `simplify` degrees. */
  geometry: z.enum(['true', 'false']).default('true'),
  simplify: z.coerce.number().min(0).max(0.05).default(0.0005),
});

/**
 * Commune outlines of the principal's territories as GeoJSON: the console's map works offline on these vector
 * layers, raster tiles are optional.
 */
export function mapRoutes(api: Router, s: Services): void {
  api.get('/communes', async (ctx) => {
    const p = principalOf(ctx);
    const q = parse(query, ctx.query);
    if (q.territoryId !== undefined) assertTerritory(p, q.territoryId);
    const withGeom = q.geometry === 'true';
    const { rows } = await asPrincipal(s.db, p, (tx) =>
      tx.query<{ insee: string; name: string; territory_id: number; population: number | null; clng: number; clat: number; geometry: unknown }>(
        `SELECT insee, name, territory_id, population, ST_X(centroid) AS clng, ST_Y(centroid) AS clat,
           CASE WHEN $4::boolean THEN ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, $3::float8), 5)::json END AS geometry
         FROM communes
         WHERE territory_id IS NOT NULL AND ($1::int IS NULL OR territory_id = $1)
           AND ($2::text IS NULL OR name ILIKE '%' || $2 || '%' OR insee = $2)
         ORDER BY name`,
        [q.territoryId ?? null, q.q?.replace(/[%_\\]/g, (c) => `\\${c}`) ?? null, q.simplify, withGeom],
      ),
    );
    ctx.set('Cache-Control', 'private, max-age=300');
    ctx.body = {
      type: 'FeatureCollection',
      features: rows.map((r) => ({
        type: 'Feature',
        id: r.insee,
        geometry: r.geometry,
        properties: { insee: r.insee, name: r.name, territoryId: r.territory_id, population: r.population, centroid: [Number(r.clng), Number(r.clat)] },
      })),
    };
  });
}
