import { col, req, type GtfsFile } from './spec.ts';

export const trips: GtfsFile = {
  file: 'trips.txt',
  table: 'trips',
  required: true,
  defines: { column: 'trip_id', ns: 'trip', key: 'trip_key' },
  columns: [
    req('route_id', 'id', { ref: 'route' }),
    req('service_id', 'id', { ref: 'service' }),
    req('trip_id', 'id'),
    col('trip_headsign', 'text'),
    col('trip_short_name', 'text'),
    col('direction_id', 'enum', { values: [0, 1] }),
    col('block_id', 'text'),
    col('shape_id', 'id', { ref: 'shape' }),
    col('wheelchair_accessible', 'enum', { values: [0, 1, 2] }),
    col('bikes_allowed', 'enum', { values: [0, 1, 2] }),
  ],
  sql: `CREATE TABLE gtfs.trips (
  feed_version_id integer NOT NULL,
  trip_id text COLLATE "C" NOT NULL,
  -- Integer key used by stop_times (a third of the bytes of typical trip ids, and faster joins).
  trip_key integer NOT NULL,
  route_id text COLLATE "C" NOT NULL,
  service_id text COLLATE "C" NOT NULL,
  trip_headsign text,
  trip_short_name text,
  direction_id smallint,
  block_id text,
  shape_id text COLLATE "C",
  wheelchair_accessible smallint,
  bikes_allowed smallint,
  -- trip_id is unique too (checked while streaming, with its line); nothing looks trips up by it.
  PRIMARY KEY (feed_version_id, trip_key)
) PARTITION BY LIST (feed_version_id);`,
  foreignKeys: [['feed_version_id, route_id', 'routes', 'feed_version_id, route_id']],
};
