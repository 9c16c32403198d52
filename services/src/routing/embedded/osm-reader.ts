import fs from 'node:fs';
import { createRequire } from 'node:module';
import { carRules, type Tags, type WayRules } from './profile.ts';

/** osm-pbf-parser is CommonJS without types: a transform stream emitting arrays of OSM elements. */
const require = createRequire(import.meta.url);
const parseOsm = require('osm-pbf-parser') as () => NodeJS.ReadWriteStream;

type OsmElement =
  | { type: 'node'; id: number; lat: number; lon: number }
  | { type: 'way'; id: number; tags: Tags; refs: number[] }
  | { type: 'relation'; id: number };

export interface CarWay {
  refs: number[];
  rules: WayRules;
  name: string;
  ref: string;
}

/** What the graph builder needs from an OSM extract: car ways and the coordinates of the nodes they use. */
export interface OsmRoads {
  ways: CarWay[];
  /** OSM node id → [lng, lat]. Only nodes referenced by a car way are kept. */
  nodes: Map<number, [number, number]>;
}

/**
 * Stream a `.osm.pbf` once: car ways are kept with their rules; node coordinates are buffered in typed arrays
 * (an extract stores nodes before ways, so we cannot know yet which ones matter) and filtered at the end.
 */
export async function readOsmRoads(pbfPath: string): Promise<OsmRoads> {
  const ways: CarWay[] = [];
  const nodeIndex = new Map<number, number>();
  let lng = new Float64Array(1 << 16);
  let lat = new Float64Array(1 << 16);
  let count = 0;

  await new Promise<void>((resolve, reject) => {
    const input = fs.createReadStream(pbfPath);
    input.on('error', reject);
    input
      .pipe(parseOsm())
      .on('data', (items: OsmElement[]) => {
        for (const item of items) {
          if (item.type === 'node') {
            if (count === lng.length) {
              const grownLng = new Float64Array(count * 2);
              const grownLat = new Float64Array(count * 2);
              grownLng.set(lng);
              grownLat.set(lat);
              lng = grownLng;
              lat = grownLat;
            }
            lng[count] = item.lon;
            lat[count] = item.lat;
            nodeIndex.set(item.id, count++);
          } else if (item.type === 'way') {
            const rules = carRules(item.tags);
            if (!rules || item.refs.length < 2) continue;
            ways.push({ refs: item.refs, rules, name: item.tags.name ?? '', ref: item.tags.ref ?? '' });
          }
        }
      })
      .on('end', () => resolve())
      .on('error', reject);
  });

  const nodes = new Map<number, [number, number]>();
  for (const way of ways) {
    for (const id of way.refs) {
      if (nodes.has(id)) continue;
      const i = nodeIndex.get(id);
      if (i !== undefined) nodes.set(id, [lng[i], lat[i]]);
    }
  }
  // Clipped extracts reference nodes outside the clip: drop those vertices rather than the whole way.
  for (const way of ways) {
    if (way.refs.some((id) => !nodes.has(id))) way.refs = way.refs.filter((id) => nodes.has(id));
  }
  return { ways: ways.filter((w) => w.refs.length >= 2), nodes };
}
