import path from 'node:path';
import type { LngLat, RouteLeg, RouteOptions, RouteResult, Router, SnappedWaypoint, TableResult } from '../types.ts';
import { RouterError } from '../types.ts';
import { buildHierarchy, type Hierarchy, ManyToMany } from './ch.ts';
import { cacheFileName, fileSha256, readGraphCache, writeGraphCache } from './cache.ts';
import { haversineM } from '../../geo/sphere.ts';
import { buildGraphData, type Graph, toGraph, turnDurationS } from './graph.ts';
import { readOsmRoads } from './osm-reader.ts';
import { appendLine, arcPiece, type Piece, pieceCoordinates, pieceLengthM, pieceSecPerM } from './pieces.ts';
import { type Access, direct, incoming, outgoing, pathArcs, Searcher } from './search.ts';
import { type Snap, SnapIndex } from './snap.ts';
import { buildSteps } from './steps.ts';

export interface RouterLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface EmbeddedRouterOptions {
  /** Directory for the binary graph cache (usually `DATA_DIR/router-cache`); no cache when unset. */
  cacheDir?: string;
  log?: RouterLog;
  /** Speed for the straight walk/drive between an input point and the road it snaps to. */
  offNetworkSpeedKmh?: number;
  /**
   * Count that straight stretch in durations and distances (default true: an origin a kilometre from the nearest
   * road of a sparse graph is not at the road). false: like OSRM, both start and end at the snapped points.
   */
  countOffNetwork?: boolean;
  /**
   * Build a contraction hierarchy for tables (default true). Without it, tables run one Dijkstra per point of the
   * smaller side; both give the same matrix, the hierarchy ~10× faster.
   */
  contract?: boolean;
}

export interface GraphBuildInfo {
  source: 'cache' | 'pbf';
  buildMs: number;
  nodeCount: number;
  edgeCount: number;
  cacheFile?: string;
  /** Time spent building the contraction hierarchy (undefined when it came from the cache). */
  hierarchyMs?: number;
  shortcutCount?: number;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const samePoint = (a: LngLat, b: LngLat) => a[0] === b[0] && a[1] === b[1];

/**
 * Load the graph of a `.osm.pbf` and its contraction hierarchy: from the cache when it holds this file's build,
 * else parse, contract and cache them.
 */
export async function loadGraph(
  pbfPath: string,
  options: EmbeddedRouterOptions = {},
): Promise<{ graph: Graph; hierarchy?: Hierarchy; info: GraphBuildInfo }> {
  const started = performance.now();
  const contract = options.contract !== false;
  const cacheFile = options.cacheDir ? path.join(options.cacheDir, cacheFileName(await fileSha256(pbfPath))) : undefined;
  const cached = cacheFile ? await readGraphCache(cacheFile) : undefined;
  const source = cached ? 'cache' : 'pbf';
  const data = cached?.data ?? buildGraphData(await readOsmRoads(pbfPath));
  const graph = toGraph(data);
  let hierarchy = cached?.hierarchy;
  let hierarchyMs: number | undefined;
  if (contract && !hierarchy) {
    const contractStarted = performance.now();
    hierarchy = buildHierarchy(2 * graph.edgeCount, graph.turns);
    hierarchyMs = performance.now() - contractStarted;
  }
  if (cacheFile && (!cached || (contract && !cached.hierarchy))) {
    await writeGraphCache(cacheFile, { data, hierarchy }).catch((err: unknown) =>
      options.log?.warn(`router: could not write graph cache ${cacheFile}: ${String(err)}`),
    );
  }
  const info: GraphBuildInfo = {
    source,
    buildMs: performance.now() - started,
    nodeCount: graph.nodeCount,
    edgeCount: graph.edgeCount,
    cacheFile,
    hierarchyMs,
    shortcutCount: hierarchy?.shortcutCount,
  };
  options.log?.info(
    `router: road graph from ${source} (${path.basename(pbfPath)}): ${info.nodeCount} nodes, ${info.edgeCount} edges in ${info.buildMs.toFixed(0)} ms`,
  );
  return { graph, hierarchy, info };
}

/**
 * In-process router on an OSM road graph: phantom-node snapping, searches over the turn graph (so turn and signal
 * costs count, as in OSRM's car profile), OSRM-shaped steps.
 */
export class EmbeddedRouter implements Router {
  readonly name = 'embedded' as const;
  readonly approximate = false;
  private readonly snapIndex: SnapIndex;
  private readonly searcher: Searcher;
  private readonly offNetworkMs: number;
  private readonly countOffNetwork: boolean;
  private readonly manyToMany?: ManyToMany;

