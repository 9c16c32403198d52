/** Counts below this are published as "< 5". */
export const THRESHOLD = 5;
/** Published counts are rounded to this base, so that differences between periods or territories reveal no small count. */
export const BASE = 5;

export type Published = number | null;

/** null means "< 5" (zero included: a zero is not distinguishable from a small count). */
export const publish = (n: number): Published => (n < THRESHOLD ? null : Math.max(THRESHOLD, Math.round(n / BASE) * BASE));

export const display = (v: Published, unit = '') => (v === null ? '< 5' : `${v.toLocaleString('fr-FR')}${unit}`);

/** A share from published values only (never from raw counts, which would let the exact figures be recomputed). */
export const share = (part: Published, whole: Published): number | null =>
  part === null || whole === null || whole === 0 ? null : Math.min(100, Math.round((part / whole) * 20) * 5);
