import type { Queryable } from '@comobi/db';
import { badRequest, conflict, notFound } from '../http/errors.ts';
import { filterBy, type ListSpec } from '../http/simple-rest.ts';
import { rulesSchema, type MatchingRules } from '../matching/rules.ts';
import { inScope, type Scope } from './scope.ts';

export interface TerritoryRow {
  id: number;
  slug: string;
  name: string;
  rules: Partial<MatchingRules> | null;
  coordinator_phone: string | null;
  created_at: Date;
  updated_at: Date;
  boundary: GeoJSONPolygon | null;
}

type GeoJSONPolygon = { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };

export interface Territory {
  id: number;
  slug: string;
  name: string;
  rules: MatchingRules;
  coordinatorPhone: string | null;
  boundary?: GeoJSONPolygon | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface TerritoryInput {
  slug: string;
  name: string;
  boundary?: GeoJSONPolygon | null;
  rules?: Partial<MatchingRules>;
  coordinatorPhone?: string | null;
}

const SELECT = `SELECT id, slug, name, rules, coordinator_phone, created_at, updated_at,
  ST_AsGeoJSON(boundary, 6)::json AS boundary FROM territories`;

export const presentTerritory = (r: TerritoryRow, withBoundary: boolean): Territory => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  rules: rulesSchema.parse(r.rules ?? {}),
  coordinatorPhone: r.coordinator_phone,
  ...(withBoundary ? { boundary: r.boundary } : {}),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const territoryList: ListSpec = {
  select: SELECT,
  count: 'SELECT count(*)::int AS n FROM territories',
  territoryColumn: 'id',
  sortable: { id: 'id', name: 'name', slug: 'slug', createdAt: 'created_at' },
  filters: { q: filterBy.text('name', 'q'), slug: filterBy.text('slug', 'slug') },
};

export async function loadTerritory(tx: Queryable, scope: Scope, id: number): Promise<TerritoryRow> {
  if (!inScope(scope, id)) throw notFound('territory', id);
  const { rows } = await tx.query<TerritoryRow>(`${SELECT} WHERE id = $1`, [id]);
  if (!rows[0]) throw notFound('territory', id);
  return rows[0];
}

/** A boundary PostGIS would store but could not compute with (self-intersections…) is refused with the reason. */
async function checkBoundary(tx: Queryable, boundary: unknown) {
  if (!boundary) return;
  const { rows } = await tx.query<{ valid: boolean; reason: string }>(
    'SELECT ST_IsValid(g) AS valid, ST_IsValidReason(g) AS reason FROM ST_GeomFromGeoJSON($1) g',
    [JSON.stringify(boundary)],
  );
  if (!rows[0].valid) throw badRequest('boundary', `invalid polygon: ${rows[0].reason}`);
}

export async function createTerritory(tx: Queryable, b: TerritoryInput): Promise<number> {
  await checkBoundary(tx, b.boundary);
  const { rows } = await tx.query<{ id: number }>(
    `INSERT INTO territories (slug, name, boundary, rules, coordinator_phone)
     VALUES ($1, $2, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($3), 4326)), $4, $5) RETURNING id`,
    [b.slug, b.name, b.boundary ? JSON.stringify(b.boundary) : null, JSON.stringify(b.rules ?? {}), b.coordinatorPhone ?? null],
  );
  return rows[0].id;
}

/** Only the fields given change. */
export async function updateTerritory(tx: Queryable, id: number, b: Partial<TerritoryInput>) {
  await checkBoundary(tx, b.boundary);
  const { rows } = await tx.query(
    `UPDATE territories SET slug = COALESCE($2, slug), name = COALESCE($3, name),
     boundary = CASE WHEN $4::boolean THEN ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($5), 4326)) ELSE boundary END,
     rules = COALESCE($6::jsonb, rules), coordinator_phone = CASE WHEN $7::boolean THEN $8 ELSE coordinator_phone END,
     updated_at = now()
     WHERE id = $1 RETURNING id`,
    [
      id,
      b.slug ?? null,
      b.name ?? null,
      b.boundary !== undefined,
      b.boundary ? JSON.stringify(b.boundary) : null,
      b.rules ? JSON.stringify(b.rules) : null,
      b.coordinatorPhone !== undefined,
      b.coordinatorPhone ?? null,
    ],
  );
  if (!rows[0]) throw notFound('territory', id);
}

/** A territory that has people, trips or requests keeps them (statistics, history): it cannot be deleted. */
export async function deleteTerritory(tx: Queryable, scope: Scope, id: number): Promise<TerritoryRow> {
  const row = await loadTerritory(tx, scope, id);
  const { rows } = await tx.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM people WHERE territory_id = $1) + (SELECT count(*) FROM requests WHERE territory_id = $1)
       + (SELECT count(*) FROM trips WHERE territory_id = $1) AS n`,
    [id],
  );
  if (Number(rows[0].n) > 0)
    throw conflict('this territory has people, trips or requests: they and their statistics are kept', 'id');
  await tx.query('DELETE FROM territories WHERE id = $1', [id]);
  return row;
}

export interface CommuneFeature {
  insee: string;
  name: string;
  population: number | null;
  geometry: unknown;
}

/** Communes of a territory, from their official outlines; one already known is left as it is. */
export async function addCommunes(tx: Queryable, territoryId: number, communes: CommuneFeature[]) {
  await tx.query(
    `INSERT INTO communes (insee, name, territory_id, population, geom, centroid)
     SELECT c.insee, c.name, $1, c.population, g, ST_PointOnSurface(g)
     FROM jsonb_to_recordset($2::jsonb) AS c(insee text, name text, population int, geometry jsonb),
          LATERAL (SELECT ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(c.geometry), 4326)) AS g) x
     ON CONFLICT (insee) DO NOTHING`,
    [territoryId, JSON.stringify(communes)],
  );
}
