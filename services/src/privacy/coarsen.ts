import type { Queryable } from '../db/index.ts';

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

/** Decimals kept for a point: 3 in a dense commune, 2 elsewhere. */
export const decimalsFor = (dense: boolean) => (dense ? 3 : 2);

/** Truncated, not rounded, as the registry does: the true point always lies in the cell the value names. */
export function truncate(value: number, decimals: number): number {
  const f = 10 ** decimals;
  // toFixed first: 44.7 * 100 is 4470.000000000001, whose trunc is right, but 1.15 * 100 is 114.99999999999999.
  return Math.trunc(Number((value * f).toFixed(6))) / f;
}

/** SQL: a number (as jsonb or numeric) truncated to `decimals`. */
export const truncateSql = (expr: string, decimals: number | string) => `trunc((${expr})::numeric, ${decimals})`;

export interface Coarse {
  lat: number;
  lng: number;
}

/** Each point truncated to the precision its commune's density allows (one query for all). */
export async function coarsenPoints(db: Queryable, points: { lat: number; lng: number }[]): Promise<Coarse[]> {
  if (!points.length) return [];
  const { rows } = await db.query<{ i: number; dense: boolean }>(
    `SELECT x.i::int AS i, COALESCE((
       SELECT c.population / NULLIF(ST_Area(c.geom::geography) / 1e6, 0) >= $3
       FROM communes c WHERE c.population IS NOT NULL AND ST_Intersects(c.geom, ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326)) LIMIT 1
     ), false) AS dense
     FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS x(lng, lat, i)`,
    [points.map((p) => p.lng), points.map((p) => p.lat), DENSE_PER_KM2],
  );
  const dense = new Map(rows.map((r) => [r.i - 1, r.dense]));
  return points.map((p, i) => {
    const d = decimalsFor(dense.get(i) ?? false);
    return { lat: truncate(p.lat, d), lng: truncate(p.lng, d) };
  });
}

/** SQL: the decimals kept for the point (lng, lat) by the rule above. */
export const decimalsSql = (lng: string, lat: string) =>
  `COALESCE((SELECT CASE WHEN c.population / NULLIF(ST_Area(c.geom::geography) / 1e6, 0) >= ${DENSE_PER_KM2} THEN 3 ELSE 2 END
     FROM communes c WHERE ST_Intersects(c.geom, ST_SetSRID(ST_MakePoint((${lng})::float8, (${lat})::float8), 4326)) LIMIT 1), 2)`;
