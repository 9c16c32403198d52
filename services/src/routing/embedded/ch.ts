import type { TurnAdjacency } from './graph.ts';
import { type Access, NodeHeap } from './search.ts';

/**
 * Contraction hierarchy for many-to-many tables, over the turn graph (its nodes are arcs, so turn costs are part
 * of every path). Nodes are contracted one by one (least "edge difference" first,
 * lazily updated); a shortcut replaces x→u→y when no witness path x→y avoids u. A query then only walks upward:
 * a forward search from each source and a backward search from each destination meet at the highest node of the
 * fastest path. A 100×100 table touches a few hundred nodes per point instead of the whole graph.
 */
export interface UpwardGraph {
  start: Int32Array;
  node: Int32Array;
  weight: Float64Array;
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
  weight: number;
  durationS: number;
  distanceM: number;
}

/** Witness searches give up after this many settled nodes: a missed witness only adds a needless shortcut. */
const WITNESS_SETTLE_LIMIT = 300;

export function buildHierarchy(n: number, turns: TurnAdjacency): Hierarchy {
  const out: Map<number, Arc>[] = Array.from({ length: n }, () => new Map());
  const into: Map<number, Arc>[] = Array.from({ length: n }, () => new Map());
  const addArc = (u: number, v: number, weight: number, durationS: number, distanceM: number) => {
    if (u === v) return;
    const existing = out[u].get(v);
    if (existing && existing.weight <= weight) return;
    const arc = { weight, durationS, distanceM };
    out[u].set(v, arc);
    into[v].set(u, arc);
  };
  const { start, node, weight, durationS, distanceM } = turns;
  for (let u = 0; u < n; u++) {
    for (let a = start[u]; a < start[u + 1]; a++) addArc(u, node[a], weight[a], durationS[a], distanceM[a]);
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

  const targetStamp = new Uint32Array(n);
  /**
   * Shortest x→· distances avoiding `skip`, up to `limitS`, over uncontracted nodes; stops once `targets` (the
   * targets stamped with this generation) are all settled.
   */
  const witness = (x: number, skip: number, limitS: number, targets: number) => {
    const gen = generation;
    heap.clear();
    seen[x] = gen;
    dist[x] = 0;
    heap.push(0, x);
    let settledCount = 0;
    let targetsLeft = targets;
    while (heap.length > 0 && targetsLeft > 0) {
      const key = heap.topKey;
      const u = heap.topNode;
      heap.pop();
      if (key > dist[u]) continue;
      if (key > limitS || ++settledCount > WITNESS_SETTLE_LIMIT) break;
      if (targetStamp[u] === gen) targetsLeft--;
      for (const [v, arc] of out[u]) {
        if (v === skip || contracted[v]) continue;
        const d = key + arc.weight;
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
  const shortcutsFor = (u: number): Shortcut[] => {
    const shortcuts: Shortcut[] = [];
    for (const [x, inArc] of into[u]) {
      if (contracted[x]) continue;
      let limit = 0;
      let targets = 0;
      const gen = ++generation;
      for (const [y, outArc] of out[u]) {
        if (contracted[y] || y === x) continue;
        limit = Math.max(limit, inArc.weight + outArc.weight);
        targetStamp[y] = gen;
        targets++;
      }
      if (targets === 0) continue;
      witness(x, u, limit, targets);
      for (const [y, outArc] of out[u]) {
        if (contracted[y] || y === x) continue;
        const via = inArc.weight + outArc.weight;
        if (seen[y] === gen && dist[y] <= via) continue;
        shortcuts.push([x, y, via, inArc.durationS + outArc.durationS, inArc.distanceM + outArc.distanceM]);
      }
    }
    return shortcuts;
  };

  const priority = (u: number, shortcutCount = shortcutsFor(u).length) => {
    const degree = into[u].size + out[u].size; // contracted neighbours are removed from these maps
    // Edge difference keeps the graph sparse; deleted neighbours and level spread contraction evenly, which
    // keeps upward search spaces small.
    return 2 * (shortcutCount - degree) + deletedNeighbours[u] + level[u];
  };

  const queue = new NodeHeap();
  for (let u = 0; u < n; u++) queue.push(priority(u), u);

  const upArcs: Shortcut[] = [];
  const downArcs: Shortcut[] = [];
  let order = 0;
  let shortcutCount = 0;
  while (queue.length > 0) {
    const u = queue.topNode;
    queue.pop();
    if (contracted[u]) continue;
    const shortcuts = shortcutsFor(u);
    const p = priority(u, shortcuts.length);
    if (queue.length > 0 && p > queue.topKey) {
      queue.push(p, u);
      continue;
    }
    for (const [y, arc] of out[u]) if (!contracted[y]) upArcs.push([u, y, arc.weight, arc.durationS, arc.distanceM]);
    for (const [x, arc] of into[u]) if (!contracted[x]) downArcs.push([u, x, arc.weight, arc.durationS, arc.distanceM]);
    contracted[u] = 1;
    rank[u] = order++;
    // Forget u in its neighbours' lists, so the remaining graph stays as small as it is.
    for (const x of into[u].keys()) out[x].delete(u);
    for (const y of out[u].keys()) into[y].delete(u);
    for (const x of into[u].keys()) {
      deletedNeighbours[x]++;
      level[x] = Math.max(level[x], level[u] + 1);
    }
    for (const y of out[u].keys()) {
      deletedNeighbours[y]++;
      level[y] = Math.max(level[y], level[u] + 1);
    }
    for (const [x, y, w, d, m] of shortcuts) addArc(x, y, w, d, m);
    shortcutCount += shortcuts.length;
  }

  return { rank, up: toUpward(n, upArcs), down: toUpward(n, downArcs), shortcutCount };
}

/** [from, to, weight, duration, distance] */
type Shortcut = [number, number, number, number, number];

function toUpward(n: number, arcs: Shortcut[]): UpwardGraph {
  const start = new Int32Array(n + 1);
  for (const [u] of arcs) start[u + 1]++;
  for (let u = 0; u < n; u++) start[u + 1] += start[u];
  const fill = start.slice(0, n);
  const g: UpwardGraph = {
    start,
    node: new Int32Array(arcs.length),
    weight: new Float64Array(arcs.length),
    durationS: new Float64Array(arcs.length),
    distanceM: new Float64Array(arcs.length),
  };
  for (const [u, v, w, d, m] of arcs) {
    const slot = fill[u]++;
    g.node[slot] = v;
    g.weight[slot] = w;
    g.durationS[slot] = d;
    g.distanceM[slot] = m;
  }
  return g;
}

/**
 * Many-to-many on a hierarchy (bucket method): upward backward searches from every destination leave
 * (destination, weight, duration, distance) in a bucket at each node they settle; upward forward searches from
 * every source scan the buckets of the nodes they settle.
 */
export class ManyToMany {
  private readonly dist: Float64Array;
  private readonly durS: Float64Array;
  private readonly distM: Float64Array;
  private readonly seen: Uint32Array;
  private readonly settledList: Int32Array;
  private generation = 0;
  private readonly heap = new NodeHeap();

  constructor(private readonly hierarchy: Hierarchy) {
    const n = hierarchy.rank.length;
    this.dist = new Float64Array(n);
    this.durS = new Float64Array(n);
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
    const { dist, durS, distM, seen, settledList, heap } = this;
    heap.clear();
    for (const s of starts) {
      if (seen[s.node] === gen && dist[s.node] <= s.weight) continue;
      seen[s.node] = gen;
      dist[s.node] = s.weight;
      durS[s.node] = s.durationS;
      distM[s.node] = s.distanceM;
      heap.push(s.weight, s.node);
    }
    let count = 0;
    const { start, node, weight, durationS, distanceM } = g;
    const { start: oStart, node: oNode, weight: oWeight } = opposite;
    while (heap.length > 0) {
      const key = heap.topKey;
      const u = heap.topNode;
      heap.pop();
      if (key > dist[u]) continue;
      let stalled = false;
      for (let a = oStart[u]; a < oStart[u + 1]; a++) {
        const x = oNode[a];
        if (seen[x] === gen && dist[x] + oWeight[a] < key) {
          stalled = true;
          break;
        }
      }
      if (stalled) continue;
      settledList[count++] = u;
      for (let a = start[u]; a < start[u + 1]; a++) {
        const v = node[a];
        const d = key + weight[a];
        if (seen[v] !== gen || d < dist[v]) {
          seen[v] = gen;
          dist[v] = d;
          durS[v] = durS[u] + durationS[a];
          distM[v] = distM[u] + distanceM[a];
          heap.push(d, v);
        }
      }
    }
    return count;
  }

  // Buckets, kept between calls: entry k says "destination bucketTarget[k] is bucketW[k] (weight) away from this node".
  private bucketHead = new Int32Array(0);
  private bucketNext = new Int32Array(1024);
  private bucketTarget = new Int32Array(1024);
  private bucketW = new Float64Array(1024);
  private bucketS = new Float64Array(1024);
  private bucketM = new Float64Array(1024);

  private ensureBucketCapacity(capacity: number): void {
    if (capacity <= this.bucketNext.length) return;
    const size = Math.max(capacity, this.bucketNext.length * 2);
    const grow = <T extends Int32Array | Float64Array>(old: T, fresh: T): T => {
      fresh.set(old);
      return fresh;
    };
    this.bucketNext = grow(this.bucketNext, new Int32Array(size));
    this.bucketTarget = grow(this.bucketTarget, new Int32Array(size));
    this.bucketW = grow(this.bucketW, new Float64Array(size));
    this.bucketS = grow(this.bucketS, new Float64Array(size));
    this.bucketM = grow(this.bucketM, new Float64Array(size));
  }

  /**
   * weight, durationS, distanceM [i * T + j] of the least-weight way (Infinity when unreachable). A cell whose
   * source and destination lie on the same edge may come out negative or miss a way around the block: the caller
   * recomputes those (see Searcher).
   */
  table(sources: Access[][], destinations: Access[][]): { weight: Float64Array; durationS: Float64Array; distanceM: Float64Array } {
    const n = this.hierarchy.rank.length;
    const { up, down } = this.hierarchy;
    const T = destinations.length;
    if (this.bucketHead.length !== n) this.bucketHead = new Int32Array(n);
    const head = this.bucketHead.fill(-1);
    let size = 0;
    for (let j = 0; j < T; j++) {
      const count = this.upward(down, up, destinations[j]);
      this.ensureBucketCapacity(size + count);
      const { bucketNext, bucketTarget, bucketW, bucketS, bucketM, settledList, dist, durS, distM } = this;
      for (let k = 0; k < count; k++) {
        const u = settledList[k];
        bucketNext[size] = head[u];
        bucketTarget[size] = j;
        bucketW[size] = dist[u];
        bucketS[size] = durS[u];
        bucketM[size] = distM[u];
        head[u] = size++;
      }
    }
    const cells = sources.length * T;
    const weight = new Float64Array(cells).fill(Infinity);
    const durationS = new Float64Array(cells).fill(Infinity);
    const distanceM = new Float64Array(cells).fill(Infinity);
    const { bucketNext, bucketTarget, bucketW, bucketS, bucketM, settledList, dist, durS, distM } = this;
    for (let i = 0; i < sources.length; i++) {
      const count = this.upward(up, down, sources[i]);
      const row = i * T;
      for (let k = 0; k < count; k++) {
        const u = settledList[k];
        const wu = dist[u];
        for (let b = head[u]; b !== -1; b = bucketNext[b]) {
          const w = wu + bucketW[b];
          const cell = row + bucketTarget[b];
          if (w < weight[cell]) {
            weight[cell] = w;
            durationS[cell] = durS[u] + bucketS[b];
            distanceM[cell] = distM[u] + bucketM[b];
          }
        }
      }
    }
    return { weight, durationS, distanceM };
  }
}
