import type { Queryable } from '@comobi/db';
import type { LngLat } from '../routing/types.ts';

export interface CarpoolArea {
  id: string;
  name: string;
  type: string;
  address: string | null;
  commune: string | null;
  insee: string;
  lng: number;
  lat: number;
  places: number | null;
  placesReducedMobility: number | null;
  lit: boolean | null;
  distanceM: number;
}

/**
 * Open carpool areas of the BNLC within radiusM of a point, nearest first: meeting points to offer beside a
 * door-to-door pickup. The box test uses the GiST index; the distance is on the spheroid.
 */
export async function nearestCarpoolAreas(db: Queryable, at: LngLat, radiusM: number, limit = 5): Promise<CarpoolArea[]> {
  const { rows } = await db.query<
    Omit<CarpoolArea, 'placesReducedMobility' | 'distanceM'> & { places_reduced_mobility: number | null; distance_m: number }
  >(
    `SELECT id, name, type, address, commune, insee, ST_X(geom) AS lng, ST_Y(geom) AS lat, places,
       places_reduced_mobility, lit, ST_Distance(geom::geography, p::geography) AS distance_m
     FROM carpool_areas, ST_SetSRID(ST_MakePoint($1, $2), 4326) AS p
     WHERE open AND ST_DWithin(geom::geography, p::geography, $3)
     ORDER BY geom <-> p, id LIMIT $4`,
    [at[0], at[1], radiusM, limit],
  );
  return rows
    .map((r) => ({
      id: r.id,
      name: r.name,
      type: r.type,
      address: r.address,
      commune: r.commune,
      insee: r.insee,
      lng: Number(r.lng),
      lat: Number(r.lat),
      places: r.places,
      placesReducedMobility: r.places_reduced_mobility,
      lit: r.lit,
      distanceM: Math.round(Number(r.distance_m)),
    }))
    .sort((a, b) => a.distanceM - b.distanceM || a.id.localeCompare(b.id));
}
