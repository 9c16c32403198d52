import { bearingDeg, haversineM } from '../../geo/sphere.ts';
import type { OsmRoads } from './osm-reader.ts';
import { RESTRICTED_ENTRY_WEIGHT, turnPenaltyS } from './profile.ts';

/** Edge flags. */
export const FORWARD = 1;
export const BACKWARD = 2;
export const ROUNDABOUT = 4;
/** Destination-only road: entering it from an open road costs RESTRICTED_ENTRY_WEIGHT. */
export const RESTRICTED = 8;

/** Node flags. */
export const BARRIER = 1;
export const TURNING = 2;

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
  /** What the route minimises along the edge: its duration divided by the way's weight factor (≤ 1). */
  edgeWeightS: Float64Array;
  edgeFlags: Uint8Array;
  /** Index into `strings` of the way's `name` and `ref` ('' when missing). */
  edgeName: Int32Array;
  edgeRef: Int32Array;
  /** Edge e's shape is geomLng/geomLat[edgeGeomStart[e] .. edgeGeomStart[e + 1]), from edgeFrom to edgeTo. */
  edgeGeomStart: Int32Array;
  geomLng: Float64Array;
  geomLat: Float64Array;
  strings: string[];
  /** Per arc (edge * 2 + direction): seconds of signals, stops and give-ways on the edge's inner shape points. */
  arcDelayS: Float64Array;
  /** Per node: BARRIER / TURNING flags, and the seconds lost passing it (a signal at an intersection). */
  nodeFlags: Uint8Array;
  nodeDelayS: Float64Array;
  /** Turn restrictions as forbidden arc pairs: arriving by bannedFrom[k], leaving by bannedTo[k]. */
  bannedFrom: Int32Array;
  bannedTo: Int32Array;
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

/**
 * The turn graph (OSRM's "edge-based graph"): its nodes are arcs, a link a→b is the turn from arc a into arc b at
 * the node between them, and costs the turn plus driving all of b. A search value at arc a is "at the end of a".
 * `turns` lists at a the arcs b one may turn into; `turnsBack` lists at b the arcs a one may come from.
 */
export interface TurnAdjacency {
  start: Int32Array;
  node: Int32Array;
  weight: Float64Array;
  durationS: Float64Array;
  distanceM: Float64Array;
}

export interface Graph extends GraphData {
  nodeCount: number;
  edgeCount: number;
  /** Arcs a car may drive out of each node (node graph, for connectivity). */
  forward: Adjacency;
  turns: TurnAdjacency;
  turnsBack: TurnAdjacency;
  /** Every edge touching each node, whatever its direction (to describe intersections in steps). */
  incident: Adjacency;
}

