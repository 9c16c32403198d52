import RBush from 'rbush';
import type { LngLat } from '../types.ts';
import { haversineM, metresPerDegree } from '../../geo/sphere.ts';
import type { Graph } from './graph.ts';

/** Where a point lands on the network: on edge `edge`, `offsetM` metres from its start along its shape. */
export interface Snap {
  edge: number;
  offsetM: number;
  location: LngLat;
  /** Straight-line metres from the input point to `location`. */
  distanceM: number;
}

interface SegmentItem {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  edge: number;
  /** Index of the segment's first shape point in geomLng/geomLat. */
  point: number;
}

/**
 * Strongly connected components (iterative Tarjan) over the forward arcs: returns each node's component size.
 * Like OSRM's "tiny components", points are not snapped to roads a car could enter but never leave (or the reverse),
 * e.g. a one-way stub cut by the extract's border.
 */
export function componentSizes(graph: Graph): Int32Array {
  const n = graph.nodeCount;
  const { start, node } = graph.forward;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  const callNode = new Int32Array(n);
  const callArc = new Int32Array(n);
  const component = new Int32Array(n);
  const sizes: number[] = [];
  let sp = 0;
  let next = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    callNode[0] = root;
    callArc[0] = start[root];
    index[root] = low[root] = next++;
    stack[sp++] = root;
    onStack[root] = 1;
    while (depth >= 0) {
      const u = callNode[depth];
      if (callArc[depth] < start[u + 1]) {
        const v = node[callArc[depth]++];
        if (index[v] === -1) {
          index[v] = low[v] = next++;
          stack[sp++] = v;
          onStack[v] = 1;
          depth++;
          callNode[depth] = v;
          callArc[depth] = start[v];
        } else if (onStack[v]) {
          low[u] = Math.min(low[u], index[v]);
        }
        continue;
      }
      if (low[u] === index[u]) {
        const id = sizes.length;
        let size = 0;
        let w: number;
        do {
          w = stack[--sp];
          onStack[w] = 0;
          component[w] = id;
          size++;
        } while (w !== u);
        sizes.push(size);
      }
      depth--;
      if (depth >= 0) {
        const parent = callNode[depth];
        low[parent] = Math.min(low[parent], low[u]);
      }
    }
  }
  const sizeOf = new Int32Array(n);
  for (let u = 0; u < n; u++) sizeOf[u] = sizes[component[u]];
  return sizeOf;
}

/** Nearest point on the nearest road segment, over an R-tree of segment boxes. */
export class SnapIndex {
  private readonly tree = new RBush<SegmentItem>();
  private readonly segments: number;

  /** Roads in components smaller than this many nodes (or than the largest one, if smaller) are not snapped to. */
  constructor(private readonly graph: Graph, minComponentNodes = 1000) {
    const sizes = componentSizes(graph);
    let largest = 0;
    for (const s of sizes) largest = Math.max(largest, s);
    const minSize = Math.min(minComponentNodes, largest);
    const items: SegmentItem[] = [];
    const { geomLng, geomLat, edgeGeomStart } = graph;
    for (let e = 0; e < graph.edgeCount; e++) {
      if (sizes[graph.edgeFrom[e]] < minSize || sizes[graph.edgeTo[e]] < minSize) continue;
      for (let p = edgeGeomStart[e]; p < edgeGeomStart[e + 1] - 1; p++) {
        items.push({
          minX: Math.min(geomLng[p], geomLng[p + 1]),
          minY: Math.min(geomLat[p], geomLat[p + 1]),
          maxX: Math.max(geomLng[p], geomLng[p + 1]),
          maxY: Math.max(geomLat[p], geomLat[p + 1]),
          edge: e,
          point: p,
        });
      }
    }
    this.tree.load(items);
    this.segments = items.length;
  }

  /** Number of road segments points can snap to. */
  get segmentCount(): number {
    return this.segments;
  }

  nearest([lng, lat]: LngLat): Snap | undefined {
    const { mPerDegLng, mPerDegLat } = metresPerDegree(lat);
    const { geomLng, geomLat } = this.graph;
    let radiusM = 50;
    let exact = false;
    while (radiusM < 4e7) {
      const dLng = radiusM / mPerDegLng;
      const dLat = radiusM / mPerDegLat;
      const candidates = this.tree.search({ minX: lng - dLng, minY: lat - dLat, maxX: lng + dLng, maxY: lat + dLat });
      let best: { item: SegmentItem; t: number; d2: number } | undefined;
      for (const item of candidates) {
        // Project to local metres around the query point; exact enough for picking the nearest segment.
        const ax = (geomLng[item.point] - lng) * mPerDegLng;
        const ay = (geomLat[item.point] - lat) * mPerDegLat;
        const bx = (geomLng[item.point + 1] - lng) * mPerDegLng;
        const by = (geomLat[item.point + 1] - lat) * mPerDegLat;
        const dx = bx - ax;
        const dy = by - ay;
        const len2 = dx * dx + dy * dy;
        const t = len2 > 0 ? Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2)) : 0;
        const x = ax + t * dx;
        const y = ay + t * dy;
        const d2 = x * x + y * y;
        if (!best || d2 < best.d2) best = { item, t, d2 };
      }
      if (best && (exact || Math.sqrt(best.d2) <= radiusM)) return this.toSnap(lng, lat, best.item, best.t);
      if (best) {
        // Something lies in the box but maybe not the nearest: one more search with the radius it proves.
        radiusM = Math.sqrt(best.d2) * 1.001 + 1;
        exact = true;
      } else {
        radiusM *= 4;
      }
    }
    return undefined;
  }

  private toSnap(lng: number, lat: number, item: SegmentItem, t: number): Snap {
    const { geomLng, geomLat, edgeGeomStart } = this.graph;
    let offsetM = 0;
    for (let p = edgeGeomStart[item.edge]; p < item.point; p++) {
      offsetM += haversineM(geomLng[p], geomLat[p], geomLng[p + 1], geomLat[p + 1]);
    }
    const p = item.point;
    offsetM += t * haversineM(geomLng[p], geomLat[p], geomLng[p + 1], geomLat[p + 1]);
    const location: LngLat = [
      geomLng[p] + (geomLng[p + 1] - geomLng[p]) * t,
      geomLat[p] + (geomLat[p + 1] - geomLat[p]) * t,
    ];
    // Guard against rounding: the offset never leaves the edge.
    offsetM = Math.min(Math.max(offsetM, 0), this.graph.edgeLengthM[item.edge]);
    return { edge: item.edge, offsetM, location, distanceM: haversineM(lng, lat, location[0], location[1]) };
  }
}
