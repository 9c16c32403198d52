import { z } from 'zod';
import { GeocoderError, pointSourceOf, type Geocoder, type SearchQuery, type Suggestion, type SuggestionKind } from './types.ts';

/**
 * The Base Adresse Nationale search API (api-adresse.data.gouv.fr, and any self-hosted addok serving the same
 * `/search/` endpoint): `GET /search/?q=…&lat=…&lon=…&limit=…` answers a GeoJSON FeatureCollection whose features
 * carry label, score, type (housenumber | street | locality | municipality), citycode…
 */

const feature = z.object({
  type: z.literal('Feature'),
  geometry: z.object({ type: z.literal('Point'), coordinates: z.tuple([z.number(), z.number()]).rest(z.number()) }),
  properties: z.object({
    label: z.string().min(1),
    score: z.number(),
    type: z.string(),
    citycode: z.string().optional(),
    city: z.string().optional(),
  }),
});
const collection = z.object({ type: z.literal('FeatureCollection'), features: z.array(z.unknown()) });

/** BAN result types: a house number, a street and a lieu-dit are addresses; a municipality is its centre. */
const KIND: Record<string, SuggestionKind> = {
  housenumber: 'address',
  street: 'address',
  locality: 'address',
  municipality: 'commune',
};

/** The API refuses queries shorter than 3 characters (HTTP 400) and longer than 200. */
export const BAN_MIN_QUERY = 3;
const BAN_MAX_QUERY = 200;

export interface BanOptions {
  /** The API root, e.g. https://api-adresse.data.gouv.fr or http://addok:7878 */
  url: string;
  timeoutMs: number;
}

/** The request as a value: one place builds it, one sends it. */
export function banSearchUrl(base: string, q: SearchQuery): URL {
  const url = new URL('search/', base.endsWith('/') ? base : `${base}/`);
  url.searchParams.set('q', q.q.slice(0, BAN_MAX_QUERY));
  url.searchParams.set('limit', String(q.limit));
  if (q.near) {
    url.searchParams.set('lat', q.near.lat.toFixed(5));
    url.searchParams.set('lon', q.near.lng.toFixed(5));
  }
  return url;
}

/** A documented answer as suggestions; anything else is a GeocoderError that says what was wrong. */
export function parseBanAnswer(body: unknown): Suggestion[] {
  const fc = collection.safeParse(body);
  if (!fc.success) throw new GeocoderError('geocoder answer is not a GeoJSON FeatureCollection');
  const out: Suggestion[] = [];
  for (const [i, raw] of fc.data.features.entries()) {
    const f = feature.safeParse(raw);
    if (!f.success) {
      const issue = f.error.issues[0];
      throw new GeocoderError(`geocoder answer: features[${i}].${issue.path.join('.')}: ${issue.message}`);
    }
    const kind = KIND[f.data.properties.type];
    // A type this client does not know (a newer API): skipped rather than guessed.
    if (!kind) continue;
    const [lng, lat] = f.data.geometry.coordinates;
    out.push({
      label: f.data.properties.label,
      lng,
      lat,
      kind,
      source: 'ban',
      pointSource: pointSourceOf(kind),
      insee: f.data.properties.citycode ?? null,
      score: Math.max(0, Math.min(1, f.data.properties.score)),
    });
  }
  return out;
}

export function banGeocoder(o: BanOptions): Geocoder {
  return {
    name: 'ban',
    async search(q) {
      if (q.q.trim().length < BAN_MIN_QUERY) return [];
      const url = banSearchUrl(o.url, q);
      let res: Response;
      try {
        res = await fetch(url, { signal: AbortSignal.timeout(o.timeoutMs), headers: { accept: 'application/json' } });
      } catch (e) {
        const err = e as Error;
        if (err.name === 'TimeoutError') throw new GeocoderError(`geocoder did not answer within ${o.timeoutMs} ms`);
        throw new GeocoderError(`geocoder unreachable (${err.message})`);
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new GeocoderError(`geocoder answered HTTP ${res.status}`);
      }
      let body: unknown;
      try {
        body = await res.json();
      } catch (e) {
        if ((e as Error).name === 'TimeoutError') throw new GeocoderError(`geocoder did not answer within ${o.timeoutMs} ms`);
        throw new GeocoderError('geocoder answer is not JSON');
      }
      return parseBanAnswer(body);
    },
  };
}
