import { col, req, type GtfsFile } from './spec.ts';

export const stops: GtfsFile = {
  file: 'stops.txt',
  table: 'stops',
  // Conditionally required: a feed of on-demand zones only (locations.geojson) may have no stop.
  required: false,
  defines: { column: 'stop_id', ns: 'place', key: 'place_key' },
  point: { lat: 'stop_lat', lon: 'stop_lon', db: 'geom' },
  columns: [
    req('stop_id', 'id'),
    col('stop_code', 'text'),
    col('stop_name', 'text'),
    col('tts_stop_name', 'text'),
    col('stop_desc', 'text'),
    col('stop_lat', 'lat', { db: null }),
    col('stop_lon', 'lon', { db: null }),
    col('zone_id', 'text'),
    col('stop_url', 'text'),
    col('location_type', 'enum', { values: [0, 1, 2, 3, 4] }),
    // Checked at the end of the file (a station may come after its platforms).
    col('parent_station', 'id', { ref: 'place' }),
    col('stop_timezone', 'text'),
    col('wheelchair_boarding', 'enum', { values: [0, 1, 2] }),
    col('level_id', 'id', { ref: 'level' }),
    col('platform_code', 'text'),
  ],
  sql: `CREATE TABLE gtfs.stops (
  feed_version_id integer NOT NULL,
  stop_id text COLLATE "C" NOT NULL,
  -- Integer key in the feed version's place namespace (stops, locations, location groups, areas).
  place_key integer NOT NULL,
  stop_code text,
  stop_name text,
  tts_stop_name text,
  stop_desc text,
  geom geometry(Point, 4326),
  zone_id text,
  stop_url text,
  location_type smallint,
  parent_station text COLLATE "C",
  stop_timezone text,
  wheelchair_boarding smallint,
  level_id text COLLATE "C",
  platform_code text,
  PRIMARY KEY (feed_version_id, stop_id),
  UNIQUE (feed_version_id, place_key)
) PARTITION BY LIST (feed_version_id);`,
  indexes: ['CREATE INDEX stops_geom_gix ON gtfs.stops USING gist (geom);'],
};
