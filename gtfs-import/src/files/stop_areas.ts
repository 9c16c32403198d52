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
  sql: `CREATE TABLE gtfs.stop_areas (
  feed_version_id integer NOT NULL,
  area_key integer NOT NULL,
  stop_key integer NOT NULL,
  PRIMARY KEY (feed_version_id, area_key, stop_key)
) PARTITION BY LIST (feed_version_id);`,
  indexes: ['CREATE INDEX stop_areas_stop_idx ON gtfs.stop_areas (feed_version_id, stop_key);'],
};