  /** Without a hierarchy, tables run plain Dijkstra searches. */
  constructor(
    readonly graph: Graph,
    hierarchy?: Hierarchy,
    readonly buildInfo?: GraphBuildInfo,
    options: EmbeddedRouterOptions = {},
  ) {
    this.snapIndex = new SnapIndex(graph);
    this.searcher = new Searcher(2 * graph.edgeCount);
    this.offNetworkMs = (options.offNetworkSpeedKmh ?? 20) / 3.6;
    this.countOffNetwork = options.countOffNetwork !== false;
    if (hierarchy) this.manyToMany = new ManyToMany(hierarchy);
  }

  static async fromPbf(pbfPath: string, options: EmbeddedRouterOptions = {}): Promise<EmbeddedRouter> {
    const { graph, hierarchy, info } = await loadGraph(pbfPath, options);
    return new EmbeddedRouter(graph, hierarchy, info, options);
  }

  snap(point: LngLat): Snap {
    const snap = this.snapIndex.nearest(point);
    if (!snap) throw new RouterError(`No road near ${point[0]},${point[1]}`, 'NoSegment');
    return snap;
  }

  private waypoint(snap: Snap): SnappedWaypoint {
    return {
      location: [round6(snap.location[0]), round6(snap.location[1])],
      name: this.graph.strings[this.graph.edgeName[snap.edge]],
      distanceM: snap.distanceM,
    };
  }

  /** The straight stretch between an input point and its snapped point, at a slow speed. */
  private offNetwork(snap: Snap): { durationS: number; distanceM: number } {
    if (!this.countOffNetwork) return { durationS: 0, distanceM: 0 };
    return { durationS: snap.distanceM / this.offNetworkMs, distanceM: snap.distanceM };
  }

  /** Snap each point once, even when it appears on both sides of a table (the matcher's pickup and dropoff). */
  private snapAll(points: LngLat[], memo: Map<string, Snap>): Snap[] {
    return points.map((p) => {
      const key = `${p[0]},${p[1]}`;
      let snap = memo.get(key);
      if (!snap) {
        snap = this.snap(p);
        memo.set(key, snap);
      }
      return snap;
    });
  }

