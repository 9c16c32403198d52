import type { LngLatPoint } from '../geo/sql.ts';

/**
 * What a suggestion is: an address of the national base, a named place, a commune, a transit stop, a carpool area,
 * or one of the passenger's usual places (an end of one of their past requests).
 */
export const SUGGESTION_KINDS = ['address', 'place', 'commune', 'stop', 'carpool_area', 'usual'] as const;
export type SuggestionKind = (typeof SUGGESTION_KINDS)[number];

/**
 * Where a stored point came from. A commune centre is approximate (pickup times and detours computed there are
 * estimates): the console says so and lets the coordinator place it exactly.
 */
export const POINT_SOURCES = ['address', 'place', 'commune_centre', 'map_click', 'unknown'] as const;
export type PointSource = (typeof POINT_SOURCES)[number];

export interface Suggestion {
  label: string;
  lng: number;
  lat: number;
  kind: SuggestionKind;
  /** Who answered: the national address base (or a self-hosted addok) or the territory's gazetteer. */
  source: 'ban' | 'gazetteer';
  /** The source to store with the point when this suggestion is chosen. */
  pointSource: PointSource;
  /** The commune (INSEE code) when known. */
  insee: string | null;
  /** 0…1, comparable across sources: the ranking key. */
  score: number;
}

export interface SearchQuery {
  q: string;
  /** Territories searched (null: every territory the reader sees). */
  territoryIds: number[] | null;
  /** Results near this point rank first. */
  near?: LngLatPoint;
  /** The passenger the place is typed for: the ends of their past requests that match rank first. */
  personId?: number;
  limit: number;
}

/** An address search engine behind one interface: the national base's API, or none (the gazetteer alone). */
export interface Geocoder {
  readonly name: string;
  search(q: SearchQuery): Promise<Suggestion[]>;
}

/** A geocoder that could not answer (down, slow, or answering something else than its documented format). */
export class GeocoderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GeocoderError';
  }
}

/** The point to store for a suggestion's kind. */
export const pointSourceOf = (kind: SuggestionKind): PointSource =>
  kind === 'address' ? 'address' : kind === 'commune' ? 'commune_centre' : 'place';
