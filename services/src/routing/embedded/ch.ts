import type { Graph } from './graph.ts';
import { type Access, NodeHeap } from './search.ts';

/**
 * Contraction hierarchy for many-to-many tables. Nodes are contracted one by one (least "edge difference" first,
 * lazily updated); a shortcut replaces x→u→y when no witness path x→y avoids u. A query then only walks upward:
 * a forward search from each source and a backward search from each destination meet at the highest node of the
 * fastest path. A 100×100 table touches a few hundred nodes per point instead of the whole graph.
 */
export interface UpwardGraph {
  start: Int32Array;
  node: Int32Array;
  durationS: Float64Array;
  distanceM: Float64Array;
}

export interface Hierarchy {
  /** Order of contraction: higher = more important. */
  rank: Int32Array;
  /** At u: arcs u→v (original direction) with rank[v] > rank[u]. */
  up: UpwardGraph;
  /** At u: arcs x→u (original direction) with rank[x] > rank[u], stored as u→x for the backward search. */
  down: UpwardGraph;
  shortcutCount: number;
}

interface Arc {
  durationS: number;
  distanceM: number;
}

/** Witness searches give up after this many settled nodes: a missed witness only adds a needless shortcut. */
const WITNESS_SETTLE_LIMIT = 300;

export function buildHierarchy(graph: Graph): Hierarchy {
  const n = graph.nodeCount;
  const out: Map<number, Arc>[] = Array.from({ length: n }, () => new Map());
  const into: Map<number, Arc>[] = Array.from({ length: n }, () => new Map());
  const addArc = (u: number, v: number, durationS: number, distanceM: number) => {
    if (u === v) return;
    const existing = out[u].get(v);
    if (existing && existing.durationS <= durationS) return;
    const arc = { durationS, distanceM };
    out[u].set(v, arc);
    into[v].set(u, arc);
  };
  const { start, node, durationS, distanceM } = graph.forward;
  for (let u = 0; u < n; u++) {
    for (let a = start[u]; a < start[u + 1]; a++) addArc(u, node[a], durationS[a], distanceM[a]);
  }

  const contracted = new Uint8Array(n);
  const deletedNeighbours = new Int32Array(n);
  const level = new Int32Array(n);
  const rank = new Int32Array(n);

  // Witness search state, reused.
  const dist = new Float64Array(n);
  const seen = new Uint32Array(n);
  let generation = 0;
  const heap = new NodeHeap();

  /** Shortest x→· distances avoiding `skip`, up to `limitS`, over uncontracted nodes. */
  const witness = (x: number, skip: number, limitS: number) => {
    const gen = ++generation;
    heap.clear();
    seen[x] = gen;
    dist[x] = 0;
    heap.push(0, x);
    let settledCount = 0;
    while (heap.length > 0) {
      const key = heap.topKey;
      const u = heap.topNode;
      heap.pop();
      if (key > dist[u]) continue;
      if (key > limitS || ++settledCount > WITNESS_SETTLE_LIMIT) break;
      for (const [v, arc] of out[u]) {
        if (v === skip || contracted[v]) continue;
        const d = key + arc.durationS;
        if (seen[v] !== gen || d < dist[v]) {
          seen[v] = gen;
          dist[v] = d;
          heap.push(d, v);
        }
      }
    }
    return gen;
  };

  /** The shortcuts contracting u needs. */
  const shortcutsFor = (u: number): [number, number, number, number][] => {
    const shortcuts: [number, number, number, number][] = [];
    for (const [x, inArc] of into[u]) {
      if (contracted[x]) continue;
      let limit = 0;
      for (const [y, outArc] of out[u]) {
        if (!contracted[y] && y !== x) limit = Math.max(limit, inArc.durationS + outArc.durationS);
      }
      if (limit === 0) continue;
      const gen = witness(x, u, limit);
      for (const [y, outArc] of out[u]) {
        if (contracted[y] || y === x) continue;
        const via = inArc.durationS + outArc.durationS;
        if (seen[y] === gen && dist[y] <= via) continue;
        shortcuts.push([x, y, via, inArc.distanceM + outArc.distanceM]);
      }
    }
    return shortcuts;
  };

  const priority = (u: number) => {
    let degree = 0;
    for (const x of into[u].keys()) if (!contracted[x]) degree++;
    for (const y of out[u].keys()) if (!contracted[y]) degree++;
    // Edge difference keeps the graph sparse; deleted neighbours and level spread contraction evenly, which
    // keeps upward search spaces small.
    return 2 * (shortcutsFor(u).length - degree) + deletedNeighbours[u] + level[u];
  };

  const queue = new NodeHeap();
  for (let u = 0; u < n; u++) queue.push(priority(u), u);

  const upArcs: [number, number, number, number][] = [];
  const downArcs: [number, number, number, number][] = [];
  let order = 0;
  let shortcutCount = 0;
  while (queue.length > 0) {
    const u = queue.topNode;
    queue.pop();
    if (contracted[u]) continue;
    const p = priority(u);
    if (queue.length > 0 && p > queue.topKey) {
      queue.push(p, u);
      continue;
    }
    const shortcuts = shortcutsFor(u);
    for (const [y, arc] of out[u]) if (!contracted[y]) upArcs.push([u, y, arc.durationS, arc.distanceM]);
    for (const [x, arc] of into[u]) if (!contracted[x]) downArcs.push([u, x, arc.durationS, arc.distanceM]);
    contracted[u] = 1;
    rank[u] = order++;
    for (const x of into[u].keys()) {
      deletedNeighbours[x]++;
      level[x] = Math.max(level[x], level[u] + 1);
    }
    for (const y of out[u].keys()) {
      deletedNeighbours[y]++;
      level[y] = Math.max(level[y], level[u] + 1);
    }
    for (const [x, y, d, m] of shortcuts) addArc(x, y, d, m);
    shortcutCount += shortcuts.length;
  }

  return { rank, up: toUpward(n, upArcs), down: toUpward(n, downArcs), shortcutCount };
}

