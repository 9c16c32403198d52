import { distanceM } from '../geo/sphere.ts';
import type { LngLat, RouteResult, Router, TableResult } from './types.ts';

/** Roads are rarely straight: a rural detour factor turns crow-flies distance into a plausible road distance. */
export const DETOUR_FACTOR = 1.3;
export const STRAIGHT_LINE_SPEED_KMH = 60;

const speedMs = STRAIGHT_LINE_SPEED_KMH / 3.6;

function estimate(a: LngLat, b: LngLat): { distanceM: number; durationS: number } {
  const roadM = distanceM(a, b) * DETOUR_FACTOR;
  return { distanceM: roadM, durationS: roadM / speedMs };
}

/** Fallback when no road network is available: every answer is an estimate (`approximate: true`). */
export class StraightLineRouter implements Router {
  readonly name = 'straight-line' as const;
  readonly approximate = true;

  async route(points: LngLat[]): Promise<RouteResult> {
    const legs = points.slice(1).map((to, i) => estimate(points[i], to));
    return {
      distanceM: legs.reduce((sum, leg) => sum + leg.distanceM, 0),
      durationS: legs.reduce((sum, leg) => sum + leg.durationS, 0),
      coordinates: points.map((p) => [p[0], p[1]] as LngLat),
      legs,
      snapDistancesM: points.map(() => 0),
      waypoints: points.map((p) => ({ location: [p[0], p[1]] as LngLat, name: '', distanceM: 0 })),
      approximate: true,
    };
  }

  async table(sources: LngLat[], destinations: LngLat[]): Promise<TableResult> {
    const cells = sources.map((s) => destinations.map((d) => estimate(s, d)));
    return {
      durationsS: cells.map((row) => row.map((c) => c.durationS)),
      distancesM: cells.map((row) => row.map((c) => c.distanceM)),
      sources: sources.map((p) => ({ location: [p[0], p[1]] as LngLat, name: '', distanceM: 0 })),
      destinations: destinations.map((p) => ({ location: [p[0], p[1]] as LngLat, name: '', distanceM: 0 })),
      approximate: true,
    };
  }
}
