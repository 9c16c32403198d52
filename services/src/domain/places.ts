import type { Queryable } from '@comobi/db';
import { pointCols, pointSql, readPoint, type LngLatPoint } from '../geo/sql.ts';
import { badRequest, notFound } from '../http/errors.ts';
import { filterBy, type ListSpec, type Where } from '../http/simple-rest.ts';
import { checkPassengers } from './people.ts';
import { inScope, type Scope } from './scope.ts';

/**
 * Named places coordinators save so that a call needs no address spelt twice: the hospital, the pharmacy, the
 * market, a person's home. They are searched by the gazetteer (geocoding/gazetteer.ts) with the communes. A home is
 * personal data: it names its person and goes with them (privacy/inventory.ts).
 */
export const PLACE_KINDS = ['health', 'pharmacy', 'market', 'shop', 'public_service', 'school', 'station', 'home', 'other'] as const;
export type PlaceKind = (typeof PLACE_KINDS)[number];

export interface PlaceRow {
  id: number;
  territory_id: number;
  name: string;
  kind: PlaceKind;
  address: string | null;
  person_id: number | null;
  point_lng: number;
  point_lat: number;
  commune_insee: string | null;
  commune_name: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface Place {
  id: number;
  territoryId: number;
  name: string;
  kind: PlaceKind;
  address: string | null;
  personId: number | null;
  point: LngLatPoint;
  /** The commune the point lies in (computed, never given). */
  communeInsee: string | null;
  communeName: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface PlaceInput {
  name: string;
  kind: PlaceKind;
  address?: string | null;
  personId?: number | null;
  point: LngLatPoint;
}

const FROM = `FROM places p LEFT JOIN LATERAL (
  SELECT c.insee, c.name FROM communes c WHERE ST_Intersects(c.geom, p.geom) LIMIT 1) c ON true`;
const SELECT = `SELECT p.id, p.territory_id, p.name, p.kind, p.address, p.person_id, ${pointCols('p.geom', 'point')},
  c.insee AS commune_insee, c.name AS commune_name, p.created_at, p.updated_at ${FROM}`;

export const presentPlace = (r: PlaceRow): Place => ({
  id: r.id,
  territoryId: r.territory_id,
  name: r.name,
  kind: r.kind,
  address: r.address,
  personId: r.person_id,
  point: readPoint(r, 'point')!,
  communeInsee: r.commune_insee,
  communeName: r.commune_name,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const placeList: ListSpec = {
  select: SELECT,
  count: 'SELECT count(*)::int AS n FROM places p',
  territoryColumn: 'p.territory_id',
  sortable: { id: 'p.id', name: 'p.name', kind: 'p.kind', createdAt: 'p.created_at', updatedAt: 'p.updated_at' },
  filters: {
    territoryId: filterBy.int('p.territory_id', 'territoryId'),
    kind: filterBy.oneOf('p.kind', 'kind', PLACE_KINDS),
    personId: filterBy.int('p.person_id', 'personId'),
    // Accent-insensitive, as the search: "hopital" finds "Hôpital".
    q: (w: Where, v: unknown) => {
      if (typeof v !== 'string') throw badRequest('filter.q', 'must be text');
      w.add((ph) => `comobi_search_key(p.name || ' ' || coalesce(p.address, '')) LIKE '%' || comobi_search_key(${ph}) || '%'`, v);
    },
  },
  // A name or an address can be a person's.
  personalFilters: ['q'],
};

export async function loadPlace(tx: Queryable, scope: Scope, id: number): Promise<PlaceRow> {
  const { rows } = await tx.query<PlaceRow>(`${SELECT} WHERE p.id = $1`, [id]);
  const row = rows[0];
  if (!row || !inScope(scope, row.territory_id)) throw notFound('place', id);
  return row;
}

/** A home belongs to a person of the same territory; a place of a person is their home. */
async function checkPlace(tx: Queryable, territoryId: number, b: PlaceInput) {
  if (b.kind === 'home' && !b.personId) throw badRequest('personId', 'a home is the home of a person: personId is required');
  if (b.personId) await checkPassengers(tx, [b.personId], territoryId).catch(() => {
    throw badRequest('personId', `no person ${b.personId} in this territory`);
  });
}

/** The one writer of places: a new place, or a change of `placeId`, in the caller's transaction. */
export async function writePlace(tx: Queryable, scope: Scope, territoryId: number, b: PlaceInput, placeId?: number): Promise<number> {
  await checkPlace(tx, territoryId, b);
  const values = [territoryId, b.name, b.kind, b.address ?? null, b.personId ?? null, b.point.lng, b.point.lat];
  if (placeId === undefined) {
    const { rows } = await tx.query<{ id: number }>(
      `INSERT INTO places (territory_id, name, kind, address, person_id, geom)
       VALUES ($1, $2, $3, $4, $5, ${pointSql('$6', '$7')}) RETURNING id`,
      values,
    );
    return rows[0].id;
  }
  await loadPlace(tx, scope, placeId);
  await tx.query(
    `UPDATE places SET territory_id = $1, name = $2, kind = $3, address = $4, person_id = $5, geom = ${pointSql('$6', '$7')},
       updated_at = now() WHERE id = $8`,
    [...values, placeId],
  );
  return placeId;
}

export async function deletePlace(tx: Queryable, scope: Scope, id: number): Promise<PlaceRow> {
  const row = await loadPlace(tx, scope, id);
  await tx.query('DELETE FROM places WHERE id = $1', [id]);
  return row;
}

/** The input a place has now: the base of a partial update. */
export const inputOfPlace = (r: PlaceRow): PlaceInput & { territoryId: number } => ({
  territoryId: r.territory_id,
  name: r.name,
  kind: r.kind,
  address: r.address,
  personId: r.person_id,
  point: readPoint(r, 'point')!,
});