function toUpward(n: number, arcs: [number, number, number, number][]): UpwardGraph {
  const start = new Int32Array(n + 1);
  for (const [u] of arcs) start[u + 1]++;
  for (let u = 0; u < n; u++) start[u + 1] += start[u];
  const fill = start.slice(0, n);
  const g: UpwardGraph = {
    start,
    node: new Int32Array(arcs.length),
    durationS: new Float64Array(arcs.length),
    distanceM: new Float64Array(arcs.length),
  };
  for (const [u, v, d, m] of arcs) {
    const slot = fill[u]++;
    g.node[slot] = v;
    g.durationS[slot] = d;
    g.distanceM[slot] = m;
  }
  return g;
}

/**
 * Many-to-many on a hierarchy (bucket method): upward backward searches from every destination leave
 * (destination, duration, distance) in a bucket at each node they settle; upward forward searches from every
 * source scan the buckets of the nodes they settle.
 */
export class ManyToMany {
  private readonly dist: Float64Array;
  private readonly distM: Float64Array;
  private readonly seen: Uint32Array;
  private readonly settledList: Int32Array;
  private generation = 0;
  private readonly heap = new NodeHeap();

  constructor(private readonly hierarchy: Hierarchy) {
    const n = hierarchy.rank.length;
    this.dist = new Float64Array(n);
    this.distM = new Float64Array(n);
    this.seen = new Uint32Array(n);
    this.settledList = new Int32Array(n);
  }