  async table(sources: LngLat[], destinations: LngLat[]): Promise<TableResult> {
    const g = this.graph;
    const memo = new Map<string, Snap>();
    const sourceSnaps = this.snapAll(sources, memo);
    const destinationSnaps = this.snapAll(destinations, memo);
    const outs = sourceSnaps.map((s) => outgoing(g, s));
    const ins = destinationSnaps.map((s) => incoming(g, s));
    const S = sources.length;
    const T = destinations.length;

    // Network part of each cell, row-major.
    const networkW = new Float64Array(S * T);
    const networkS = new Float64Array(S * T);
    const networkM = new Float64Array(S * T);
    const cell = (i: number, j: number, found: { weight: number; durationS: number; distanceM: number }) => {
      networkW[i * T + j] = found.weight;
      networkS[i * T + j] = found.durationS;
      networkM[i * T + j] = found.distanceM;
    };
    /** Best way through the accesses of one point, from one-to-all values per node. */
    const best = (all: ReturnType<ManyToMany['oneToAll']>, accesses: Access[]) => {
      let found = { weight: Infinity, durationS: Infinity, distanceM: Infinity };
      for (const a of accesses) {
        const p = all.position[a.node];
        const w = all.weight[p] + a.weight;
        if (w < found.weight) found = { weight: w, durationS: all.durationS[p] + a.durationS, distanceM: all.distanceM[p] + a.distanceM };
      }
      return found;
    };
    if (this.manyToMany) {
      if (Math.min(S, T) > 2 || Math.max(S, T) <= 16) {
        const t = this.manyToMany.table(outs, ins);
        networkW.set(t.weight);
        networkS.set(t.durationS);
        networkM.set(t.distanceM);
      } else if (S <= T) {
        // One or two points against many (the matcher's shape: drop-off → destinations, origins → pickup): one
        // sweep over the hierarchy per point beats both the buckets and a plain search.
        for (let i = 0; i < S; i++) {
          const all = this.manyToMany.oneToAll(outs[i], true);
          for (let j = 0; j < T; j++) cell(i, j, best(all, ins[j]));
        }
      } else {
        for (let j = 0; j < T; j++) {
          const all = this.manyToMany.oneToAll(ins[j], false);
          for (let i = 0; i < S; i++) cell(i, j, best(all, outs[i]));
        }
      }
      // The hierarchy cannot tell "ahead on the same arc" from "behind it": behind, the cell comes out negative
      // (the way around the block is missed); search those few cells plainly.
      for (let i = 0; i < S; i++) {
        for (let j = 0; j < T; j++) {
          if (sourceSnaps[i].edge !== destinationSnaps[j].edge || networkW[i * T + j] >= -1e-9) continue;
          const found = this.searcher.run(g.turns, outs[i], [ins[j]]);
          cell(i, j, { weight: found.weight[0], durationS: found.durationS[0], distanceM: found.distanceM[0] });
        }
      }
    } else if (S <= T) {
      // Without a hierarchy: a plain search from the smaller side, forward from each source or backward (reverse
      // graph) from each destination.
      for (let i = 0; i < S; i++) {
        const found = this.searcher.run(g.turns, outs[i], ins);
        networkW.set(found.weight, i * T);
        networkS.set(found.durationS, i * T);
        networkM.set(found.distanceM, i * T);
      }
    } else {
      for (let j = 0; j < T; j++) {
        const found = this.searcher.run(g.turnsBack, ins[j], outs);
        for (let i = 0; i < S; i++) cell(i, j, { weight: found.weight[i], durationS: found.durationS[i], distanceM: found.distanceM[i] });
      }
    }

    const sourceOff = sourceSnaps.map((s) => this.offNetwork(s));
    const destinationOff = destinationSnaps.map((s) => this.offNetwork(s));
    const durationsS: (number | null)[][] = new Array(S);
    const distancesM: (number | null)[][] = new Array(S);
    for (let i = 0; i < S; i++) {
      const durationRow: (number | null)[] = new Array(T);
      const distanceRow: (number | null)[] = new Array(T);
      for (let j = 0; j < T; j++) {
        if (samePoint(sources[i], destinations[j])) {
          durationRow[j] = 0;
          distanceRow[j] = 0;
          continue;
        }
        let bestS = networkS[i * T + j];
        let bestM = networkM[i * T + j];
        if (sourceSnaps[i].edge === destinationSnaps[j].edge) {
          const sameEdge = direct(g, sourceSnaps[i], destinationSnaps[j]);
          if (sameEdge && sameEdge.weight <= networkW[i * T + j]) {
            bestS = sameEdge.durationS;
            bestM = sameEdge.distanceM;
          }
        }
        if (bestS === Infinity) {
          durationRow[j] = null;
          distanceRow[j] = null;
          continue;
        }
        durationRow[j] = round1(bestS + sourceOff[i].durationS + destinationOff[j].durationS);
        distanceRow[j] = round1(bestM + sourceOff[i].distanceM + destinationOff[j].distanceM);
      }
      durationsS[i] = durationRow;
      distancesM[i] = distanceRow;
    }
    return {
      durationsS,
      distancesM,
      sources: sourceSnaps.map((s) => this.waypoint(s)),
      destinations: destinationSnaps.map((s) => this.waypoint(s)),
    };
  }

