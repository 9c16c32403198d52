import type { Db } from '@comobi/db';

export interface PublicTerritory {
  id: number;
  slug: string;
  name: string;
  coordinatorPhone: string | null;
}

export async function listTerritories(db: Db): Promise<PublicTerritory[]> {
  const { rows } = await db.query<{ id: number; slug: string; name: string; coordinator_phone: string | null }>(
    'SELECT id, slug, name, coordinator_phone FROM territories ORDER BY name',
  );
  return rows.map((r) => ({ id: r.id, slug: r.slug, name: r.name, coordinatorPhone: r.coordinator_phone }));
}

export async function territoryBySlug(db: Db, slug: string): Promise<PublicTerritory | null> {
  if (!/^[a-z0-9-]{2,40}$/.test(slug)) return null;
  return (await listTerritories(db)).find((t) => t.slug === slug) ?? null;
}

export interface Commune {
  insee: string;
  name: string;
  lng: number;
  lat: number;
}

const communeCache = new Map<number, { at: number; list: Promise<Commune[]> }>();

/** Communes of a territory, with a point inside each (the place a citizen picks instead of typing coordinates). */
export function communesOf(db: Db, territoryId: number): Promise<Commune[]> {
  const hit = communeCache.get(territoryId);
  if (hit && Date.now() - hit.at < 3_600_000) return hit.list;
  const list = db
    .query<{ insee: string; name: string; lng: number; lat: number }>(
      'SELECT insee, name, ST_X(centroid) AS lng, ST_Y(centroid) AS lat FROM communes WHERE territory_id = $1 ORDER BY name, insee',
      [territoryId],
    )
    .then((r) => r.rows.map((c) => ({ ...c, lng: Number(c.lng), lat: Number(c.lat) })));
  communeCache.set(territoryId, { at: Date.now(), list });
  list.catch(() => communeCache.delete(territoryId));
  return list;
}
