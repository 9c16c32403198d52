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

/** Witness searches give up after this many settled nodes: a missed witness only adds a needless shortcut. */
const WITNESS_SETTLE_LIMIT = 300;

/**
 * The graph being contracted: per node, its arcs out and in as parallel arrays (faster to scan than maps; degrees
 * stay small). Arcs to contracted nodes are removed, so the lists hold only the remaining graph.
 */
class Remaining {
  readonly outNode: number[][];
  readonly outW: number[][];
  readonly outS: number[][];
  readonly outM: number[][];
  readonly inNode: number[][];
  readonly inW: number[][];
  readonly inS: number[][];
  readonly inM: number[][];

  constructor(n: number) {
    const lists = () => Array.from({ length: n }, () => [] as number[]);
    this.outNode = lists();
    this.outW = lists();
    this.outS = lists();
    this.outM = lists();
    this.inNode = lists();
    this.inW = lists();
    this.inS = lists();
    this.inM = lists();
  }

  /** Add u→v, or lower it when it exists with a higher weight. */
  add(u: number, v: number, w: number, s: number, m: number): void {
    if (u === v) return;
    const i = this.outNode[u].indexOf(v);
    if (i >= 0) {
      if (this.outW[u][i] <= w) return;
      const j = this.inNode[v].indexOf(u);
      this.outW[u][i] = this.inW[v][j] = w;
      this.outS[u][i] = this.inS[v][j] = s;
      this.outM[u][i] = this.inM[v][j] = m;
      return;
    }
    this.outNode[u].push(v);
    this.outW[u].push(w);
    this.outS[u].push(s);
    this.outM[u].push(m);
    this.inNode[v].push(u);
    this.inW[v].push(w);
    this.inS[v].push(s);
    this.inM[v].push(m);
  }

  /** Remove u from its neighbours' lists (u's own lists are kept, to be read). */
  detach(u: number): void {
    const drop = (node: number[][], w: number[][], s: number[][], m: number[][], at: number) => {
      const k = node[at].indexOf(u);
      if (k < 0) return;
      const last = node[at].length - 1;
      node[at][k] = node[at][last];
      w[at][k] = w[at][last];
      s[at][k] = s[at][last];
      m[at][k] = m[at][last];
      node[at].pop();
      w[at].pop();
      s[at].pop();
      m[at].pop();
    };
    for (const x of this.inNode[u]) drop(this.outNode, this.outW, this.outS, this.outM, x);
    for (const y of this.outNode[u]) drop(this.inNode, this.inW, this.inS, this.inM, y);
  }
}

