import type { Graph, TurnAdjacency } from './graph.ts';
import { arcDrivable, arcDurationS, arcWeightS } from './graph.ts';
import type { Snap } from './snap.ts';

/**
 * A way between a snapped point (a "phantom node" in the middle of an edge, as OSRM calls it) and the turn graph,
 * whose nodes are arcs and whose values are "at the end of the arc". Leaving a phantom: the rest of its edge up to
 * the end, in one direction or the other (`outgoing`). Reaching a phantom: an arc's value minus the part of the arc
 * after the phantom (`incoming`, negative amounts). `weight` is what the search minimises, `durationS` what it reports.
 */
export interface Access {
  node: number;
  weight: number;
  durationS: number;
  distanceM: number;
}

function part(graph: Graph, arc: number, metres: number, sign: 1 | -1): Access {
  const lengthM = graph.edgeLengthM[arc >> 1];
  const f = lengthM > 0 ? metres / lengthM : 0;
  return { node: arc, weight: sign * f * arcWeightS(graph, arc), durationS: sign * f * arcDurationS(graph, arc), distanceM: sign * metres };
}

/** Arcs a car can drive from the phantom, with the part of the edge ahead of it. */
export function outgoing(graph: Graph, snap: Snap): Access[] {
  const e = snap.edge;
  const out: Access[] = [];
  if (arcDrivable(graph, e * 2)) out.push(part(graph, e * 2, graph.edgeLengthM[e] - snap.offsetM, 1));
  if (arcDrivable(graph, e * 2 + 1)) out.push(part(graph, e * 2 + 1, snap.offsetM, 1));
  return out;
}

/** Arcs by which a car reaches the phantom, less the part of the edge beyond it. */
export function incoming(graph: Graph, snap: Snap): Access[] {
  const e = snap.edge;
  const into: Access[] = [];
  if (arcDrivable(graph, e * 2)) into.push(part(graph, e * 2, graph.edgeLengthM[e] - snap.offsetM, -1));
  if (arcDrivable(graph, e * 2 + 1)) into.push(part(graph, e * 2 + 1, snap.offsetM, -1));
  return into;
}

/** Both points on the same edge, the second one ahead in an allowed direction: no turn in between. */
export function direct(graph: Graph, from: Snap, to: Snap): Access | undefined {
  if (from.edge !== to.edge) return undefined;
  const e = from.edge;
  const aheadM = to.offsetM - from.offsetM;
  if (aheadM >= 0 && arcDrivable(graph, e * 2)) return { ...part(graph, e * 2, aheadM, 1), node: -1 };
  if (aheadM <= 0 && arcDrivable(graph, e * 2 + 1)) return { ...part(graph, e * 2 + 1, -aheadM, 1), node: -1 };
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
  /** Per goal: best weight, its duration and distance (Infinity when unreachable). */
  weight: Float64Array;
  durationS: Float64Array;
  distanceM: Float64Array;
  /** Per goal: the arc by which the best way reaches it (-1 when unreachable)... */
  lastArc: Int32Array;
  /** ...and the arc before that one (-1 when `lastArc` is a start arc): walk `parentArc` from it for the rest. */
  prevArc: Int32Array;
}

/**
 * One-to-many Dijkstra over the turn graph (forward `turns` from a source, or backward `turnsBack` from a
 * destination). Per-arc arrays are allocated once and invalidated by a generation stamp, so a 100-search table
 * allocates little per search. The search stops as soon as every arc through which a goal can be reached is settled.
 *
 * A goal behind its start on the same arc (a one-way street, the destination a few metres back) gives a negative
 * value at that arc: the car has to leave and come back. Such a goal is then read when a turn leads into the arc
 * again, and the search goes on until nothing cheaper can come.
 */
export class Searcher {
  private readonly dist: Float64Array;
  private readonly durS: Float64Array;
  private readonly distM: Float64Array;
  /** Arc that reached this arc; -1 for a start arc. */
  readonly parentArc: Int32Array;
  private readonly seen: Uint32Array;
  private readonly settled: Uint32Array;
  private readonly goalHead: Int32Array;
  private readonly goalStamp: Uint32Array;
  private generation = 0;
  private readonly heap = new NodeHeap();

