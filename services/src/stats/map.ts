import type { Db } from '@comobi/db';

export interface CommuneShapes {
  viewBox: string;
  /** cos(latitude): longitudes are squeezed so that the map is not stretched. */
  xScale: number;
  shapes: { insee: string; name: string; d: string }[];
}

const cache = new Map<string, { at: number; value: Promise<CommuneShapes> }>();
const TTL_MS = 3_600_000;

/** Simplified commune outlines of a territory (or of all territories) as SVG paths, computed once an hour. */
export function communeShapes(db: Db, territoryId: number | null): Promise<CommuneShapes> {
  const key = String(territoryId);
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
  const value = load(db, territoryId);
  cache.set(key, { at: Date.now(), value });
  value.catch(() => cache.delete(key));
  return value;
}

async function load(db: Db, territoryId: number | null): Promise<CommuneShapes> {
  const where = territoryId === null ? 'territory_id IS NOT NULL' : 'territory_id = $1';
  const params = territoryId === null ? [] : [territoryId];
  const [shapes, box] = await Promise.all([
    db.query<{ insee: string; name: string; d: string }>(
      `SELECT insee, name, ST_AsSVG(ST_SimplifyPreserveTopology(geom, 0.003), 0, 4) AS d FROM communes WHERE ${where} ORDER BY insee`,
      params,
    ),
    db.query<{ xmin: number; ymin: number; xmax: number; ymax: number }>(
      `SELECT ST_XMin(e) AS xmin, ST_YMin(e) AS ymin, ST_XMax(e) AS xmax, ST_YMax(e) AS ymax
       FROM (SELECT ST_Extent(geom)::geometry AS e FROM communes WHERE ${where}) x`,
      params,
    ),
  ]);
  const b = box.rows[0];
  if (!b || b.xmin === null) return { viewBox: '0 0 1 1', xScale: 1, shapes: [] };
  const xScale = Math.cos((((b.ymin + b.ymax) / 2) * Math.PI) / 180);
  // ST_AsSVG writes y as -latitude.
  const viewBox = `${(b.xmin * xScale).toFixed(4)} ${(-b.ymax).toFixed(4)} ${((b.xmax - b.xmin) * xScale).toFixed(4)} ${(b.ymax - b.ymin).toFixed(4)}`;
  return { viewBox, xScale, shapes: shapes.rows.filter((s) => s.d) };
}