export function buildHierarchy(n: number, turns: TurnAdjacency): Hierarchy {
  const g = new Remaining(n);
  const { start, node, weight, durationS, distanceM } = turns;
  for (let u = 0; u < n; u++) {
    for (let a = start[u]; a < start[u + 1]; a++) g.add(u, node[a], weight[a], durationS[a], distanceM[a]);
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
   * Shortest x→· distances avoiding `skip`, up to `limitS`, over the remaining graph; stops once `targets` (the
   * nodes stamped with the current generation) are all settled.
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
      const vs = g.outNode[u];
      const ws = g.outW[u];
      for (let i = 0; i < vs.length; i++) {
        const v = vs[i];
        if (v === skip) continue;
        const d = key + ws[i];
        if (seen[v] !== gen || d < dist[v]) {
          seen[v] = gen;
          dist[v] = d;
          heap.push(d, v);
        }
      }
    }
  };

  /** The shortcuts contracting u needs. */
  const shortcutsFor = (u: number): Shortcut[] => {
    const shortcuts: Shortcut[] = [];
    const ins = g.inNode[u];
    const outs = g.outNode[u];
    for (let i = 0; i < ins.length; i++) {
      const x = ins[i];
      const inW = g.inW[u][i];
      let limit = 0;
      let targets = 0;
      const gen = ++generation;
      for (let j = 0; j < outs.length; j++) {
        if (outs[j] === x) continue;
        limit = Math.max(limit, inW + g.outW[u][j]);
        targetStamp[outs[j]] = gen;
        targets++;
      }
      if (targets === 0) continue;
      witness(x, u, limit, targets);
      for (let j = 0; j < outs.length; j++) {
        const y = outs[j];
        if (y === x) continue;
        const via = inW + g.outW[u][j];
        if (seen[y] === gen && dist[y] <= via) continue;
        shortcuts.push([x, y, via, g.inS[u][i] + g.outS[u][j], g.inM[u][i] + g.outM[u][j]]);
      }
    }
    return shortcuts;
  };

  const priority = (u: number, shortcutCount = shortcutsFor(u).length) => {
    const degree = g.inNode[u].length + g.outNode[u].length;
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
    g.outNode[u].forEach((y, j) => upArcs.push([u, y, g.outW[u][j], g.outS[u][j], g.outM[u][j]]));
    g.inNode[u].forEach((x, i) => downArcs.push([u, x, g.inW[u][i], g.inS[u][i], g.inM[u][i]]));
    contracted[u] = 1;
    rank[u] = order++;
    for (const x of g.inNode[u]) {
      deletedNeighbours[x]++;
      level[x] = Math.max(level[x], level[u] + 1);
    }
    for (const y of g.outNode[u]) {
      deletedNeighbours[y]++;
      level[y] = Math.max(level[y], level[u] + 1);
    }
    g.detach(u);
    for (const [x, y, w, d, m] of shortcuts) g.add(x, y, w, d, m);
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

  /** One-to-all values (see oneToAll), indexed by position: the highest rank first. */
  private readonly allW: Float64Array;
  private readonly allS: Float64Array;
  private readonly allM: Float64Array;
  /** Node → position, and the sweep graphs (down for forward sweeps, up for backward ones) laid out by position. */
  private readonly position: Int32Array;
  private readonly sweepDown: UpwardGraph;
  private readonly sweepUp: UpwardGraph;

  constructor(private readonly hierarchy: Hierarchy) {
    const n = hierarchy.rank.length;
    this.dist = new Float64Array(n);
    this.durS = new Float64Array(n);
    this.distM = new Float64Array(n);
    this.seen = new Uint32Array(n);
    this.settledList = new Int32Array(n);
    this.allW = new Float64Array(n);
    this.allS = new Float64Array(n);
    this.allM = new Float64Array(n);
    this.position = new Int32Array(n);
    for (let u = 0; u < n; u++) this.position[u] = n - 1 - hierarchy.rank[u];
    this.sweepDown = this.byPosition(hierarchy.down);
    this.sweepUp = this.byPosition(hierarchy.up);
  }

  /** A copy of g with nodes renumbered by position, so that a sweep reads its arrays in order. */
  private byPosition(g: UpwardGraph): UpwardGraph {
    const n = this.position.length;
    const start = new Int32Array(n + 1);
    for (let u = 0; u < n; u++) start[this.position[u] + 1] = g.start[u + 1] - g.start[u];
    for (let k = 0; k < n; k++) start[k + 1] += start[k];
    const m = g.node.length;
    const out: UpwardGraph = {
      start,
      node: new Int32Array(m),
      weight: new Float64Array(m),
      durationS: new Float64Array(m),
      distanceM: new Float64Array(m),
    };
    for (let u = 0; u < n; u++) {
      let slot = start[this.position[u]];
      for (let a = g.start[u]; a < g.start[u + 1]; a++, slot++) {
        out.node[slot] = this.position[g.node[a]];
        out.weight[slot] = g.weight[a];
        out.durationS[slot] = g.durationS[a];
        out.distanceM[slot] = g.distanceM[a];
      }
    }
    return out;
  }

  /**
   * From some starts to every node (PHAST, Delling et al. 2011): an upward search, then one sweep over all nodes
   * from the highest rank down, each taking its best value from the higher nodes it is reached from. No heap in
   * the sweep, and its arrays are read in order, so it beats a plain Dijkstra for one point against many.
   * `forward` false: to the starts, from every node (the starts are then `incoming` accesses). Values are indexed
   * by `position[node]`, valid until the next call.
   */
  oneToAll(
    starts: Access[],
    forward: boolean,
  ): { weight: Float64Array; durationS: Float64Array; distanceM: Float64Array; position: Int32Array } {
    const { up, down } = this.hierarchy;
    const count = forward ? this.upward(up, down, starts) : this.upward(down, up, starts);
    const { allW, allS, allM, dist, durS, distM, settledList, position } = this;
    allW.fill(Infinity);
    for (let k = 0; k < count; k++) {
      const u = settledList[k];
      const p = position[u];
      allW[p] = dist[u];
      allS[p] = durS[u];
      allM[p] = distM[u];
    }
    const { start, node, weight, durationS, distanceM } = forward ? this.sweepDown : this.sweepUp;
    const n = position.length;
    for (let v = 0; v < n; v++) {
      let w = allW[v];
      for (let a = start[v], end = start[v + 1]; a < end; a++) {
        const x = node[a];
        const candidate = allW[x] + weight[a];
        if (candidate < w) {
          w = candidate;
          allW[v] = candidate;
          allS[v] = allS[x] + durationS[a];
          allM[v] = allM[x] + distanceM[a];
        }
      }
    }
    return { weight: allW, durationS: allS, distanceM: allM, position };
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
