import { haversineM } from './geo.ts';
import type { OsmRoads } from './osm-reader.ts';

/** Edge flags. */
export const FORWARD = 1;
export const BACKWARD = 2;
export const ROUNDABOUT = 4;

/**
 * The road graph as flat typed arrays (what the cache stores). Nodes are the way vertices that are intersections
 * or way ends; an edge is the stretch of one way between two nodes and keeps its shape points as geometry.
 * An edge is stored once; its flags say in which directions a car may drive it.
 */
export interface GraphData {
  nodeLng: Float64Array;
  nodeLat: Float64Array;
  edgeFrom: Int32Array;
  edgeTo: Int32Array;
  edgeLengthM: Float64Array;
  edgeDurationS: Float64Array;
  edgeFlags: Uint8Array;
  /** Index into `strings` of the way's `name` and `ref` ('' when missing). */
  edgeName: Int32Array;
  edgeRef: Int32Array;
  /** Edge e's shape is geomLng/geomLat[edgeGeomStart[e] .. edgeGeomStart[e + 1]), from edgeFrom to edgeTo. */
  edgeGeomStart: Int32Array;
  geomLng: Float64Array;
  geomLat: Float64Array;
  strings: string[];
}

/**
 * CSR adjacency: the arcs of node u are [start[u], start[u + 1]). An arc walks one edge in one direction and is
 * encoded `edge * 2 + (against the edge's drawing direction ? 1 : 0)`; `node` is the node at the other end.
 */
export interface Adjacency {
  start: Int32Array;
  node: Int32Array;
  arc: Int32Array;
  durationS: Float64Array;
  distanceM: Float64Array;
}

export interface Graph extends GraphData {
  nodeCount: number;
  edgeCount: number;
  /** Arcs a car may drive out of each node. */
  forward: Adjacency;
  /** Arcs a car may drive into each node (the reverse graph, for searches from destinations). */
  backward: Adjacency;
  /** Every edge touching each node, whatever its direction (to describe intersections in steps). */
  incident: Adjacency;
}

/** Build the graph data from the car ways of an OSM extract. */
export function buildGraphData(roads: OsmRoads): GraphData {
  // A vertex becomes a node when two ways share it, a way passes it twice, or a way ends there.
  const uses = new Map<number, number>();
  for (const way of roads.ways) {
    for (const id of way.refs) uses.set(id, (uses.get(id) ?? 0) + 1);
  }
  const nodeOf = new Map<number, number>();
  const nodeLng: number[] = [];
  const nodeLat: number[] = [];
  const nodeFor = (id: number): number => {
    let n = nodeOf.get(id);
    if (n === undefined) {
      const [lng, lat] = roads.nodes.get(id)!;
      n = nodeLng.push(lng) - 1;
      nodeLat.push(lat);
      nodeOf.set(id, n);
    }
    return n;
  };

  const strings: string[] = [''];
  const stringIndex = new Map<string, number>([['', 0]]);
  const intern = (s: string) => {
    let i = stringIndex.get(s);
    if (i === undefined) {
      i = strings.push(s) - 1;
      stringIndex.set(s, i);
    }
    return i;
  };

  const edgeFrom: number[] = [];
  const edgeTo: number[] = [];
  const edgeLengthM: number[] = [];
  const edgeDurationS: number[] = [];
  const edgeFlags: number[] = [];
  const edgeName: number[] = [];
  const edgeRef: number[] = [];
  const edgeGeomStart: number[] = [];
  const geomLng: number[] = [];
  const geomLat: number[] = [];

  for (const way of roads.ways) {
    const refs = way.refs.filter((id, i) => i === 0 || id !== way.refs[i - 1]);
    if (refs.length < 2) continue;
    const speedMs = way.rules.speedKmh / 3.6;
    const flags =
      (way.rules.forward ? FORWARD : 0) | (way.rules.backward ? BACKWARD : 0) | (way.rules.roundabout ? ROUNDABOUT : 0);
    const name = intern(way.name);
    const ref = intern(way.ref);

    let from = nodeFor(refs[0]);
    let shape: [number, number][] = [roads.nodes.get(refs[0])!];
    let lengthM = 0;
    for (let i = 1; i < refs.length; i++) {
      const p = roads.nodes.get(refs[i])!;
      const q = shape[shape.length - 1];
      lengthM += haversineM(q[0], q[1], p[0], p[1]);
      shape.push(p);
      const isNode = i === refs.length - 1 || (uses.get(refs[i]) ?? 0) > 1;
      if (!isNode) continue;
      const to = nodeFor(refs[i]);
      edgeFrom.push(from);
      edgeTo.push(to);
      edgeLengthM.push(lengthM);
      edgeDurationS.push(lengthM / speedMs);
      edgeFlags.push(flags);
      edgeName.push(name);
      edgeRef.push(ref);
      edgeGeomStart.push(geomLng.length);
      for (const [lng, lat] of shape) {
        geomLng.push(lng);
        geomLat.push(lat);
      }
      from = to;
      shape = [p];
      lengthM = 0;
    }
  }
  edgeGeomStart.push(geomLng.length);

  return {
    nodeLng: Float64Array.from(nodeLng),
    nodeLat: Float64Array.from(nodeLat),
    edgeFrom: Int32Array.from(edgeFrom),
    edgeTo: Int32Array.from(edgeTo),
    edgeLengthM: Float64Array.from(edgeLengthM),
    edgeDurationS: Float64Array.from(edgeDurationS),
    edgeFlags: Uint8Array.from(edgeFlags),
    edgeName: Int32Array.from(edgeName),
    edgeRef: Int32Array.from(edgeRef),
    edgeGeomStart: Int32Array.from(edgeGeomStart),
    geomLng: Float64Array.from(geomLng),
    geomLat: Float64Array.from(geomLat),
    strings,
  };
}

