import { z } from 'zod';
import { lat, lng } from '../http/validate.ts';
import type { LngLatPoint } from './types.ts';

export type { LngLatPoint };

/** SQL for a point parameter pair ($lng, $lat) in WGS 84. */
export const pointSql = (lngP: string, latP: string) => `ST_SetSRID(ST_MakePoint(${lngP}, ${latP}), 4326)`;

/** Columns that turn a point column into {lng, lat} numbers. */
export const pointCols = (column: string, as: string) => `ST_X(${column}) AS ${as}_lng, ST_Y(${column}) AS ${as}_lat`;


/** Reads the `<as>_lng`, `<as>_lat` columns of `pointCols`. */
export const readPoint = (row: object, as: string): LngLatPoint | null => {
  const r = row as Record<string, unknown>;
  return r[`${as}_lng`] == null ? null : { lng: Number(r[`${as}_lng`]), lat: Number(r[`${as}_lat`]) };
};

const position = z.tuple([lng, lat]);
const ring = z.array(position).min(4, 'a ring needs at least 4 positions');
export const polygonGeoJSON = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Polygon'), coordinates: z.array(ring).min(1) }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(ring).min(1)).min(1) }),
]);
