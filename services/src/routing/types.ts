import type { LngLat } from '../geo/types.ts';

export type { LngLat };

export interface RouteStep {
  /** OSRM step object (maneuver, name, distance, duration, geometry...) as OSRM v5 returns it with steps=true. */
  [key: string]: unknown;
}

/** Where an input point was snapped on the network (OSRM's Waypoint: location, street name, distance). */
export interface SnappedWaypoint {
  location: LngLat;
  name: string;
  distanceM: number;
}

export interface RouteLeg {
  distanceM: number;
  durationS: number;
  steps?: RouteStep[];
  /** Per geometry segment of this leg (OSRM's `annotation`), when the router knows it. */
  annotation?: { distanceM: number[]; durationS: number[] };
}

export interface RouteResult {
  distanceM: number;
  durationS: number;
  /** Full geometry, [lng, lat] pairs. */
  coordinates: LngLat[];
  /** One leg between each pair of consecutive input points. */
  legs: RouteLeg[];
  /** Metres between each input point and the point it was snapped to on the network. */
  snapDistancesM: number[];
  /** Snapped input points, when the router knows them. */
  waypoints?: SnappedWaypoint[];
  /** True when this answer is an estimate (e.g. the primary router failed and a fallback answered). */
  approximate?: boolean;
}

export interface TableResult {
  /** durationsS[i][j]: seconds from sources[i] to destinations[j]; null when unreachable. */
  durationsS: (number | null)[][];
  distancesM: (number | null)[][];
  /** Snapped sources and destinations, when the router knows them. */
  sources?: SnappedWaypoint[];
  destinations?: SnappedWaypoint[];
  /** True when this answer is an estimate (e.g. the primary router failed and a fallback answered). */
  approximate?: boolean;
}

export interface RouteOptions {
  /** Ask for turn-by-turn steps (OSRM step objects). */
  steps?: boolean;
}

/**
 * One interface for every router: a real OSRM over HTTP, the embedded graph router, or the straight-line fallback.
 * `approximate` is true when answers are estimates rather than computed on a road network.
 */
export interface Router {
  readonly name: 'osrm' | 'embedded' | 'straight-line';
  readonly approximate: boolean;
  route(points: LngLat[], options?: RouteOptions): Promise<RouteResult>;
  table(sources: LngLat[], destinations: LngLat[]): Promise<TableResult>;
  close?(): Promise<void>;
}

/** Raised when no route exists or the router failed; the matcher degrades to `approximate: true`. */
export class RouterError extends Error {
  constructor(message: string, readonly code: string = 'RouterError') {
    super(message);
  }
}