/** Counting sort of arcs by their owning node into CSR arrays. */
function buildAdjacency(
  nodeCount: number,
  arcs: { owner: number[]; node: number[]; arc: number[]; durationS: number[]; distanceM: number[] },
): Adjacency {
  const start = new Int32Array(nodeCount + 1);
  for (const u of arcs.owner) start[u + 1]++;
  for (let u = 0; u < nodeCount; u++) start[u + 1] += start[u];
  const fill = start.slice(0, nodeCount);
  const n = arcs.owner.length;
  const adjacency: Adjacency = {
    start,
    node: new Int32Array(n),
    arc: new Int32Array(n),
    durationS: new Float64Array(n),
    distanceM: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const slot = fill[arcs.owner[i]]++;
    adjacency.node[slot] = arcs.node[i];
    adjacency.arc[slot] = arcs.arc[i];
    adjacency.durationS[slot] = arcs.durationS[i];
    adjacency.distanceM[slot] = arcs.distanceM[i];
  }
  return adjacency;
}

/** Derive the adjacency structures (cheap, O(edges)); the cache stores only GraphData. */
export function toGraph(data: GraphData): Graph {
  const nodeCount = data.nodeLng.length;
  const edgeCount = data.edgeFrom.length;
  const empty = () => ({ owner: [] as number[], node: [] as number[], arc: [] as number[], durationS: [] as number[], distanceM: [] as number[] });
  const fwd = empty();
  const bwd = empty();
  const inc = empty();
  const push = (list: ReturnType<typeof empty>, owner: number, node: number, arc: number, e: number) => {
    list.owner.push(owner);
    list.node.push(node);
    list.arc.push(arc);
    list.durationS.push(data.edgeDurationS[e]);
    list.distanceM.push(data.edgeLengthM[e]);
  };
  for (let e = 0; e < edgeCount; e++) {
    const a = data.edgeFrom[e];
    const b = data.edgeTo[e];
    const flags = data.edgeFlags[e];
    if (flags & FORWARD) {
      push(fwd, a, b, e * 2, e);
      push(bwd, b, a, e * 2, e);
    }
    if (flags & BACKWARD) {
      push(fwd, b, a, e * 2 + 1, e);
      push(bwd, a, b, e * 2 + 1, e);
    }
    push(inc, a, b, e * 2, e);
    push(inc, b, a, e * 2 + 1, e);
  }
  return {
    ...data,
    nodeCount,
    edgeCount,
    forward: buildAdjacency(nodeCount, fwd),
    backward: buildAdjacency(nodeCount, bwd),
    incident: buildAdjacency(nodeCount, inc),
  };
}
