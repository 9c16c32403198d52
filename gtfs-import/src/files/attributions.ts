import { col, req, type GtfsFile } from './spec.ts';

export const attributions: GtfsFile = {
  file: 'attributions.txt',
  table: 'attributions',
  required: false,
  columns: [
    col('attribution_id', 'id'),
    col('agency_id', 'id', { ref: 'agency' }),
    col('route_id', 'id', { ref: 'route' }),
    col('trip_id', 'id', { ref: 'trip' }),
    req('organization_name', 'text'),
    col('is_producer', 'enum', { values: [0, 1] }),
    col('is_operator', 'enum', { values: [0, 1] }),
    col('is_authority', 'enum', { values: [0, 1] }),
    col('attribution_url', 'text'),
    col('attribution_email', 'text'),
    col('attribution_phone', 'text'),
  ],
};
