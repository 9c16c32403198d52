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
};
