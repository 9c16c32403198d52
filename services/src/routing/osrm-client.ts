import axios, { type AxiosInstance } from 'axios';
import type { LngLat, RouteOptions, RouteResult, RouteStep, Router, SnappedWaypoint, TableResult } from './types.ts';
import { RouterError } from './types.ts';

/**
 * OSRM HTTP API v5 client. A request is a plain value (service, coordinates, options), sent in one place (`send`),
 * and each answer is parsed into the typed results of ./types.ts.
 *
 * Always GET: osrm-routed has no JSON-body POST form (upstream docs and maintainers: "Dropping POST support in 5.0",
 * Project-OSRM/osrm-backend#2163), and a 100-coordinate table URL is ~2.5 kB, well within URL limits.
 */
export interface OsrmRequest {
  service: 'route' | 'table' | 'nearest';
  coordinates: LngLat[];
  /** Query options exactly as OSRM spells them, e.g. `{ overview: 'full', steps: 'true' }`. */
  options: Record<string, string>;
}

export interface OsrmRouterOptions {
  baseUrl: string;
  profile?: string;
  timeoutMs?: number;
}

/** The parts of an OSRM answer we read; OSRM sends more. */
interface OsrmWaypoint {
  location: LngLat;
  name: string;
  distance: number;
}
interface OsrmRouteAnswer {
  code: string;
  message?: string;
  waypoints?: OsrmWaypoint[];
  routes?: {
    distance: number;
    duration: number;
    geometry?: { type: 'LineString'; coordinates: LngLat[] } | string;
    legs: { distance: number; duration: number; steps?: RouteStep[] }[];
  }[];
}
interface OsrmTableAnswer {
  code: string;
  message?: string;
  durations?: (number | null)[][];
  distances?: (number | null)[][];
  sources?: OsrmWaypoint[];
  destinations?: OsrmWaypoint[];
}

/** `7.419,43.7312;...`: OSRM wants lng,lat pairs separated by semicolons. */
function formatCoordinates(coordinates: LngLat[]): string {
  return coordinates.map(([lng, lat]) => `${lng},${lat}`).join(';');
}

/** Path and query of a request, relative to the server root (what a log line or a recorded fixture shows). */
export function requestPath(profile: string, request: OsrmRequest): string {
  const query = Object.entries(request.options)
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const path = `/${request.service}/v1/${profile}/${formatCoordinates(request.coordinates)}`;
  return query ? `${path}?${query}` : path;
}

export function routeRequest(points: LngLat[], options: RouteOptions = {}): OsrmRequest {
  return {
    service: 'route',
    coordinates: points,
    options: { overview: 'full', geometries: 'geojson', steps: options.steps ? 'true' : 'false' },
  };
}

/**
 * One table request for the whole matrix: sources and destinations are deduplicated into one coordinate list
 * (the matcher repeats pickup and dropoff on both sides) and addressed by index.
 */
export function tableRequest(sources: LngLat[], destinations: LngLat[]): OsrmRequest {
  const coordinates: LngLat[] = [];
  const indexOf = new Map<string, number>();
  const add = (p: LngLat) => {
    const key = `${p[0]},${p[1]}`;
    let i = indexOf.get(key);
    if (i === undefined) {
      i = coordinates.push(p) - 1;
      indexOf.set(key, i);
    }
    return i;
  };
  const sourceIdx = sources.map(add);
  const destinationIdx = destinations.map(add);
  const isAll = (idx: number[]) => idx.length === coordinates.length && idx.every((v, i) => v === i);
  const options: Record<string, string> = {};
  if (!isAll(sourceIdx)) options.sources = sourceIdx.join(';');
  if (!isAll(destinationIdx)) options.destinations = destinationIdx.join(';');
  options.annotations = 'duration,distance';
  return { service: 'table', coordinates, options };
}

function toWaypoint(w: OsrmWaypoint): SnappedWaypoint {
  return { location: w.location, name: w.name ?? '', distanceM: w.distance ?? 0 };
}

export function parseRouteAnswer(answer: OsrmRouteAnswer): RouteResult {
  const route = answer.routes?.[0];
  if (!route) throw new RouterError('OSRM answered without a route', 'NoRoute');
  const geometry = route.geometry;
  const waypoints = (answer.waypoints ?? []).map(toWaypoint);
  return {
    distanceM: route.distance,
    durationS: route.duration,
    coordinates: geometry && typeof geometry !== 'string' ? geometry.coordinates : [],
    legs: route.legs.map((leg) => ({
      distanceM: leg.distance,
      durationS: leg.duration,
      ...(leg.steps && leg.steps.length > 0 ? { steps: leg.steps } : {}),
    })),
    snapDistancesM: waypoints.map((w) => w.distanceM),
    waypoints,
  };
}

export function parseTableAnswer(answer: OsrmTableAnswer): TableResult {
  const durationsS = answer.durations;
  if (!durationsS) throw new RouterError('OSRM answered without durations', 'NoTable');
  return {
    durationsS,
    // An OSRM that ignored `annotations=distance` (older MLD builds) still gives a well-formed matrix.
    distancesM: answer.distances ?? durationsS.map((row) => row.map(() => null)),
    sources: answer.sources?.map(toWaypoint),
    destinations: answer.destinations?.map(toWaypoint),
  };
}

export class OsrmRouter implements Router {
  readonly name = 'osrm' as const;
  readonly approximate = false;
  private readonly http: AxiosInstance;
  private readonly profile: string;

  constructor(options: OsrmRouterOptions) {
    this.profile = options.profile ?? 'driving';
    this.http = axios.create({
      baseURL: options.baseUrl.replace(/\/+$/, ''),
      timeout: options.timeoutMs ?? 2000,
      // OSRM answers errors with HTTP 400 and a JSON `{code, message}`: read the body, do not throw on status.
      validateStatus: () => true,
      responseType: 'json',
    });
  }

  /** The one place a request goes out; every failure becomes a RouterError carrying OSRM's code. */
  async send<T extends { code: string; message?: string }>(request: OsrmRequest): Promise<T> {
    const path = requestPath(this.profile, request);
    let status: number;
    let body: unknown;
    try {
      const response = await this.http.get(path);
      status = response.status;
      body = response.data;
    } catch (err) {
      const e = err as { code?: string; message?: string };
      const timedOut = e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT';
      throw new RouterError(
        `OSRM ${request.service} request failed: ${e.message ?? String(err)}`,
        timedOut ? 'Timeout' : 'NetworkError',
      );
    }
    if (typeof body !== 'object' || body === null || typeof (body as { code?: unknown }).code !== 'string') {
      throw new RouterError(`OSRM ${request.service} answered HTTP ${status} without an OSRM body`, 'InvalidResponse');
    }
    const answer = body as T;
    if (answer.code !== 'Ok') {
      throw new RouterError(answer.message ?? `OSRM answered ${answer.code}`, answer.code);
    }
    return answer;
  }

  async route(points: LngLat[], options: RouteOptions = {}): Promise<RouteResult> {
    return parseRouteAnswer(await this.send<OsrmRouteAnswer>(routeRequest(points, options)));
  }

  async table(sources: LngLat[], destinations: LngLat[]): Promise<TableResult> {
    // Rows and columns follow the `sources`/`destinations` index lists, so they are the caller's, duplicates included.
    return parseTableAnswer(await this.send<OsrmTableAnswer>(tableRequest(sources, destinations)));
  }
}
