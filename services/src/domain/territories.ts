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
  postalCodes?: string[];
  geometry: unknown;
}

/** Communes of a territory, from their official outlines; one already known is left as it is. */
export async function addCommunes(tx: Queryable, territoryId: number, communes: CommuneFeature[]) {
  await tx.query(
    `INSERT INTO communes (insee, name, territory_id, population, postal_codes, geom, centroid)
     SELECT c.insee, c.name, $1, c.population, COALESCE(c."postalCodes", '{}'), g, ST_PointOnSurface(g)
     FROM jsonb_to_recordset($2::jsonb) AS c(insee text, name text, population int, "postalCodes" text[], geometry jsonb),
          LATERAL (SELECT ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(c.geometry), 4326)) AS g) x
     ON CONFLICT (insee) DO NOTHING`,
    [territoryId, JSON.stringify(communes)],
  );
}

/** Names of the territories given (null: all), by name: what a console account works on. */
export async function territoryNames(tx: Queryable, ids: number[] | null) {
  const { rows } = await tx.query<{ id: number; slug: string; name: string }>(
    `SELECT id, slug, name FROM territories WHERE $1::int[] IS NULL OR id = ANY($1::int[]) ORDER BY name`,
    [ids],
  );
  return rows;
}

export async function territoryBySlug(tx: Queryable, slug: string): Promise<{ id: number; name: string } | null> {
  const { rows } = await tx.query<{ id: number; name: string }>('SELECT id, name FROM territories WHERE slug = $1', [slug]);
  return rows[0] ?? null;
}

export interface OfficialCommune {
  insee: string;
  name: string;
  population: number | null;
  postalCodes: string[];
  geometry: unknown;
}

export interface CommuneChanges {
  added: { insee: string; name: string }[];
  renamed: { insee: string; from: string; to: string }[];
  /** Outline changed (a new edition of the official file). */
  reshaped: { insee: string; name: string }[];
  removed: { insee: string; name: string }[];
  /** No longer in the file but still referred to by people, trips or requests: kept, in the territory. */
  kept: { insee: string; name: string }[];
  unchanged: number;
}

/** Communes of the file that belong to another territory: a commune is in one territory only. */
export async function communesOfOtherTerritories(tx: Queryable, territoryId: number | null, insee: string[]) {
  const { rows } = await tx.query<{ insee: string; territory: string }>(
    `SELECT c.insee, t.name AS territory FROM communes c JOIN territories t ON t.id = c.territory_id
     WHERE c.insee = ANY($1::text[]) AND ($2::int IS NULL OR c.territory_id <> $2)`,
    [insee, territoryId],
  );
  return rows;
}

/** Outlines PostGIS would store but could not compute with; `i` is the position in the list given. */
export async function invalidOutlines(tx: Queryable, geometries: unknown[]) {
  const { rows } = await tx.query<{ i: number; reason: string }>(
    `SELECT (x.i - 1)::int AS i, ST_IsValidReason(g) AS reason
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(geometry, i),
          LATERAL (SELECT ST_GeomFromGeoJSON(x.geometry) AS g) y
     WHERE NOT ST_IsValid(g) ORDER BY x.i`,
    [JSON.stringify(geometries)],
  );
  return rows;
}

/**
 * Makes the territory's communes those of the official file: new ones added, names and outlines updated, a commune
 * left out removed unless people live there or trips or requests start or end there (then kept, and said so).
 */
export async function syncCommunes(tx: Queryable, territoryId: number, communes: OfficialCommune[]): Promise<CommuneChanges> {
  const json = JSON.stringify(communes);
  const input = `jsonb_to_recordset($2::jsonb) AS c(insee text, name text, population int, "postalCodes" text[], geometry jsonb)`;
  const { rows: diff } = await tx.query<{ insee: string; old_name: string | null; name: string; reshaped: boolean }>(
    `SELECT c.insee, o.name AS old_name, c.name,
       o.insee IS NOT NULL AND NOT ST_Equals(o.geom, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(c.geometry), 4326))) AS reshaped
     FROM ${input} LEFT JOIN communes o ON o.insee = c.insee AND o.territory_id = $1`,
    [territoryId, json],
  );
  // Outlines are written only when they changed: an unchanged re-run rewrites names and figures, not geometries.
  await tx.query(
    `INSERT INTO communes AS o (insee, name, territory_id, population, postal_codes, geom, centroid)
     SELECT c.insee, c.name, $1, c.population, COALESCE(c."postalCodes", '{}'), g, ST_PointOnSurface(g)
     FROM ${input}, LATERAL (SELECT ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(c.geometry), 4326)) AS g) x
     ON CONFLICT (insee) DO UPDATE SET name = EXCLUDED.name, territory_id = EXCLUDED.territory_id,
       population = EXCLUDED.population, postal_codes = EXCLUDED.postal_codes,
       geom = CASE WHEN ST_Equals(o.geom, EXCLUDED.geom) THEN o.geom ELSE EXCLUDED.geom END,
       centroid = CASE WHEN ST_Equals(o.geom, EXCLUDED.geom) THEN o.centroid ELSE EXCLUDED.centroid END`,
    [territoryId, json],
  );
  const { rows: gone } = await tx.query<{ insee: string; name: string; used: boolean }>(
    `SELECT c.insee, c.name,
       EXISTS (SELECT 1 FROM people p WHERE p.commune_insee = c.insee)
       OR EXISTS (SELECT 1 FROM requests r WHERE r.territory_id = $1
                  AND (ST_Intersects(c.geom, r.from_point) OR ST_Intersects(c.geom, r.to_point)))
       OR EXISTS (SELECT 1 FROM trips t WHERE t.territory_id = $1
                  AND (ST_Intersects(c.geom, t.origin) OR ST_Intersects(c.geom, t.destination))) AS used
     FROM communes c WHERE c.territory_id = $1 AND NOT (c.insee = ANY($2::text[])) ORDER BY c.insee`,
    [territoryId, communes.map((c) => c.insee)],
  );
  const removable = gone.filter((g) => !g.used).map((g) => g.insee);
  if (removable.length) await tx.query('DELETE FROM communes WHERE insee = ANY($1::text[])', [removable]);
  const added = diff.filter((d) => d.old_name === null).map((d) => ({ insee: d.insee, name: d.name }));
  const renamed = diff.filter((d) => d.old_name !== null && d.old_name !== d.name).map((d) => ({ insee: d.insee, from: d.old_name!, to: d.name }));
  const reshaped = diff.filter((d) => d.reshaped).map((d) => ({ insee: d.insee, name: d.name }));
  return {
    added,
    renamed,
    reshaped,
    removed: gone.filter((g) => !g.used).map(({ insee, name }) => ({ insee, name })),
    kept: gone.filter((g) => g.used).map(({ insee, name }) => ({ insee, name })),
    unchanged: diff.filter((d) => d.old_name === d.name && !d.reshaped).length,
  };
}

/** The boundary is the union of the territory's communes; true when it changed. */
export async function boundaryFromCommunes(tx: Queryable, territoryId: number): Promise<boolean> {
  const { rows } = await tx.query<{ changed: boolean }>(
    `WITH u AS (SELECT ST_Multi(ST_CollectionExtract(ST_Union(geom), 3)) AS g FROM communes WHERE territory_id = $1),
     old AS (SELECT boundary FROM territories WHERE id = $1)
     UPDATE territories t SET boundary = u.g, updated_at = now() FROM u, old
     WHERE t.id = $1 AND (old.boundary IS NULL OR NOT ST_Equals(old.boundary, u.g))
     RETURNING true AS changed`,
    [territoryId],
  );
  return rows.length > 0;
}
