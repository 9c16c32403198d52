import { createHash } from 'node:crypto';
import path from 'node:path';
import type Router from '@koa/router';
import { z } from 'zod';
import { assertTerritory, principalOf } from '../auth/principal.ts';
import type { Services } from '../context.ts';
import { asPrincipal } from '../auth/scope.ts';
import { parse } from '../http/validate.ts';
import { RoadLayer, roadFeatures } from './road-layer.ts';

const query = z.object({
  territoryId: z.coerce.number().int().positive().optional(),
  q: z.string().max(100).optional(),
  /** "false": names and centroids only (pickers); otherwise outlines simplified to about `simplify` degrees. */
  geometry: z.enum(['true', 'false']).default('true'),
  simplify: z.coerce.number().min(0).max(0.05).default(0.0005),
});

/**
 * Decimals of the outlines' coordinates: the 5th (a metre) only for fine outlines; simplified to 0.001° (about 100 m,
 * what the console's maps ask for) the 4th (about 10 m) is already finer than the outline.
 */
const digitsFor = (simplify: number) => (simplify >= 0.001 ? 4 : 5);

const roadsQuery = z.object({ territoryId: z.coerce.number().int().positive().optional() });
/** Roads a little beyond the territory's edge: the way out of a border commune shows. */
const ROADS_MARGIN_DEG = 0.05;

/**
 * Commune outlines and roads of the principal's territories as GeoJSON: the console's map works offline on these
 * vector layers, raster tiles are optional.
 */
export function mapRoutes(api: Router, s: Services): void {
  const roads = new RoadLayer(s.config.ROAD_NETWORK, path.join(s.config.DATA_DIR, 'router-cache'));
  // Read in the background at start: the first map shown does not wait for the extract.
  setImmediate(() => void roads.load().catch((err) => s.log('console: road layer unavailable', { error: String(err) })));
  /** Answers by territory box and extract: each is built once (a territory's box changes with its communes only). */
  const answers = new Map<string, { etag: string; body: string }>();

  api.get('/map/roads', async (ctx) => {
    const p = principalOf(ctx);
    const q = parse(roadsQuery, ctx.query);
    if (q.territoryId !== undefined) assertTerritory(p, q.territoryId);
    const layer = await roads.load();
    const { rows } = await asPrincipal(s.db, p, (tx) =>
      tx.query<{ x0: number | null; y0: number; x1: number; y1: number }>(
        `SELECT ST_XMin(b) AS x0, ST_YMin(b) AS y0, ST_XMax(b) AS x1, ST_YMax(b) AS y1 FROM (
           SELECT ST_Extent(g)::geometry AS b FROM (
             SELECT boundary AS g FROM territories WHERE boundary IS NOT NULL AND ($1::int IS NULL OR id = $1)
             UNION ALL
             SELECT geom FROM communes WHERE territory_id IS NOT NULL AND ($1::int IS NULL OR territory_id = $1)) x) y`,
        [q.territoryId ?? null],
      ),
    );
    const e = rows[0];
    const box: [number, number, number, number] | null =
      e?.x0 == null ? null : [Number(e.x0) - ROADS_MARGIN_DEG, Number(e.y0) - ROADS_MARGIN_DEG, Number(e.x1) + ROADS_MARGIN_DEG, Number(e.y1) + ROADS_MARGIN_DEG];
    ctx.set('Cache-Control', 'private, max-age=3600');
    if (!layer || !box) {
      // No road network (ROAD_NETWORK=none), or territories without any outline yet: nothing to draw.
      ctx.body = { type: 'FeatureCollection', features: [], attribution: '' };
      return;
    }
    const key = `${layer.etag}|${box.map((x) => x.toFixed(4)).join(',')}`;
    let answer = answers.get(key);
    if (!answer) {
      const etag = `"${createHash('sha256').update(key).digest('base64url').slice(0, 22)}"`;
      answer = { etag, body: JSON.stringify(roadFeatures(layer.lines, box)) };
      if (answers.size > 64) answers.clear();
      answers.set(key, answer);
    }
    ctx.set('ETag', answer.etag);
    if (ctx.get('if-none-match') === answer.etag) {
      ctx.status = 304;
      return;
    }
    ctx.type = 'application/json';
    ctx.body = answer.body;
  });

  api.get('/communes', async (ctx) => {
    const p = principalOf(ctx);
    const q = parse(query, ctx.query);
    if (q.territoryId !== undefined) assertTerritory(p, q.territoryId);
    const withGeom = q.geometry === 'true';
    const { rows } = await asPrincipal(s.db, p, (tx) =>
      tx.query<{ insee: string; name: string; territory_id: number; population: number | null; postal_codes: string[]; clng: number; clat: number; geometry: unknown }>(
        `SELECT insee, name, territory_id, population, postal_codes, ST_X(centroid) AS clng, ST_Y(centroid) AS clat,
           CASE WHEN $4::boolean THEN ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, $3::float8), $5::int)::json END AS geometry
         FROM communes
         WHERE territory_id IS NOT NULL AND ($1::int IS NULL OR territory_id = $1)
           AND ($2::text IS NULL OR name ILIKE '%' || $2 || '%' OR insee = $2 OR $2 = ANY(postal_codes))
         ORDER BY name`,
        [q.territoryId ?? null, q.q?.replace(/[%_\\]/g, (c) => `\\${c}`) ?? null, q.simplify, withGeom, digitsFor(q.simplify)],
      ),
    );
    ctx.set('Cache-Control', 'private, max-age=300');
    ctx.body = {
      type: 'FeatureCollection',
      features: rows.map((r) => ({
        type: 'Feature',
        id: r.insee,
        geometry: r.geometry,
        properties: { insee: r.insee, name: r.name, territoryId: r.territory_id, population: r.population, postalCodes: r.postal_codes, centroid: [Number(r.clng), Number(r.clat)] },
      })),
    };
  });
}
