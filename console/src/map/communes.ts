import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { byName } from '../fr/format.ts';

// Apart from BaseMap.tsx: a list's commune filter needs the communes, not Leaflet.
export interface CommuneFeature {
  type: 'Feature';
  id: string;
  geometry: GeoJSON.Geometry;
  properties: { insee: string; name: string; territoryId: number; centroid: [number, number] };
}
type Communes = { type: 'FeatureCollection'; features: CommuneFeature[] };

const cache = new Map<string, Promise<Communes>>();
/** Commune outlines of the principal's territories (vector layer: the map needs no tile server). */
export function useCommunes(territoryId?: number | null, geometry = true): Communes | null {
  const [data, setData] = useState<Communes | null>(null);
  useEffect(() => {
    const key = `${territoryId ?? ''}|${geometry}`;
    if (!cache.has(key)) {
      const q = new URLSearchParams({ geometry: String(geometry) });
      if (territoryId) q.set('territoryId', String(territoryId));
      // In French alphabetical order for every list built from them (the API's order puts "Béduer" after "Bretenoux").
      const sorted = (c: Communes): Communes => ({ ...c, features: [...c.features].sort((a, b) => byName(a.properties, b.properties)) });
      cache.set(key, api<Communes>(`/api/communes?${q}`).then((r) => sorted(r.json)).catch((e) => { cache.delete(key); throw e; }));
    }
    let live = true;
    cache.get(key)!.then((d) => live && setData(d)).catch(() => live && setData({ type: 'FeatureCollection', features: [] }));
    return () => {
      live = false;
    };
  }, [territoryId, geometry]);
  return data;
}
