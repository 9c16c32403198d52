/** Parsers of GTFS field types into PostgreSQL text input. Return undefined when the value is invalid. */

/** H:MM:SS or HH:MM:SS, hours past 24 allowed → seconds since the service day's start. */
export function parseTime(s: string): number | undefined {
  const n = s.length;
  const c = n - 6;
  if (c < 1 || c > 3 || s.charCodeAt(c) !== 58 || s.charCodeAt(c + 3) !== 58) return undefined;
  let h = 0;
  for (let i = 0; i < c; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    h = h * 10 + d;
  }
  const m1 = s.charCodeAt(c + 1) - 48, m2 = s.charCodeAt(c + 2) - 48, s1 = s.charCodeAt(c + 4) - 48, s2 = s.charCodeAt(c + 5) - 48;
  if (m1 < 0 || m1 > 5 || m2 < 0 || m2 > 9 || s1 < 0 || s1 > 5 || s2 < 0 || s2 > 9) return undefined;
  return h * 3600 + (m1 * 10 + m2) * 60 + s1 * 10 + s2;
}

/** YYYYMMDD → YYYY-MM-DD (a real calendar date). */
const dateCache = new Map<string, string>();
export function parseDate(s: string): string | undefined {
  const cached = dateCache.get(s);
  if (cached !== undefined) return cached;
  const d = checkDate(s);
  if (d !== undefined && dateCache.size < 100_000) dateCache.set(s, d);
  return d;
}

function checkDate(s: string): string | undefined {
  if (s.length !== 8 || !/^\d{8}$/.test(s)) return undefined;
  const y = +s.slice(0, 4), m = +s.slice(4, 6), d = +s.slice(6, 8);
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return undefined;
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

const intRe = /^-?\d{1,9}$/;
export function parseInt32(s: string): number | undefined {
  return intRe.test(s) ? Number(s) : undefined;
}

/** Non-negative integers: a digit loop (stop_sequence is on the hot path). */
export function parseUint(s: string): number | undefined {
  const n = s.length;
  if (n === 0 || n > 9) return undefined;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
  }
  return v;
}

const floatRe = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
export function parseFloatStrict(s: string): number | undefined {
  return floatRe.test(s) ? Number(s) : undefined;
}

export const colorRe = /^[0-9A-Fa-f]{6}$/;
