import fs from 'node:fs';
import path from 'node:path';
import { bnlcRecords, insertAreas } from '../bnlc/import.ts';
import type { Db, Queryable } from '@comobi/db';
import { notFound } from '../http/errors.ts';
import { readOsmRoads } from '../routing/embedded/osm-reader.ts';

/**
 * What a territory attaches once it exists: the national carpool areas in and around it (written), and a check of
 * a road extract against its communes (read only: the service routes on one ROAD_NETWORK or one OSRM for all).
 */

/** Areas just across the boundary are meeting points too (a car park at the neighbouring motorway exit). */
export const BNLC_MARGIN_M = 5_000;

export interface BnlcAttachReport {
  inFile: number;
  inZone: number;
  added: number;
  updated: number;
  /** Known in the zone, absent from the new edition (closed or moved). */
  removed: number;
  ms: number;
}

async function boundedTerritory(tx: Queryable, territoryId: number) {
  const { rows } = await tx.query<{ has: boolean }>('SELECT boundary IS NOT NULL AS has FROM territories WHERE id = $1', [territoryId]);
  if (!rows[0]) throw notFound('territory', territoryId);
  if (!rows[0].has) throw new Error('this territory has no boundary yet: set it up from its communes first');
}

/** The carpool areas of the BNLC within the boundary plus BNLC_MARGIN_M; areas elsewhere are left untouched. */
export async function attachBnlc(db: Db, territoryId: number, csvText: string): Promise<BnlcAttachReport> {
  const t0 = performance.now();
  const records = bnlcRecords(csvText);
  return db.transaction(async (tx) => {
    await boundedTerritory(tx, territoryId);
    // The box test (0.1° is more than the margin at these latitudes) uses the GiST index before the exact distance.
    const { rows: inZone } = await tx.query<{ id: string }>(
      `SELECT x.id FROM jsonb_to_recordset($1::jsonb) AS x(id text, lng float8, lat float8)
         CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326) AS g) p
         JOIN territories t ON t.id = $2
       WHERE ST_Expand(t.boundary, 0.1) && p.g AND ST_DWithin(t.boundary::geography, p.g::geography, $3)`,
      [JSON.stringify(records.map((r) => ({ id: r.id, lng: r.lng, lat: r.lat }))), territoryId, BNLC_MARGIN_M],
    );
    const { rows: before } = await tx.query<{ id: string }>(
      `SELECT c.id FROM carpool_areas c JOIN territories t ON t.id = $1
       WHERE ST_Expand(t.boundary, 0.1) && c.geom AND ST_DWithin(t.boundary::geography, c.geom::geography, $2)`,
      [territoryId, BNLC_MARGIN_M],
    );
    const zone = new Set(inZone.map((r) => r.id));
    const inZoneRecords = records.filter((r) => zone.has(String(r.id)));
    const known = new Set(before.map((r) => r.id));
    await insertAreas(tx, inZoneRecords, true);
    const gone = [...known].filter((id) => !zone.has(id));
    if (gone.length) await tx.query('DELETE FROM carpool_areas WHERE id = ANY($1::text[])', [gone]);
    return {
      inFile: records.length,
      inZone: zone.size,
      added: [...zone].filter((id) => !known.has(id)).length,
      updated: [...zone].filter((id) => known.has(id)).length,
      removed: gone.length,
      ms: performance.now() - t0,
    };
  });
}

export interface RoadsReport {
  ways: number;
  nodes: number;
  communes: number;
  /** Communes whose centre has a car road node within ROAD_REACH_M. */
  covered: number;
  uncovered: { insee: string; name: string }[];
  ms: number;
}

/** A village centre farther than this from any road of the extract is outside it (or the extract lacks its roads). */
export const ROAD_REACH_M = 2_000;

/** How much of the territory an `.osm.pbf` extract covers, commune by commune: before pointing the router at it. */
export async function checkRoads(db: Queryable, territoryId: number, pbfPath: string): Promise<RoadsReport> {
  const t0 = performance.now();
  const { rows: communes } = await db.query<{ insee: string; name: string; lng: number; lat: number }>(
    'SELECT insee, name, ST_X(centroid) AS lng, ST_Y(centroid) AS lat FROM communes WHERE territory_id = $1 ORDER BY insee',
    [territoryId],
  );
  if (!communes.length) throw notFound('territory', territoryId);
  const roads = await readOsmRoads(pbfPath);
  // A grid of occupied cells about 1 km across: a commune is covered when a cell within reach holds a road node.
  const CELL = 0.01;
  const cells = new Set<string>();
  for (const [lng, lat] of roads.nodes.values()) cells.add(`${Math.floor(lng / CELL)}:${Math.floor(lat / CELL)}`);
  const reachLat = ROAD_REACH_M / 111_320;
  const uncovered: RoadsReport['uncovered'] = [];
  for (const c of communes) {
    const lng = Number(c.lng);
    const lat = Number(c.lat);
    const reachLng = reachLat / Math.cos((lat * Math.PI) / 180);
    let hit = false;
    for (let x = Math.floor((lng - reachLng) / CELL); !hit && x <= Math.floor((lng + reachLng) / CELL); x++) {
      for (let y = Math.floor((lat - reachLat) / CELL); !hit && y <= Math.floor((lat + reachLat) / CELL); y++) {
        hit = cells.has(`${x}:${y}`);
      }
    }
    if (!hit) uncovered.push({ insee: c.insee, name: c.name });
  }
  return {
    ways: roads.ways.length,
    nodes: roads.nodes.size,
    communes: communes.length,
    covered: communes.length - uncovered.length,
    uncovered,
    ms: performance.now() - t0,
  };
}

/**
 * Around the boundary, the roads still matter: a trip leaves the territory for the neighbouring town's station or
 * comes back by the main road just outside it. Twice the BNLC margin keeps those detours on the graph.
 */
export const ROAD_MARGIN_M = 10_000;

/**
 * The boundary buffered by ROAD_MARGIN_M, as a GeoJSON Feature `osmium extract --polygon` reads: nothing installed
 * writes `.osm.pbf` in JavaScript (osm-pbf-parser only reads), so the clip itself is osmium's. Simplified to about
 * 100 m, well inside the margin, so the file stays small for a département of hundreds of communes.
 */
export async function writeRoadPolygon(db: Queryable, territoryId: number, file: string): Promise<{ file: string; marginM: number }> {
  const { rows } = await db.query<{ geojson: string | null; slug: string }>(
    `SELECT slug, ST_AsGeoJSON(ST_SimplifyPreserveTopology(ST_Buffer(boundary::geography, $2)::geometry, 0.001), 6) AS geojson
     FROM territories WHERE id = $1`,
    [territoryId, ROAD_MARGIN_M],
  );
  if (!rows[0]) throw notFound('territory', territoryId);
  if (!rows[0].geojson) throw new Error('this territory has no boundary yet: set it up from its communes first');
  const feature = { type: 'Feature', properties: { name: `${rows[0].slug} + ${ROAD_MARGIN_M / 1000} km` }, geometry: JSON.parse(rows[0].geojson) };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(feature));
  return { file, marginM: ROAD_MARGIN_M };
}
