import { col, req, type GtfsFile } from './spec.ts';

export const routes: GtfsFile = {
  file: 'routes.txt',
  table: 'routes',
  required: true,
  defines: { column: 'route_id', ns: 'route' },
  columns: [
    req('route_id', 'id'),
    // Optional when the feed has one agency: the importer fills it in.
    col('agency_id', 'id', { ref: 'agency' }),
    col('route_short_name', 'text'),
    col('route_long_name', 'text'),
    col('route_desc', 'text'),
    // Basic (0–12) and extended (100–1702) route types.
    req('route_type', 'uint'),
    col('route_url', 'text'),
    col('route_color', 'color'),
    col('route_text_color', 'color'),
    col('route_sort_order', 'uint'),
    col('continuous_pickup', 'enum', { values: [0, 1, 2, 3] }),
    col('continuous_drop_off', 'enum', { values: [0, 1, 2, 3] }),
    col('network_id', 'id'),
  ],
  foreignKeys: [['feed_version_id, agency_id', 'agency', 'feed_version_id, agency_id']],
};
