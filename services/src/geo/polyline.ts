import { metresPerDegree } from './sphere.ts';
import type { LngLat } from './types.ts';

/** Flat [lng0, lat0, lng1, lat1, …]: a route's vertices without one array per point. */
export type FlatCoords = Float64Array;

export function flatten(coords: LngLat[]): FlatCoords {
  const out = new Float64Array(coords.length * 2);
  for (let i = 0; i < coords.length; i++) {
    out[2 * i] = coords[i][0];
    out[2 * i + 1] = coords[i][1];
  }
  return out;
}

/**
 * Metres along the line at each vertex, in the sphere's local linearisation at the line's first latitude (a
 * commute spans well under a degree of latitude: < 0.1 % from the great-circle length, millions per second).
 */
export function cumulativeM(c: FlatCoords): Float64Array {
  const n = c.length / 2;
  const cum = new Float64Array(n);
  if (n === 0) return cum;
  const { kx, ky } = scaleAt(c[1]);
  for (let i = 1; i < n; i++) {
    const dx = (c[2 * i] - c[2 * i - 2]) * kx;
    const dy = (c[2 * i + 1] - c[2 * i - 1]) * ky;
    cum[i] = cum[i - 1] + Math.sqrt(dx * dx + dy * dy);
  }
  return cum;
}

/** Metres per degree of longitude and latitude around a latitude. */
export function scaleAt(lat: number): { kx: number; ky: number } {
  const { mPerDegLng, mPerDegLat } = metresPerDegree(lat);
  return { kx: mPerDegLng, ky: mPerDegLat };
}

export interface Nearest {
  distM: number;
  /** Metres along the line of the closest point. */
  alongM: number;
}

/**
 * Closest point of segments [from, to) of a line to (lng, lat), in a local flat frame scaled at the point's latitude.
 * The one distance function of matching: the index and the brute-force reference both call it.
 */
export function nearestOnSegments(
  c: FlatCoords,
  cum: Float64Array,
  from: number,
  to: number,
  lng: number,
  lat: number,
  kx: number,
  ky: number,
  best: Nearest,
): void {
  for (let i = from; i < to; i++) {
    const x1 = c[2 * i],
      y1 = c[2 * i + 1];
    const dx = (c[2 * i + 2] - x1) * kx;
    const dy = (c[2 * i + 3] - y1) * ky;
    const px = (lng - x1) * kx;
    const py = (lat - y1) * ky;
    const len2 = dx * dx + dy * dy;
    let t = len2 > 0 ? (px * dx + py * dy) / len2 : 0;
    if (t < 0) t = 0;
    else if (t > 1) t = 1;
    const ex = px - t * dx,
      ey = py - t * dy;
    const d = Math.sqrt(ex * ex + ey * ey);
    if (d < best.distM) {
      best.distM = d;
      best.alongM = cum[i] + t * (cum[i + 1] - cum[i]);
    }
  }
}
