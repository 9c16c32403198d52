import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { roadsPath } from '../early.ts';

export type RoadClass = 'motorway' | 'trunk' | 'primary' | 'secondary' | 'tertiary' | 'minor';
export interface Roads {
  type: 'FeatureCollection';
  features: { type: 'Feature'; geometry: GeoJSON.MultiLineString; properties: { class: RoadClass; lines: number } }[];
  attribution: string;
}

/**
 * Main roads thicker and darker, the motorway and trunk roads brick red; the small ones light, so that the network
 * reads without drowning the routes drawn over it (orange detour, blue usual route).
 */
export const ROAD_STYLE: Record<RoadClass, { color: string; weight: number }> = {
  motorway: { color: '#b0503a', weight: 4.5 },
  trunk: { color: '#a45c40', weight: 4 },
  primary: { color: '#8a6c53', weight: 3 },
  secondary: { color: '#b3a391', weight: 1.8 },
  tertiary: { color: '#d0c5b9', weight: 1.2 },
  minor: { color: '#ddd5cc', weight: 0.8 },
};

const cache = new Map<string, Promise<Roads>>();
const empty: Roads = { type: 'FeatureCollection', features: [], attribution: '' };

/** The roads' answer, asked once per territory. */
export function loadRoads(territoryId?: number | null): Promise<Roads> {
  const key = String(territoryId ?? '');
  if (!cache.has(key)) {
    cache.set(key, api<Roads>(roadsPath(territoryId)).then((r) => r.json).catch((e) => { cache.delete(key); throw e; }));
  }
  return cache.get(key)!;
}

/** The roads of the principal's territories (or of one), one MultiLineString per class: a few SVG paths in all. */
export function useRoads(territoryId: number | null | undefined, wanted: boolean): Roads | null {
  const [data, setData] = useState<Roads | null>(null);
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    loadRoads(territoryId).then((d) => live && setData(d)).catch(() => live && setData(empty));
    return () => {
      live = false;
    };
  }, [territoryId, wanted]);
  return data;
}
