import { req, type GtfsFile } from './spec.ts';

export const locationGroupStops: GtfsFile = {
  file: 'location_group_stops.txt',
  table: 'location_group_stops',
  required: false,
  columns: [
    req('location_group_id', 'id', { ref: 'place', keyColumn: 'location_group_key' }),
    req('stop_id', 'id', { ref: 'place', keyColumn: 'stop_key' }),
  ],
  sql: `CREATE TABLE gtfs.location_group_stops (
  feed_version_id integer NOT NULL,
  location_group_key integer NOT NULL,
  stop_key integer NOT NULL,
  PRIMARY KEY (feed_version_id, location_group_key, stop_key)
) PARTITION BY LIST (feed_version_id);`,
  indexes: ['CREATE INDEX location_group_stops_stop_idx ON gtfs.location_group_stops (feed_version_id, stop_key);'],
};