/** Build the graph data from the car ways of an OSM extract. */
export function buildGraphData(roads: OsmRoads): GraphData {
  // A vertex becomes a node when two ways share it, a way passes it twice, a way ends there, or a barrier stands
  // there (a car turns back in front of it).
  const uses = new Map<number, number>();
  for (const way of roads.ways) {
    for (const id of way.refs) uses.set(id, (uses.get(id) ?? 0) + 1);
  }
  const nodeOf = new Map<number, number>();
  const nodeLng: number[] = [];
  const nodeLat: number[] = [];
  const nodeFlags: number[] = [];
  const nodeDelayS: number[] = [];
  const nodeFor = (id: number): number => {
    let n = nodeOf.get(id);
    if (n === undefined) {
      const [lng, lat] = roads.nodes.get(id)!;
      n = nodeLng.push(lng) - 1;
      nodeLat.push(lat);
      const rules = roads.nodeRules.get(id);
      nodeFlags.push((rules?.barrier ? BARRIER : 0) | (rules?.turning ? TURNING : 0));
      nodeDelayS.push(rules?.delayS ?? 0);
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
  const edgeWeightS: number[] = [];
  const edgeFlags: number[] = [];
  const edgeName: number[] = [];
  const edgeRef: number[] = [];
  const edgeGeomStart: number[] = [];
  const geomLng: number[] = [];
  const geomLat: number[] = [];
  const arcDelayS: number[] = [];
  /** OSM way id of each edge, to place turn restrictions. */
  const edgeWay: number[] = [];

  for (const way of roads.ways) {
    const refs = way.refs.filter((id, i) => i === 0 || id !== way.refs[i - 1]);
    if (refs.length < 2) continue;
    const speedMs = way.rules.speedKmh / 3.6;
    const flags =
      (way.rules.forward ? FORWARD : 0) |
      (way.rules.backward ? BACKWARD : 0) |
      (way.rules.roundabout ? ROUNDABOUT : 0) |
      (way.rules.restricted ? RESTRICTED : 0);
    const name = intern(way.name);
    const ref = intern(way.ref);

    let from = nodeFor(refs[0]);
    let shape: [number, number][] = [roads.nodes.get(refs[0])!];
    let lengthM = 0;
    let delayForwardS = 0;
    let delayBackwardS = 0;
    for (let i = 1; i < refs.length; i++) {
      const p = roads.nodes.get(refs[i])!;
      const q = shape[shape.length - 1];
      lengthM += haversineM(q[0], q[1], p[0], p[1]);
      shape.push(p);
      const rules = roads.nodeRules.get(refs[i]);
      const isNode = i === refs.length - 1 || (uses.get(refs[i]) ?? 0) > 1 || rules?.barrier === true;
      if (!isNode) {
        // A signal on a shape point costs its delay to the cars passing it, in its direction when tagged with one.
        if (rules && rules.delayS > 0) {
          if (rules.direction !== 'backward') delayForwardS += rules.delayS;
          if (rules.direction !== 'forward') delayBackwardS += rules.delayS;
        }
        continue;
      }
      const to = nodeFor(refs[i]);
      edgeFrom.push(from);
      edgeTo.push(to);
      edgeLengthM.push(lengthM);
      edgeDurationS.push(lengthM / speedMs);
      edgeWeightS.push(lengthM / speedMs / way.rules.weightFactor);
      edgeFlags.push(flags);
      edgeName.push(name);
      edgeRef.push(ref);
      edgeWay.push(way.id);
      arcDelayS.push(delayForwardS, delayBackwardS);
      edgeGeomStart.push(geomLng.length);
      for (const [lng, lat] of shape) {
        geomLng.push(lng);
        geomLat.push(lat);
      }
      from = to;
      shape = [p];
      lengthM = 0;
      delayForwardS = 0;
      delayBackwardS = 0;
    }
  }
  edgeGeomStart.push(geomLng.length);

  const { bannedFrom, bannedTo } = bannedTurns(roads, nodeOf, edgeFrom, edgeTo, edgeWay);
  return {
    nodeLng: Float64Array.from(nodeLng),
    nodeLat: Float64Array.from(nodeLat),
    edgeFrom: Int32Array.from(edgeFrom),
    edgeTo: Int32Array.from(edgeTo),
    edgeLengthM: Float64Array.from(edgeLengthM),
    edgeDurationS: Float64Array.from(edgeDurationS),
    edgeWeightS: Float64Array.from(edgeWeightS),
    edgeFlags: Uint8Array.from(edgeFlags),
    edgeName: Int32Array.from(edgeName),
    edgeRef: Int32Array.from(edgeRef),
    edgeGeomStart: Int32Array.from(edgeGeomStart),
    geomLng: Float64Array.from(geomLng),
    geomLat: Float64Array.from(geomLat),
    strings,
    arcDelayS: Float64Array.from(arcDelayS),
    nodeFlags: Uint8Array.from(nodeFlags),
    nodeDelayS: Float64Array.from(nodeDelayS),
    bannedFrom: Int32Array.from(bannedFrom),
    bannedTo: Int32Array.from(bannedTo),
  };
}

/**
 * Turn restrictions (via a node) as forbidden (arriving arc, leaving arc) pairs: `no_*` forbids the turns from the
 * `from` way into the `to` way at the via node, `only_*` every other turn from the `from` way there.
 */
function bannedTurns(
  roads: OsmRoads,
  nodeOf: Map<number, number>,
  edgeFrom: number[],
  edgeTo: number[],
  edgeWay: number[],
): { bannedFrom: number[]; bannedTo: number[] } {
  const bannedFrom: number[] = [];
  const bannedTo: number[] = [];
  if (roads.restrictions.length === 0) return { bannedFrom, bannedTo };
  // Arcs leaving each node, with the OSM way they belong to.
  const leaving = new Map<number, number[]>();
  const add = (node: number, arc: number) => {
    const list = leaving.get(node);
    if (list) list.push(arc);
    else leaving.set(node, [arc]);
  };
  for (let e = 0; e < edgeFrom.length; e++) {
    add(edgeFrom[e], e * 2);
    add(edgeTo[e], e * 2 + 1);
  }
  for (const r of roads.restrictions) {
    const via = nodeOf.get(r.viaNode);
    if (via === undefined) continue;
    const out = leaving.get(via) ?? [];
    // Arriving at `via` along the from way = the reverse of an arc of that way leaving `via`.
    const arriving = out.filter((arc) => edgeWay[arc >> 1] === r.fromWay).map((arc) => arc ^ 1);
    for (const a of arriving) {
      for (const b of out) {
        const intoTo = edgeWay[b >> 1] === r.toWay;
        if (r.only ? !intoTo : intoTo) {
          bannedFrom.push(a);
          bannedTo.push(b);
        }
      }
    }
  }
  return { bannedFrom, bannedTo };
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

/** Seconds to drive all of arc `arc` (edge * 2 + direction), and its weight. */
export const arcDurationS = (g: GraphData, arc: number) => g.edgeDurationS[arc >> 1] + g.arcDelayS[arc];
export const arcWeightS = (g: GraphData, arc: number) => g.edgeWeightS[arc >> 1] + g.arcDelayS[arc];
export const arcDrivable = (g: GraphData, arc: number) => (g.edgeFlags[arc >> 1] & (arc & 1 ? BACKWARD : FORWARD)) !== 0;
/** The node an arc leaves from / arrives at. */
export const arcTail = (g: GraphData, arc: number) => (arc & 1 ? g.edgeTo[arc >> 1] : g.edgeFrom[arc >> 1]);
export const arcHead = (g: GraphData, arc: number) => (arc & 1 ? g.edgeFrom[arc >> 1] : g.edgeTo[arc >> 1]);

/** How far along a road its direction is read at an intersection (OSRM reads a "perceived" bearing a few metres on). */
const BEARING_LOOKAHEAD_M = 10;

/** Bearing of the road leaving the tail of `arc`, read about BEARING_LOOKAHEAD_M along its shape. */
export function leavingBearing(g: GraphData, arc: number): number {
  const e = arc >> 1;
  const first = g.edgeGeomStart[e];
  const last = g.edgeGeomStart[e + 1] - 1;
  const step = arc & 1 ? -1 : 1;
  const origin = arc & 1 ? last : first;
  const end = arc & 1 ? first : last;
  const lng0 = g.geomLng[origin];
  const lat0 = g.geomLat[origin];
  let i = origin;
  while (i !== end) {
    i += step;
    if (haversineM(lng0, lat0, g.geomLng[i], g.geomLat[i]) >= BEARING_LOOKAHEAD_M) break;
  }
  return bearingDeg(lng0, lat0, g.geomLng[i], g.geomLat[i]);
}

/** Signed turn angle from arriving by `a` to leaving by `b`, degrees in (-180, 180], positive to the right. */
export function turnAngleDeg(g: GraphData, a: number, b: number): number {
  const arriving = (leavingBearing(g, a ^ 1) + 180) % 360;
  let angle = leavingBearing(g, b) - arriving;
  if (angle > 180) angle -= 360;
  if (angle <= -180) angle += 360;
  return angle;
}

/**
 * The turns a car may take at every node, with their cost (OSRM's edge-based graph): no turn through a barrier or
 * against a turn restriction; a U-turn only at a dead end, in front of a barrier, at a turning circle, or where no
 * other way out exists (as OSRM's `isTurnAllowed`).
 */
function buildTurns(g: GraphData, incident: Adjacency): { turns: TurnAdjacency; turnsBack: TurnAdjacency } {
  const arcCount = g.edgeFrom.length * 2;
  const banned = new Set<number>();
  for (let k = 0; k < g.bannedFrom.length; k++) banned.add(g.bannedFrom[k] * arcCount + g.bannedTo[k]);
  const from: number[] = [];
  const to: number[] = [];
  const weight: number[] = [];
  const duration: number[] = [];
  const nodeCount = g.nodeLng.length;
  for (let v = 0; v < nodeCount; v++) {
    const s = incident.start[v];
    const roadCount = incident.start[v + 1] - s;
    const leaving: number[] = [];
    let arrivingRoads = 0;
    for (let k = s; k < incident.start[v + 1]; k++) {
      const arc = incident.arc[k];
      if (arcDrivable(g, arc)) leaving.push(arc);
      if (arcDrivable(g, arc ^ 1)) arrivingRoads++;
    }
    const barrier = (g.nodeFlags[v] & BARRIER) !== 0;
    const turning = (g.nodeFlags[v] & TURNING) !== 0;
    for (let k = s; k < incident.start[v + 1]; k++) {
      const a = incident.arc[k] ^ 1; // arriving at v
      if (!arcDrivable(g, a)) continue;
      const exits = leaving.filter((b) => !banned.has(a * arcCount + b));
      for (const b of exits) {
        const uTurn = b === (a ^ 1);
        if (uTurn) {
          const allowed = barrier || turning || roadCount === 1 || exits.length === 1 || arrivingRoads <= 1;
          if (!allowed) continue;
        } else if (barrier) {
          continue;
        }
        const turnS = g.nodeDelayS[v] + turnPenaltyS(turnAngleDeg(g, a, b), roadCount, uTurn);
        const entering = (g.edgeFlags[b >> 1] & RESTRICTED) !== 0 && (g.edgeFlags[a >> 1] & RESTRICTED) === 0;
        from.push(a);
        to.push(b);
        duration.push(turnS + arcDurationS(g, b));
        weight.push(turnS + (entering ? RESTRICTED_ENTRY_WEIGHT : 0) + arcWeightS(g, b));
      }
    }
  }
  const csr = (owner: number[], other: number[]): TurnAdjacency => {
    const start = new Int32Array(arcCount + 1);
    for (const u of owner) start[u + 1]++;
    for (let u = 0; u < arcCount; u++) start[u + 1] += start[u];
    const fill = start.slice(0, arcCount);
    const n = owner.length;
    const out: TurnAdjacency = {
      start,
      node: new Int32Array(n),
      weight: new Float64Array(n),
      durationS: new Float64Array(n),
      distanceM: new Float64Array(n),
    };
    for (let i = 0; i < n; i++) {
      const slot = fill[owner[i]]++;
      out.node[slot] = other[i];
      out.weight[slot] = weight[i];
      out.durationS[slot] = duration[i];
      out.distanceM[slot] = g.edgeLengthM[to[i] >> 1];
    }
    return out;
  };
  return { turns: csr(from, to), turnsBack: csr(to, from) };
}

/** Seconds of the turn from arc a into arc b (what the link a→b costs beyond driving b), or undefined if forbidden. */
export function turnDurationS(g: Graph, a: number, b: number): number | undefined {
  const { start, node, durationS } = g.turns;
  for (let k = start[a]; k < start[a + 1]; k++) if (node[k] === b) return durationS[k] - arcDurationS(g, b);
  return undefined;
}

/** Derive the adjacency structures and the turn graph (O(turns)); the cache stores only GraphData. */
export function toGraph(data: GraphData): Graph {
  const nodeCount = data.nodeLng.length;
  const edgeCount = data.edgeFrom.length;
  const empty = () => ({ owner: [] as number[], node: [] as number[], arc: [] as number[], durationS: [] as number[], distanceM: [] as number[] });
  const fwd = empty();
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
    if (flags & FORWARD) push(fwd, a, b, e * 2, e);
    if (flags & BACKWARD) push(fwd, b, a, e * 2 + 1, e);
    push(inc, a, b, e * 2, e);
    push(inc, b, a, e * 2 + 1, e);
  }
  const incident = buildAdjacency(nodeCount, inc);
  return {
    ...data,
    nodeCount,
    edgeCount,
    forward: buildAdjacency(nodeCount, fwd),
    incident,
    ...buildTurns(data, incident),
  };
}
