/** Coordinates are [lng, lat] everywhere (GeoJSON order), in degrees (WGS 84). */
export type LngLat = [number, number];

/** A point as the API writes it. */
export interface LngLatPoint {
  lng: number;
  lat: number;
}

/** A box in degrees, as rbush and PostGIS envelopes take it. */
export interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}
