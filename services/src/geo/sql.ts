import { z } from 'zod';
import { lat, lng } from '../http/validate.ts';

/** SQL for a point parameter pair ($lng, $lat) in WGS 84. */
export const pointSql = (lngP: string, latP: string) => `ST_SetSRID(ST_MakePoint(${lngP}, ${latP}), 4326)`;

/** Columns that turn a point column into {lng, lat} numbers. */
export const pointCols = (column: string, as: string) => `ST_X(${column}) AS ${as}_lng, ST_Y(${column}) AS ${as}_lat`;

export const readPoint = (row: Record<string, unknown>, as: string) =>
  row[`${as}_lng`] == null ? null : { lng: Number(row[`${as}_lng`]), lat: Number(row[`${as}_lat`]) };

const position = z.tuple([lng, lat]);
const ring = z.array(position).min(4, 'a ring needs at least 4 positions');
export const polygonGeoJSON = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Polygon'), coordinates: z.array(ring).min(1) }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(ring).min(1)).min(1) }),
]);
