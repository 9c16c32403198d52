import type { Adjacency, Graph } from './graph.ts';
import { BACKWARD, FORWARD } from './graph.ts';
import type { Snap } from './snap.ts';

/**
 * A way between a snapped point (a "phantom node" in the middle of an edge, as OSRM calls it) and a real node:
 * the part of the edge from the phantom to `node` (outgoing) or from `node` to the phantom (incoming).
 */
export interface Access {
  node: number;
  durationS: number;
  distanceM: number;
}

/** Nodes a car can reach from the phantom without passing another node. */
export function outgoing(graph: Graph, snap: Snap): Access[] {
  const e = snap.edge;
  const lengthM = graph.edgeLengthM[e];
  const secPerM = lengthM > 0 ? graph.edgeDurationS[e] / lengthM : 0;
  const out: Access[] = [];
  const toEndM = lengthM - snap.offsetM;
  if (graph.edgeFlags[e] & FORWARD) out.push({ node: graph.edgeTo[e], durationS: toEndM * secPerM, distanceM: toEndM });
  if (graph.edgeFlags[e] & BACKWARD) out.push({ node: graph.edgeFrom[e], durationS: snap.offsetM * secPerM, distanceM: snap.offsetM });
  return out;
}

/** Nodes from which a car reaches the phantom without passing another node. */
export function incoming(graph: Graph, snap: Snap): Access[] {
  const e = snap.edge;
  const lengthM = graph.edgeLengthM[e];
  const secPerM = lengthM > 0 ? graph.edgeDurationS[e] / lengthM : 0;
  const into: Access[] = [];
  const fromEndM = lengthM - snap.offsetM;
  if (graph.edgeFlags[e] & FORWARD) into.push({ node: graph.edgeFrom[e], durationS: snap.offsetM * secPerM, distanceM: snap.offsetM });
  if (graph.edgeFlags[e] & BACKWARD) into.push({ node: graph.edgeTo[e], durationS: fromEndM * secPerM, distanceM: fromEndM });
  return into;
}

/** Both points on the same edge, the second one ahead in an allowed direction: no node in between. */
export function direct(graph: Graph, from: Snap, to: Snap): Access | undefined {
  if (from.edge !== to.edge) return undefined;
  const e = from.edge;
  const lengthM = graph.edgeLengthM[e];
  const secPerM = lengthM > 0 ? graph.edgeDurationS[e] / lengthM : 0;
  const aheadM = to.offsetM - from.offsetM;
  if (aheadM >= 0 && graph.edgeFlags[e] & FORWARD) return { node: -1, durationS: aheadM * secPerM, distanceM: aheadM };
  if (aheadM <= 0 && graph.edgeFlags[e] & BACKWARD) return { node: -1, durationS: -aheadM * secPerM, distanceM: -aheadM };
  return undefined;
}

/** Binary min-heap of (key, node) in typed arrays; stale entries are skipped on pop instead of decreased. */
export class NodeHeap {
  private keys = new Float64Array(1024);
  private nodes = new Int32Array(1024);
  length = 0;

  clear(): void {
    this.length = 0;
  }

  push(key: number, node: number): void {
    if (this.length === this.keys.length) {
      const keys = new Float64Array(this.length * 2);
      const nodes = new Int32Array(this.length * 2);
      keys.set(this.keys);
      nodes.set(this.nodes);
      this.keys = keys;
      this.nodes = nodes;
    }
    let i = this.length++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent] <= key) break;
      this.keys[i] = this.keys[parent];
      this.nodes[i] = this.nodes[parent];
      i = parent;
    }
    this.keys[i] = key;
    this.nodes[i] = node;
  }

  /** Removes the minimum; read `topKey`/`topNode` before calling. */
  pop(): void {
    const last = --this.length;
    if (last === 0) return;
    const key = this.keys[last];
    const node = this.nodes[last];
    let i = 0;
    const half = last >> 1;
    while (i < half) {
      let child = 2 * i + 1;
      if (child + 1 < last && this.keys[child + 1] < this.keys[child]) child++;
      if (this.keys[child] >= key) break;
      this.keys[i] = this.keys[child];
      this.nodes[i] = this.nodes[child];
      i = child;
    }
    this.keys[i] = key;
    this.nodes[i] = node;
  }

  get topKey(): number {
    return this.keys[0];
  }

  get topNode(): number {
    return this.nodes[0];
  }
}

export interface SearchResult {
  /** Per goal: best duration and its distance (Infinity when unreachable). */
  durationS: Float64Array;
  distanceM: Float64Array;
  /** Per goal: the node through which the best way enters it (-1 when unreachable). */
  viaNode: Int32Array;
}

