import fs from 'node:fs';
import { createRequire } from 'node:module';
import { carRules, type NodeRules, nodeRules, type Tags, type WayRules } from './profile.ts';

/** osm-pbf-parser is CommonJS without types: a transform stream emitting arrays of OSM elements. */
const require = createRequire(import.meta.url);
const parseOsm = require('osm-pbf-parser') as () => NodeJS.ReadWriteStream;

type OsmElement =
  | { type: 'node'; id: number; lat: number; lon: number; tags?: Tags }
  | { type: 'way'; id: number; tags: Tags; refs: number[] }
  | { type: 'relation'; id: number; tags?: Tags; members?: { type: string; id: number; role: string }[] };

export interface CarWay {
  id: number;
  refs: number[];
  rules: WayRules;
  name: string;
  ref: string;
  /** The OSM `highway` class (the console's basemap draws main roads thicker). */
  highway: string;
}

/** What the graph builder needs from an OSM extract: car ways and the coordinates of the nodes they use. */
export interface OsmRoads {
  ways: CarWay[];
  /** OSM node id → [lng, lat]. Only nodes referenced by a car way are kept. */
  nodes: Map<number, [number, number]>;
  /** OSM node id → its rules, for the nodes that slow or stop a car (signals, stops, barriers). */
  nodeRules: Map<number, NodeRules>;
  restrictions: TurnRestriction[];
}

/** A turn restriction with a via node: `only` forbids every other turn from `fromWay` at `viaNode`. */
export interface TurnRestriction {
  fromWay: number;
  viaNode: number;
  toWay: number;
  only: boolean;
}

const RESTRICTION_EXCEPTIONS = ['motorcar', 'motor_vehicle', 'vehicle'];

/** A car turn restriction (`type=restriction`, or `restriction:motorcar`…), or null. Via-way restrictions are not kept. */
function turnRestriction(item: Extract<OsmElement, { type: 'relation' }>): TurnRestriction | null {
  const tags = item.tags ?? {};
  if (tags.type !== 'restriction' || !item.members) return null;
  const value = tags['restriction:motorcar'] ?? tags['restriction:motor_vehicle'] ?? tags['restriction:vehicle'] ?? tags.restriction;
  if (!value || !/^(no|only)_/.test(value)) return null;
  const except = (tags.except ?? '').split(';').map((s) => s.trim());
  if (RESTRICTION_EXCEPTIONS.some((mode) => except.includes(mode))) return null;
  const from = item.members.filter((m) => m.role === 'from' && m.type === 'way');
  const to = item.members.filter((m) => m.role === 'to' && m.type === 'way');
  const via = item.members.filter((m) => m.role === 'via');
  if (from.length !== 1 || to.length !== 1 || via.length !== 1 || via[0].type !== 'node') return null;
  return { fromWay: from[0].id, viaNode: via[0].id, toWay: to[0].id, only: value.startsWith('only_') };
}

/**
 * Stream a `.osm.pbf` once: car ways are kept with their rules; node coordinates are buffered in typed arrays
 * (an extract stores nodes before ways, so we cannot know yet which ones matter) and filtered at the end.
 */
export async function readOsmRoads(pbfPath: string): Promise<OsmRoads> {
  const ways: CarWay[] = [];
  const taggedNodes = new Map<number, NodeRules>();
  const restrictions: TurnRestriction[] = [];
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
            const rules = item.tags ? nodeRules(item.tags) : null;
            if (rules) taggedNodes.set(item.id, rules);
          } else if (item.type === 'way') {
            const rules = carRules(item.tags);
            if (!rules || item.refs.length < 2) continue;
            ways.push({ id: item.id, refs: item.refs, rules, name: item.tags.name ?? '', ref: item.tags.ref ?? '', highway: item.tags.highway ?? '' });
          } else if (item.type === 'relation') {
            const restriction = turnRestriction(item);
            if (restriction) restrictions.push(restriction);
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
  const kept = new Map<number, NodeRules>();
  for (const [id, rules] of taggedNodes) if (nodes.has(id)) kept.set(id, rules);
  return { ways: ways.filter((w) => w.refs.length >= 2), nodes, nodeRules: kept, restrictions };
}
