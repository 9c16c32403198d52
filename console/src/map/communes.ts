import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { communesPath } from '../early.ts';
import { byName } from '../fr/format.ts';

// Apart from BaseMap.tsx: a list's commune filter needs the communes, not Leaflet.
export interface CommuneFeature {
  type: 'Feature';
  id: string;
  geometry: GeoJSON.Geometry;
  properties: { insee: string; name: string; territoryId: number; population: number | null; centroid: [number, number] };
}
type Communes = { type: 'FeatureCollection'; features: CommuneFeature[] };

const cache = new Map<string, Promise<Communes>>();
/** The communes' answer, asked once per territory and kind (outlines or names only). */
export function loadCommunes(territoryId?: number | null, geometry = true): Promise<Communes> {
  const key = `${territoryId ?? ''}|${geometry}`;
  if (!cache.has(key)) {
    // In French alphabetical order for every list built from them (the API's order puts "Béduer" after "Bretenoux").
    const sorted = (c: Communes): Communes => ({ ...c, features: [...c.features].sort((a, b) => byName(a.properties, b.properties)) });
    cache.set(key, api<Communes>(communesPath(territoryId, geometry)).then((r) => sorted(r.json)).catch((e) => { cache.delete(key); throw e; }));
  }
  return cache.get(key)!;
}

/** Commune outlines of the principal's territories (vector layer: the map needs no tile server). */
export function useCommunes(territoryId?: number | null, geometry = true): Communes | null {
  const [data, setData] = useState<Communes | null>(null);
  useEffect(() => {
    let live = true;
    loadCommunes(territoryId, geometry).then((d) => live && setData(d)).catch(() => live && setData({ type: 'FeatureCollection', features: [] }));
    return () => {
      live = false;
    };
  }, [territoryId, geometry]);
  return data;
}
