import type { Queryable } from '@comobi/db';
import type { Log } from '../context.ts';
import { banGeocoder } from './ban.ts';
import { searchGazetteer } from './gazetteer.ts';
import { GeocoderError, type Geocoder, type SearchQuery, type Suggestion } from './types.ts';

export interface PlaceSearchAnswer {
  suggestions: Suggestion[];
  /** Who answered: 'ban' (address base and gazetteer) or 'gazetteer' (alone, or because the address base failed). */
  geocoder: 'ban' | 'gazetteer';
  /** Why the address base is missing from this answer, when it was configured. */
  degraded?: string;
}

/** The address base when GEOCODER_URL is set; otherwise none (the gazetteer alone answers). */
export function geocoderFromConfig(c: { GEOCODER_URL?: string; GEOCODER_TIMEOUT_MS: number }): Geocoder | null {
  return c.GEOCODER_URL ? banGeocoder({ url: c.GEOCODER_URL, timeoutMs: c.GEOCODER_TIMEOUT_MS }) : null;
}

/** Same commune twice (the address base's municipality and the gazetteer's commune): the better one stays. */
const keyOf = (s: Suggestion) => (s.kind === 'commune' && s.insee ? `commune:${s.insee}` : `${s.kind}:${s.label}:${s.lng.toFixed(5)},${s.lat.toFixed(5)}`);

/**
 * The gazetteer always answers (named places are only there); the address base, when configured, adds exact
 * addresses. Both are ranked on one score. An address base that fails leaves the gazetteer's answer, saying why.
 */
export async function searchPlaces(
  db: Queryable,
  geocoder: Geocoder | null,
  q: SearchQuery,
  log: Log,
): Promise<PlaceSearchAnswer> {
  const [local, remote] = await Promise.all([
    searchGazetteer(db, q),
    geocoder
      ? geocoder.search(q).then(
          (s) => ({ ok: true as const, s }),
          (e: unknown) => {
            if (!(e instanceof GeocoderError)) throw e;
            // The query may be someone's address: not logged.
            log('geocoder failed, gazetteer only', { geocoder: geocoder.name, error: e.message });
            return { ok: false as const, error: e.message };
          },
        )
      : null,
  ]);
  const merged = new Map<string, Suggestion>();
  // The caller's usual places first, whatever the scores; the same place found again under another kind goes.
  const usual = local.filter((s) => s.kind === 'usual');
  const at = (s: Suggestion) => `${s.label}:${s.lng.toFixed(5)},${s.lat.toFixed(5)}`;
  const seen = new Set(usual.map(at));
  const rest = [...local.filter((s) => s.kind !== 'usual'), ...(remote?.ok ? remote.s : [])]
    .filter((s) => !seen.has(at(s)))
    .sort((a, b) => b.score - a.score);
  for (const s of [...usual, ...rest]) if (!merged.has(keyOf(s))) merged.set(keyOf(s), s);
  return {
    suggestions: [...merged.values()].slice(0, q.limit),
    geocoder: remote?.ok ? 'ban' : 'gazetteer',
    ...(remote && !remote.ok ? { degraded: remote.error } : {}),
  };
}