  constructor(arcCount: number) {
    this.dist = new Float64Array(arcCount);
    this.durS = new Float64Array(arcCount);
    this.distM = new Float64Array(arcCount);
    this.parentArc = new Int32Array(arcCount);
    this.seen = new Uint32Array(arcCount);
    this.settled = new Uint32Array(arcCount);
    this.goalHead = new Int32Array(arcCount);
    this.goalStamp = new Uint32Array(arcCount);
  }

  run(adjacency: TurnAdjacency, starts: Access[], goals: Access[][]): SearchResult {
    const gen = this.nextGeneration();
    const { dist, durS, distM, parentArc, seen, settled, goalHead, goalStamp, heap } = this;
    heap.clear();
    for (const s of starts) {
      if (seen[s.node] === gen && dist[s.node] <= s.weight) continue;
      seen[s.node] = gen;
      dist[s.node] = s.weight;
      durS[s.node] = s.durationS;
      distM[s.node] = s.distanceM;
      parentArc[s.node] = -1;
      heap.push(s.weight, s.node);
    }

    // Linked lists of goal entries per arc.
    let entryCount = 0;
    for (const g of goals) entryCount += g.length;
    const entryNext = new Int32Array(entryCount);
    const entryGoal = new Int32Array(entryCount);
    const entryW = new Float64Array(entryCount);
    const entryDur = new Float64Array(entryCount);
    const entryDist = new Float64Array(entryCount);
    /** Entries whose start-arc value was negative: read on turns into the arc, until the heap passes them. */
    const loopEntries: number[] = [];
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
        entryW[k] = access.weight;
        entryDur[k] = access.durationS;
        entryDist[k] = access.distanceM;
        entryNext[k] = goalHead[u];
        goalHead[u] = k++;
      }
    }

    const n = goals.length;
    const result: SearchResult = {
      weight: new Float64Array(n).fill(Infinity),
      durationS: new Float64Array(n).fill(Infinity),
      distanceM: new Float64Array(n).fill(Infinity),
      lastArc: new Int32Array(n).fill(-1),
      prevArc: new Int32Array(n).fill(-1),
    };
    const record = (e: number, w: number, d: number, m: number, arc: number, prev: number) => {
      const g = entryGoal[e];
      if (w < -1e-9 || w >= result.weight[g]) return w < -1e-9;
      result.weight[g] = w;
      result.durationS[g] = d;
      result.distanceM[g] = m;
      result.lastArc[g] = arc;
      result.prevArc[g] = prev;
      return false;
    };
    const loopsPending = () => {
      for (const e of loopEntries) if (heap.topKey + entryW[e] < result.weight[entryGoal[e]]) return true;
      return false;
    };
    const { start, node: arcNode, weight: arcW, durationS: arcDur, distanceM: arcDist } = adjacency;

    while (heap.length > 0 && (pendingNodes > 0 || (loopEntries.length > 0 && loopsPending()))) {
      const key = heap.topKey;
      const u = heap.topNode;
      heap.pop();
      if (settled[u] === gen || key > dist[u]) continue;
      settled[u] = gen;
      if (goalStamp[u] === gen) {
        pendingNodes--;
        for (let e = goalHead[u]; e !== -1; e = entryNext[e]) {
          const negative = record(e, key + entryW[e], durS[u] + entryDur[e], distM[u] + entryDist[e], u, parentArc[u]);
          if (negative) loopEntries.push(e);
        }
      }
      for (let a = start[u], end = start[u + 1]; a < end; a++) {
        const v = arcNode[a];
        const d = key + arcW[a];
        if (loopEntries.length > 0 && goalStamp[v] === gen && parentArc[v] === -1 && settled[v] === gen) {
          // Coming back into a start arc that is also a goal (see above).
          for (let e = goalHead[v]; e !== -1; e = entryNext[e]) {
            record(e, d + entryW[e], durS[u] + arcDur[a] + entryDur[e], distM[u] + arcDist[a] + entryDist[e], v, u);
          }
        }
        if (seen[v] !== gen || d < dist[v]) {
          seen[v] = gen;
          dist[v] = d;
          durS[v] = durS[u] + arcDur[a];
          distM[v] = distM[u] + arcDist[a];
          parentArc[v] = u;
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

/** The arcs of the best way to goal `g` of the last forward search, in driving order (start arc first). */
export function pathArcs(searcher: Searcher, result: SearchResult, g: number): number[] {
  const arcs = [result.lastArc[g]];
  for (let u = result.prevArc[g]; u !== -1; u = searcher.parentArc[u]) arcs.push(u);
  return arcs.reverse();
}
