import { req, type GtfsFile } from './spec.ts';

/** Fares v2 areas; the GTFS-Flex draft also used them as groups of zones and stops served on demand. */
export const stopAreas: GtfsFile = {
  file: 'stop_areas.txt',
  table: 'stop_areas',
  required: false,
  columns: [
    req('area_id', 'id', { ref: 'place', keyColumn: 'area_key' }),
    req('stop_id', 'id', { ref: 'place', keyColumn: 'stop_key' }),
  ],
};