  /** The pieces of the fastest way from one snapped point to the next, and the seconds of the turn before each. */
  private legPieces(from: Snap, to: Snap): { pieces: Piece[]; turnS: number[] } {
    const g = this.graph;
    const found = this.searcher.run(g.turns, outgoing(g, from), [incoming(g, to)]);
    const sameEdge = direct(g, from, to);
    const single = { pieces: [{ edge: from.edge, fromM: from.offsetM, toM: to.offsetM }], turnS: [0] };
    if (sameEdge && sameEdge.weight <= found.weight[0]) return single;
    if (found.lastArc[0] === -1) throw new RouterError('Impossible route between points', 'NoRoute');
    const arcs = pathArcs(this.searcher, found, 0);
    if (arcs.length === 1) return single;
    const first = arcs[0];
    const last = arcs[arcs.length - 1];
    const pieces: Piece[] = [
      { edge: from.edge, fromM: from.offsetM, toM: first & 1 ? 0 : g.edgeLengthM[from.edge] },
      ...arcs.slice(1, -1).map((arc) => arcPiece(g, arc)),
      { edge: to.edge, fromM: last & 1 ? g.edgeLengthM[to.edge] : 0, toM: to.offsetM },
    ];
    const turnS = arcs.map((arc, k) => (k === 0 ? 0 : (turnDurationS(g, arcs[k - 1], arc) ?? 0)));
    return { pieces, turnS };
  }

  async route(points: LngLat[], options: RouteOptions = {}): Promise<RouteResult> {
    if (points.length < 2) throw new RouterError('Number of coordinates needs to be at least two.', 'InvalidOptions');
    const g = this.graph;
    const snaps = points.map((p) => this.snap(p));
    const coordinates: LngLat[] = [];
    const legs: RouteLeg[] = [];
    for (let i = 0; i + 1 < points.length; i++) {
      const leg = this.legPieces(snaps[i], snaps[i + 1]);
      // Zero-length ends (a point snapped exactly on a node) carry no geometry and would give a false bearing; the
      // turn before a dropped piece moves to the next one kept.
      const pieces: Piece[] = [];
      const turnS: number[] = [];
      let carriedS = 0;
      leg.pieces.forEach((p, k) => {
        carriedS += leg.turnS[k];
        if (pieceLengthM(p) <= 0.01) return;
        pieces.push(p);
        turnS.push(carriedS);
        carriedS = 0;
      });
      if (pieces.length === 0) {
        pieces.push(leg.pieces[0]);
        turnS.push(0);
      }
      const endTurnS = carriedS; // turns before a dropped last piece still count
      const legCoordinates: LngLat[] = [];
      const annotation = { distanceM: [] as number[], durationS: [] as number[] };
      let networkM = 0;
      let networkS = 0;
      pieces.forEach((piece, p) => {
        const line = pieceCoordinates(g, piece);
        appendLine(legCoordinates, line);
        const secPerM = pieceSecPerM(g, piece);
        // The turn into a piece is counted on its first segment.
        let extraS = turnS[p];
        for (let k = 1; k < line.length; k++) {
          const m = haversineM(line[k - 1][0], line[k - 1][1], line[k][0], line[k][1]);
          if (m === 0) continue;
          annotation.distanceM.push(round1(m));
          annotation.durationS.push(round1(m * secPerM + extraS));
          extraS = 0;
        }
        networkM += pieceLengthM(piece);
        networkS += pieceLengthM(piece) * secPerM + turnS[p];
      });
      networkS += endTurnS;
      const a = this.offNetwork(snaps[i]);
      const b = this.offNetwork(snaps[i + 1]);
      const routeLeg: RouteLeg = {
        distanceM: round1(networkM + a.distanceM + b.distanceM),
        durationS: round1(networkS + a.durationS + b.durationS),
        annotation,
      };
      if (options.steps) routeLeg.steps = buildSteps(g, pieces, { destinationInput: points[i + 1], turnS });
      legs.push(routeLeg);
      appendLine(coordinates, legCoordinates);
    }
    return {
      distanceM: round1(legs.reduce((sum, leg) => sum + leg.distanceM, 0)),
      durationS: round1(legs.reduce((sum, leg) => sum + leg.durationS, 0)),
      coordinates: coordinates.map(([lng, lat]) => [round6(lng), round6(lat)] as LngLat),
      legs,
      snapDistancesM: snaps.map((s) => s.distanceM),
      waypoints: snaps.map((s) => this.waypoint(s)),
    };
  }
}


