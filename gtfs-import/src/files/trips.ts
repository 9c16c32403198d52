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
  foreignKeys: [['feed_version_id, route_id', 'routes', 'feed_version_id, route_id']],
};
