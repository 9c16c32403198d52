import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readOsmRoads } from '../routing/embedded/osm-reader.ts';

/**
 * The console's offline basemap: the roads of the road network the embedded router reads (ROAD_NETWORK), drawn by
 * class. Read once from the `.osm.pbf` (the same car ways the graph is built from), simplified for the map's zooms,
 * kept in memory and in DATA_DIR/router-cache (keyed by the file's hash), then cut to a territory's box per answer.
 */

/** Drawing classes, main first; a `_link` joins its road's class, anything smaller is `minor`. */
export const ROAD_CLASSES = ['motorway', 'trunk', 'primary', 'secondary', 'tertiary', 'minor'] as const;
export type RoadClass = (typeof ROAD_CLASSES)[number];

export const roadClassOf = (highway: string): RoadClass => {
  const base = highway.replace(/_link$/, '');
  return (ROAD_CLASSES as readonly string[]).includes(base) && base !== 'minor' ? (base as RoadClass) : 'minor';
};

/** About 20 m at the Lot's latitude: invisible at the console's zooms (8 to 14), a third of the vertices gone. */
export const SIMPLIFY_DEG = 0.0002;
const LAYER_VERSION = 1;

export interface RoadLine {
  cls: RoadClass;
  /** [lng, lat] rounded to 5 decimals (about a metre). */
  coords: [number, number][];
  /** Bounding box [minLng, minLat, maxLng, maxLat]. */
  box: [number, number, number, number];
}

/** Douglas–Peucker on [lng, lat] in degrees (iterative: a long way must not overflow the stack). */
export function simplifyLine(points: [number, number][], tolerance: number): [number, number][] {
  if (points.length <= 2) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack: [number, number][] = [[0, points.length - 1]];
  const t2 = tolerance * tolerance;
  while (stack.length) {
    const [a, b] = stack.pop()!;
    const [ax, ay] = points[a];
    const [bx, by] = points[b];
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    let worst = -1;
    let worstD2 = t2;
    for (let i = a + 1; i < b; i++) {
      const [px, py] = points[i];
      let t = len2 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
      t = Math.max(0, Math.min(1, t));
      const ex = ax + t * dx - px;
      const ey = ay + t * dy - py;
      const d2 = ex * ex + ey * ey;
      if (d2 > worstD2) {
        worstD2 = d2;
        worst = i;
      }
    }
    if (worst >= 0) {
      keep[worst] = 1;
      stack.push([a, worst], [worst, b]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

const round5 = (x: number) => Math.round(x * 1e5) / 1e5;

/** The road lines of an extract, simplified. */
export async function readRoadLines(pbfPath: string, tolerance = SIMPLIFY_DEG): Promise<RoadLine[]> {
  const roads = await readOsmRoads(pbfPath);
  const lines: RoadLine[] = [];
  for (const way of roads.ways) {
    const raw = way.refs.map((id) => roads.nodes.get(id)!).filter(Boolean);
    const coords = simplifyLine(raw, tolerance).map(([x, y]) => [round5(x), round5(y)] as [number, number]);
    if (coords.length < 2) continue;
    const box: RoadLine['box'] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const [x, y] of coords) {
      box[0] = Math.min(box[0], x);
      box[1] = Math.min(box[1], y);
      box[2] = Math.max(box[2], x);
      box[3] = Math.max(box[3], y);
    }
    lines.push({ cls: roadClassOf(way.highway), coords, box });
  }
  return lines;
}

export interface RoadFeatureCollection {
  type: 'FeatureCollection';
  features: { type: 'Feature'; geometry: { type: 'MultiLineString'; coordinates: [number, number][][] }; properties: { class: RoadClass; lines: number } }[];
  attribution: string;
}

/**
 * One MultiLineString per class (main roads last, so they are drawn over the small ones): a few SVG paths for the
 * whole network instead of one per way. Lines whose box meets `box` only; every line when it is null.
 */
export function roadFeatures(lines: RoadLine[], box: [number, number, number, number] | null): RoadFeatureCollection {
  const by = new Map<RoadClass, [number, number][][]>();
  for (const l of lines) {
    if (box && (l.box[2] < box[0] || l.box[0] > box[2] || l.box[3] < box[1] || l.box[1] > box[3])) continue;
    let list = by.get(l.cls);
    if (!list) by.set(l.cls, (list = []));
    list.push(l.coords);
  }
  return {
    type: 'FeatureCollection',
    features: [...ROAD_CLASSES]
      .reverse()
      .filter((c) => by.has(c))
      .map((c) => ({ type: 'Feature', geometry: { type: 'MultiLineString', coordinates: by.get(c)! }, properties: { class: c, lines: by.get(c)!.length } })),
    // OSM's attribution may be translated: the French wording, as openstreetmap.fr writes it.
    attribution: '© les contributeurs d’OpenStreetMap (ODbL)',
  };
}

/**
 * The road lines of one extract, read once per process: from DATA_DIR/router-cache when a previous start wrote them
 * for this file, else from the extract. null when there is no readable road network (ROAD_NETWORK=none).
 */
export class RoadLayer {
  private lines?: Promise<{ lines: RoadLine[]; etag: string } | null>;

  constructor(
    private readonly pbfPath: string | null,
    private readonly cacheDir: string | null,
  ) {}

  load(): Promise<{ lines: RoadLine[]; etag: string } | null> {
    this.lines ??= this.read().catch((err) => {
      this.lines = undefined;
      throw err;
    });
    return this.lines;
  }

  private async read(): Promise<{ lines: RoadLine[]; etag: string } | null> {
    const pbf = this.pbfPath;
    if (!pbf || pbf === 'none' || !fs.existsSync(pbf)) return null;
    const sha = createHash('sha256').update(await fs.promises.readFile(pbf)).digest('hex');
    const etag = `"roads-${LAYER_VERSION}-${sha.slice(0, 16)}"`;
    const cacheFile = this.cacheDir ? path.join(this.cacheDir, `roads-v${LAYER_VERSION}-${sha.slice(0, 32)}.json`) : null;
    if (cacheFile) {
      const cached = await fs.promises.readFile(cacheFile, 'utf8').then((t) => JSON.parse(t) as RoadLine[]).catch(() => null);
      if (Array.isArray(cached)) return { lines: cached, etag };
    }
    const lines = await readRoadLines(pbf);
    if (cacheFile) {
      // A cache that cannot be written only costs the next start a read of the extract.
      await fs.promises.mkdir(path.dirname(cacheFile), { recursive: true }).catch(() => undefined);
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      await fs.promises.writeFile(tmp, JSON.stringify(lines)).then(() => fs.promises.rename(tmp, cacheFile)).catch(() => undefined);
    }
    return { lines, etag };
  }
}
