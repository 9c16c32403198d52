import type { Queryable } from '@comobi/db';

/**
 * Places made less exact, two ways:
 * - blurred to the centroid of their commune (erasure, retention): commune-level statistics and maps do not change;
 * - truncated as the proof registry truncates the journeys it publishes (api-v3.3, "Open data"): 2 decimals (~700 m)
 *   where the commune is sparsely populated, 3 decimals (~70 m) where it is dense. Used for what leaves to operators
 *   and for the registry declarations kept after an erasure.
 */

/** SQL: the point `col` replaced by the centroid of the commune that holds it (itself when no commune does). */
export const blurSql = (col: string) =>
  `COALESCE((SELECT c.centroid FROM communes c WHERE ST_Intersects(c.geom, ${col}) LIMIT 1), ${col})`;

/**
 * Inhabitants per km² from which a commune counts as dense: INSEE's threshold for a densely populated 1 km² cell
 * (grille communale de densité). The registry does not publish its own figure.
 */
export const DENSE_PER_KM2 = 1500;

/** SQL: the decimals kept for the point (lng, lat): 3 in a dense commune, 2 elsewhere (and outside any commune). */
export const decimalsSql = (lng: string, lat: string) =>
  `COALESCE((SELECT CASE WHEN c.population / NULLIF(ST_Area(c.geom::geography) / 1e6, 0) >= ${DENSE_PER_KM2} THEN 3 ELSE 2 END
     FROM communes c WHERE ST_Intersects(c.geom, ST_SetSRID(ST_MakePoint((${lng})::float8, (${lat})::float8), 4326)) LIMIT 1), 2)`;

/** SQL: a number truncated (not rounded, as the registry does: the true point lies in the cell the value names). */
export const truncateSql = (expr: string, decimals: number | string) => `trunc((${expr})::numeric, ${decimals})`;

/** SQL: the point geometry `col` truncated by the rule above. */
export const coarsePointSql = (col: string) => {
  const d = decimalsSql(`ST_X(${col})`, `ST_Y(${col})`);
  return `ST_SetSRID(ST_MakePoint(${truncateSql(`ST_X(${col})`, d)}::float8, ${truncateSql(`ST_Y(${col})`, d)}::float8), 4326)`;
};

export interface Coarse {
  lat: number;
  lng: number;
}

/** Each point truncated to the precision its commune's density allows (one query for all). */
export async function coarsenPoints(db: Queryable, points: { lat: number; lng: number }[]): Promise<Coarse[]> {
  if (!points.length) return [];
  const { rows } = await db.query<{ lng: number; lat: number }>(
    `SELECT ST_X(c.p) AS lng, ST_Y(c.p) AS lat FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS x(lng, lat, i),
       LATERAL (SELECT ${coarsePointSql('ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326)')} AS p) c
     ORDER BY x.i`,
    [points.map((p) => p.lng), points.map((p) => p.lat)],
  );
  return rows.map((r) => ({ lat: Number(r.lat), lng: Number(r.lng) }));
}
