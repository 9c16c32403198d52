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
  foreignKeys: [['feed_version_id, trip_key', 'trips', 'feed_version_id, trip_key']],
};
