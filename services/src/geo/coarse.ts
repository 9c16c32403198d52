import type { LngLatPoint } from './sql.ts';

/**
 * Two decimals of a degree (about 1.1 km north–south, 0.8 km east–west here): enough for counts and maps, not
 * enough to find a door. Readers who do not handle people get places this way.
 */
const PER_DEGREE = 100;

const snap = (v: number) => Math.round(v * PER_DEGREE) / PER_DEGREE;

export const coarsePoint = (p: LngLatPoint | null): LngLatPoint | null =>
  p === null ? null : { lng: snap(p.lng), lat: snap(p.lat) };