/**
 * One-to-many Dijkstra over an adjacency (forward graph from a source, or backward graph from a destination).
 * Per-node arrays are allocated once and invalidated by a generation stamp, so a 100-search table allocates nothing
 * per search. The search stops as soon as every node through which a goal can be entered is settled.
 */
export class Searcher {
  private readonly dist: Float64Array;
  private readonly distM: Float64Array;
  /** Arc (edge * 2 + direction) that reached the node; -1 for a start node. */
  readonly parentArc: Int32Array;
  private readonly seen: Uint32Array;
  private readonly settled: Uint32Array;
  private readonly goalHead: Int32Array;
  private readonly goalStamp: Uint32Array;
  private generation = 0;
  private readonly heap = new NodeHeap();

  constructor(nodeCount: number) {
    this.dist = new Float64Array(nodeCount);
    this.distM = new Float64Array(nodeCount);
    this.parentArc = new Int32Array(nodeCount);
    this.seen = new Uint32Array(nodeCount);
    this.settled = new Uint32Array(nodeCount);
    this.goalHead = new Int32Array(nodeCount);
    this.goalStamp = new Uint32Array(nodeCount);
  }

  run(adjacency: Adjacency, starts: Access[], goals: Access[][]): SearchResult {
    const gen = this.nextGeneration();
    const { dist, distM, parentArc, seen, settled, goalHead, goalStamp, heap } = this;
    heap.clear();
    for (const s of starts) {
      if (seen[s.node] === gen && dist[s.node] <= s.durationS) continue;
      seen[s.node] = gen;
      dist[s.node] = s.durationS;
      distM[s.node] = s.distanceM;
      parentArc[s.node] = -1;
      heap.push(s.durationS, s.node);
    }

    // Linked lists of goal entries per node.
    let entryCount = 0;
    for (const g of goals) entryCount += g.length;
    const entryNext = new Int32Array(entryCount);
    const entryGoal = new Int32Array(entryCount);
    const entryDur = new Float64Array(entryCount);
    const entryDist = new Float64Array(entryCount);
    let k = 0;
    let pendingNodes = 0;
    for (let g = 0; g < goals.length; g++) {
      for (const access of goals[g]) {
        const u = access.node;
        if (goalStamp[u] !== gen) {
          goalStamp[u] = gen;
          goalHead[u] = -1;
          pendingNodes++;
        }
        entryGoal[k] = g;
        entryDur[k] = access.durationS;
        entryDist[k] = access.distanceM;
        entryNext[k] = goalHead[u];
        goalHead[u] = k++;
      }
    }

    const result: SearchResult = {
      durationS: new Float64Array(goals.length).fill(Infinity),
      distanceM: new Float64Array(goals.length).fill(Infinity),
      viaNode: new Int32Array(goals.length).fill(-1),
    };
    const { start, node: arcNode, arc: arcCode, durationS: arcDur, distanceM: arcDist } = adjacency;

    while (heap.length > 0 && pendingNodes > 0) {
      const key = heap.topKey;
      const u = heap.topNode;
      heap.pop();
      if (settled[u] === gen || key > dist[u]) continue;
      settled[u] = gen;
      if (goalStamp[u] === gen) {
        pendingNodes--;
        for (let e = goalHead[u]; e !== -1; e = entryNext[e]) {
          const g = entryGoal[e];
          const total = key + entryDur[e];
          if (total < result.durationS[g]) {
            result.durationS[g] = total;
            result.distanceM[g] = distM[u] + entryDist[e];
            result.viaNode[g] = u;
          }
        }
      }
      for (let a = start[u], end = start[u + 1]; a < end; a++) {
        const v = arcNode[a];
        const d = key + arcDur[a];
        if (seen[v] !== gen || d < dist[v]) {
          seen[v] = gen;
          dist[v] = d;
          distM[v] = distM[u] + arcDist[a];
          parentArc[v] = arcCode[a];
          heap.push(d, v);
        }
      }
    }
    return result;
  }

  private nextGeneration(): number {
    if (this.generation === 0xffffffff) {
      this.generation = 0;
      this.seen.fill(0);
      this.settled.fill(0);
      this.goalStamp.fill(0);
    }
    return ++this.generation;
  }
}

/** Arcs from the search's start to `node`, in driving order (forward search only). */
export function pathArcs(graph: Graph, searcher: Searcher, node: number): number[] {
  const arcs: number[] = [];
  for (let u = node, arc = searcher.parentArc[u]; arc !== -1; arc = searcher.parentArc[u]) {
    arcs.push(arc);
    const e = arc >> 1;
    u = arc & 1 ? graph.edgeTo[e] : graph.edgeFrom[e];
  }
  return arcs.reverse();
}