  /**
   * Full upward search from several starts; returns how many nodes it settled (in `settledList`). Stall-on-demand:
   * a node reached more cheaply from a higher node (through `opposite`, the arcs coming down into it) is not on a
   * shortest up-path, so it is neither expanded nor reported.
   */
  private upward(g: UpwardGraph, opposite: UpwardGraph, starts: Access[]): number {
    if (this.generation === 0xffffffff) {
      this.generation = 0;
      this.seen.fill(0);
    }
    const gen = ++this.generation;
    const { dist, distM, seen, settledList, heap } = this;
    heap.clear();
    for (const s of starts) {
      if (seen[s.node] === gen && dist[s.node] <= s.durationS) continue;
      seen[s.node] = gen;
      dist[s.node] = s.durationS;
      distM[s.node] = s.distanceM;
      heap.push(s.durationS, s.node);
    }
    let count = 0;
    const { start, node, durationS, distanceM } = g;
    const { start: oStart, node: oNode, durationS: oDurationS } = opposite;
    while (heap.length > 0) {
      const key = heap.topKey;
      const u = heap.topNode;
      heap.pop();
      if (key > dist[u]) continue;
      let stalled = false;
      for (let a = oStart[u]; a < oStart[u + 1]; a++) {
        const x = oNode[a];
        if (seen[x] === gen && dist[x] + oDurationS[a] < key) {
          stalled = true;
          break;
        }
      }
      if (stalled) continue;
      settledList[count++] = u;
      for (let a = start[u]; a < start[u + 1]; a++) {
        const v = node[a];
        const d = key + durationS[a];
        if (seen[v] !== gen || d < dist[v]) {
          seen[v] = gen;
          dist[v] = d;
          distM[v] = distM[u] + distanceM[a];
          heap.push(d, v);
        }
      }
    }
    return count;
  }

  // Buckets, kept between calls: entry k says "destination bucketTarget[k] is bucketS[k] s away from this node".
  private bucketHead = new Int32Array(0);
  private bucketNext = new Int32Array(1024);
  private bucketTarget = new Int32Array(1024);
  private bucketS = new Float64Array(1024);
  private bucketM = new Float64Array(1024);

  private ensureBucketCapacity(capacity: number): void {
    if (capacity <= this.bucketNext.length) return;
    const size = Math.max(capacity, this.bucketNext.length * 2);
    const next = new Int32Array(size);
    next.set(this.bucketNext);
    this.bucketNext = next;
    const target = new Int32Array(size);
    target.set(this.bucketTarget);
    this.bucketTarget = target;
    const s = new Float64Array(size);
    s.set(this.bucketS);
    this.bucketS = s;
    const m = new Float64Array(size);
    m.set(this.bucketM);
    this.bucketM = m;
  }

  /** durationS[i * T + j], distanceM[i * T + j] (Infinity when unreachable). */
  table(sources: Access[][], destinations: Access[][]): { durationS: Float64Array; distanceM: Float64Array } {
    const n = this.hierarchy.rank.length;
    const { up, down } = this.hierarchy;
    const T = destinations.length;
    if (this.bucketHead.length !== n) this.bucketHead = new Int32Array(n);
    const head = this.bucketHead.fill(-1);
    let size = 0;
    for (let j = 0; j < T; j++) {
      const count = this.upward(down, up, destinations[j]);
      this.ensureBucketCapacity(size + count);
      const { bucketNext, bucketTarget, bucketS, bucketM, settledList, dist, distM } = this;
      for (let k = 0; k < count; k++) {
        const u = settledList[k];
        bucketNext[size] = head[u];
        bucketTarget[size] = j;
        bucketS[size] = dist[u];
        bucketM[size] = distM[u];
        head[u] = size++;
      }
    }
    const durationS = new Float64Array(sources.length * T).fill(Infinity);
    const distanceM = new Float64Array(sources.length * T).fill(Infinity);
    const { bucketNext, bucketTarget, bucketS, bucketM, settledList, dist, distM } = this;
    for (let i = 0; i < sources.length; i++) {
      const count = this.upward(up, down, sources[i]);
      const row = i * T;
      for (let k = 0; k < count; k++) {
        const u = settledList[k];
        const du = dist[u];
        const mu = distM[u];
        for (let b = head[u]; b !== -1; b = bucketNext[b]) {
          const d = du + bucketS[b];
          const cell = row + bucketTarget[b];
          if (d < durationS[cell]) {
            durationS[cell] = d;
            distanceM[cell] = mu + bucketM[b];
          }
        }
      }
    }
    return { durationS, distanceM };
  }
}
