import type { LngLat } from './types.ts';

/**
 * The one way distances are computed: a spherical earth (IUGG mean radius), [lng, lat] in degrees, metres. Routers,
 * matching and the straight-line estimate use these; a route's vertices are measured in the local linearisation of
 * the same sphere (`metresPerDegree`), which is what the corridor's segment projection needs.
 */
export const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

export function haversineM(aLng: number, aLat: number, bLng: number, bLat: number): number {
  const dLat = (bLat - aLat) * RAD;
  const dLng = (bLng - aLng) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(aLat * RAD) * Math.cos(bLat * RAD) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function distanceM(a: LngLat, b: LngLat): number {
  return haversineM(a[0], a[1], b[0], b[1]);
}

/** Initial bearing from a to b, degrees clockwise from north in [0, 360). */
export function bearingDeg(aLng: number, aLat: number, bLng: number, bLat: number): number {
  const φ1 = aLat * RAD;
  const φ2 = bLat * RAD;
  const Δλ = (bLng - aLng) * RAD;
  const y = Math.sin(Δλ) * Math.cos(φ2);
  const x = Math.cos(φ1) * Math.sin(φ2) - Math.sin(φ1) * Math.cos(φ2) * Math.cos(Δλ);
  return ((Math.atan2(y, x) / RAD) % 360 + 360) % 360;
}

/** Metres per degree of longitude / latitude around a latitude (equirectangular, good within a few km). */
export function metresPerDegree(lat: number): { mPerDegLng: number; mPerDegLat: number } {
  const mPerDegLat = EARTH_RADIUS_M * RAD;
  return { mPerDegLng: mPerDegLat * Math.cos(lat * RAD), mPerDegLat };
}

/** Linear interpolation between two positions (fine for the short segments of a road geometry). */
export function lerp(aLng: number, aLat: number, bLng: number, bLat: number, t: number): LngLat {
  return [aLng + (bLng - aLng) * t, aLat + (bLat - aLat) * t];
}
