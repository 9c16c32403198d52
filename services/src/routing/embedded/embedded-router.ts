import path from 'node:path';
import type { LngLat, RouteLeg, RouteOptions, RouteResult, Router, SnappedWaypoint, TableResult } from '../types.ts';
import { RouterError } from '../types.ts';
import { buildHierarchy, type Hierarchy, ManyToMany } from './ch.ts';
import { cacheFileName, fileSha256, readGraphCache, writeGraphCache } from './cache.ts';
import { haversineM } from './geo.ts';
import { buildGraphData, FORWARD, type Graph, toGraph } from './graph.ts';
import { readOsmRoads } from './osm-reader.ts';
import { appendLine, arcPiece, type Piece, pieceCoordinates, pieceLengthM } from './pieces.ts';
import { direct, incoming, outgoing, pathArcs, Searcher } from './search.ts';
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
    hierarchy = buildHierarchy(graph);
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

/** In-process router on an OSM road graph: phantom-node snapping, Dijkstra, OSRM-shaped steps. */
export class EmbeddedRouter implements Router {
  readonly name = 'embedded' as const;
  readonly approximate = false;
  private readonly snapIndex: SnapIndex;
  private readonly searcher: Searcher;
  private readonly offNetworkMs: number;
  private readonly manyToMany?: ManyToMany;

  /** Without a hierarchy, tables run plain Dijkstra searches. */
  constructor(
    readonly graph: Graph,
    hierarchy?: Hierarchy,
    readonly buildInfo?: GraphBuildInfo,
    options: EmbeddedRouterOptions = {},
  ) {
    this.snapIndex = new SnapIndex(graph);
    this.searcher = new Searcher(graph.nodeCount);
    this.offNetworkMs = (options.offNetworkSpeedKmh ?? 20) / 3.6;
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
    let networkS: Float64Array;
    let networkM: Float64Array;
    // One or two points against many: a single plain search over the graph beats one hierarchy search per point
    // (the matcher asks exactly that shape: origins → pickup, drop-off → destinations). Few against few: hierarchy.
    if (this.manyToMany && (Math.min(S, T) > 2 || Math.max(S, T) <= 16)) {
      ({ durationS: networkS, distanceM: networkM } = this.manyToMany.table(outs, ins));
    } else {
      networkS = new Float64Array(S * T);
      networkM = new Float64Array(S * T);
      if (S <= T) {
        // Search from the smaller side: forward from each source, or backward (reverse graph) from each destination.
        for (let i = 0; i < S; i++) {
          const found = this.searcher.run(g.forward, outs[i], ins);
          networkS.set(found.durationS, i * T);
          networkM.set(found.distanceM, i * T);
        }
      } else {
        for (let j = 0; j < T; j++) {
          const found = this.searcher.run(g.backward, ins[j], outs);
          for (let i = 0; i < S; i++) {
            networkS[i * T + j] = found.durationS[i];
            networkM[i * T + j] = found.distanceM[i];
          }
        }
      }
    }

    const offS = (snap: Snap) => snap.distanceM / this.offNetworkMs;
    const sourceOffS = sourceSnaps.map(offS);
    const destinationOffS = destinationSnaps.map(offS);
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
          if (sameEdge && sameEdge.durationS <= bestS) {
            bestS = sameEdge.durationS;
            bestM = sameEdge.distanceM;
          }
        }
        if (bestS === Infinity) {
          durationRow[j] = null;
          distanceRow[j] = null;
          continue;
        }
        durationRow[j] = round1(bestS + sourceOffS[i] + destinationOffS[j]);
        distanceRow[j] = round1(bestM + sourceSnaps[i].distanceM + destinationSnaps[j].distanceM);
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

  /** The pieces of the fastest way from one snapped point to the next. */
  private legPieces(from: Snap, to: Snap): Piece[] {
    const g = this.graph;
    const found = this.searcher.run(g.forward, outgoing(g, from), [incoming(g, to)]);
    const sameEdge = direct(g, from, to);
    if (sameEdge && sameEdge.durationS <= found.durationS[0]) {
      return [{ edge: from.edge, fromM: from.offsetM, toM: to.offsetM }];
    }
    const via = found.viaNode[0];
    if (via === -1) throw new RouterError('Impossible route between points', 'NoRoute');
    const arcs = pathArcs(g, this.searcher, via);
    const root = arcs.length > 0 ? (arcs[0] & 1 ? g.edgeTo[arcs[0] >> 1] : g.edgeFrom[arcs[0] >> 1]) : via;
    const startsForward = root === g.edgeTo[from.edge] && (g.edgeFlags[from.edge] & FORWARD) !== 0;
    const endsForward = via === g.edgeFrom[to.edge] && (g.edgeFlags[to.edge] & FORWARD) !== 0;
    return [
      { edge: from.edge, fromM: from.offsetM, toM: startsForward ? g.edgeLengthM[from.edge] : 0 },
      ...arcs.map((arc) => arcPiece(g, arc)),
      { edge: to.edge, fromM: endsForward ? 0 : g.edgeLengthM[to.edge], toM: to.offsetM },
    ];
  }

  async route(points: LngLat[], options: RouteOptions = {}): Promise<RouteResult> {
    if (points.length < 2) throw new RouterError('Number of coordinates needs to be at least two.', 'InvalidOptions');
    const g = this.graph;
    const snaps = points.map((p) => this.snap(p));
    const coordinates: LngLat[] = [];
    const legs: RouteLeg[] = [];
    for (let i = 0; i + 1 < points.length; i++) {
      const all = this.legPieces(snaps[i], snaps[i + 1]);
      // Zero-length ends (a point snapped exactly on a node) carry no geometry and would give a false bearing.
      const pieces = all.filter((p) => pieceLengthM(p) > 0.01);
      if (pieces.length === 0) pieces.push(all[0]);
      const legCoordinates: LngLat[] = [];
      const annotation = { distanceM: [] as number[], durationS: [] as number[] };
      let networkM = 0;
      let networkS = 0;
      for (const piece of pieces) {
        const line = pieceCoordinates(g, piece);
        appendLine(legCoordinates, line);
        const secPerM = g.edgeLengthM[piece.edge] > 0 ? g.edgeDurationS[piece.edge] / g.edgeLengthM[piece.edge] : 0;
        for (let k = 1; k < line.length; k++) {
          const m = haversineM(line[k - 1][0], line[k - 1][1], line[k][0], line[k][1]);
          if (m === 0) continue;
          annotation.distanceM.push(round1(m));
          annotation.durationS.push(round1(m * secPerM));
        }
        networkM += pieceLengthM(piece);
        networkS += pieceLengthM(piece) * secPerM;
      }
      const a = this.offNetwork(snaps[i]);
      const b = this.offNetwork(snaps[i + 1]);
      const leg: RouteLeg = {
        distanceM: round1(networkM + a.distanceM + b.distanceM),
        durationS: round1(networkS + a.durationS + b.durationS),
        annotation,
      };
      if (options.steps) leg.steps = buildSteps(g, pieces, { destinationInput: points[i + 1] });
      legs.push(leg);
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


