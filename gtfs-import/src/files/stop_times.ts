import { col, req, type GtfsFile } from './spec.ts';

const pickupDropOff = [0, 1, 2, 3] as const;

export const stopTimes: GtfsFile = {
  file: 'stop_times.txt',
  table: 'stop_times',
  required: true,
  columns: [
    req('trip_id', 'id', { ref: 'trip', keyColumn: 'trip_key' }),
    col('arrival_time', 'time'),
    col('departure_time', 'time'),
    // One of stop_id, location_group_id, location_id (GTFS-Flex); the importer checks it. The Flex draft put zone and
    // area ids in stop_id: they share the place namespace, so stop_key resolves them too.
    col('stop_id', 'id', { ref: 'place', keyColumn: 'stop_key' }),
    col('location_group_id', 'id', { ref: 'place', keyColumn: 'location_group_key' }),
    col('location_id', 'id', { ref: 'place', keyColumn: 'location_key' }),
    req('stop_sequence', 'uint'),
    col('stop_headsign', 'text'),
    col('start_pickup_drop_off_window', 'time'),
    col('end_pickup_drop_off_window', 'time'),
    col('pickup_type', 'enum', { values: pickupDropOff }),
    col('drop_off_type', 'enum', { values: pickupDropOff }),
    col('continuous_pickup', 'enum', { values: pickupDropOff }),
    col('continuous_drop_off', 'enum', { values: pickupDropOff }),
    col('shape_dist_traveled', 'float'),
    col('timepoint', 'enum', { values: [0, 1] }),
    col('pickup_booking_rule_id', 'id', { ref: 'booking_rule', keyColumn: 'pickup_booking_rule_key' }),
    col('drop_off_booking_rule_id', 'id', { ref: 'booking_rule', keyColumn: 'drop_off_booking_rule_key' }),
    col('mean_duration_factor', 'float'),
    col('mean_duration_offset', 'float'),
    col('safe_duration_factor', 'float'),
    col('safe_duration_offset', 'float'),
  ],
  sql: `CREATE TABLE gtfs.stop_times (
  feed_version_id integer NOT NULL,
  trip_key integer NOT NULL,
  -- Seconds since the service day's start (noon minus 12 h): 25:10:00 is 90600, never wrapped.
  arrival_time integer,
  departure_time integer,
  -- Keys in the place namespace (stops.place_key, locations.place_key, location_groups.place_key, areas.place_key).
  stop_key integer,
  location_group_key integer,
  location_key integer,
  stop_sequence integer NOT NULL,
  stop_headsign text,
  start_pickup_drop_off_window integer,
  end_pickup_drop_off_window integer,
  pickup_type smallint,
  drop_off_type smallint,
  continuous_pickup smallint,
  continuous_drop_off smallint,
  shape_dist_traveled double precision,
  timepoint smallint,
  pickup_booking_rule_key integer,
  drop_off_booking_rule_key integer,
  mean_duration_factor double precision,
  mean_duration_offset double precision,
  safe_duration_factor double precision,
  safe_duration_offset double precision,
  PRIMARY KEY (feed_version_id, trip_key, stop_sequence)
) PARTITION BY LIST (feed_version_id);`,
  // Queries name the feed versions, which picks the partitions: indexes other than the key leave feed_version_id out
  // (a third smaller, a third faster to build).
  indexes: [
    'CREATE INDEX stop_times_stop_idx ON gtfs.stop_times (stop_key, departure_time);',
    // On-demand rows only (none in most feeds): the TAD alternatives look them up by place.
    `CREATE INDEX stop_times_flex_idx ON gtfs.stop_times ((COALESCE(location_key, location_group_key, stop_key)))
  WHERE start_pickup_drop_off_window IS NOT NULL OR pickup_type = 2 OR drop_off_type = 2;`,
  ],
  foreignKeys: [['feed_version_id, trip_key', 'trips', 'feed_version_id, trip_key']],
};
