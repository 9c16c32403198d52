import { col, req, type GtfsFile } from './spec.ts';

export const agency: GtfsFile = {
  file: 'agency.txt',
  table: 'agency',
  required: true,
  defines: { column: 'agency_id', ns: 'agency' },
  columns: [
    col('agency_id', 'id'),
    req('agency_name', 'text'),
    req('agency_url', 'text'),
    req('agency_timezone', 'text'),
    col('agency_lang', 'text'),
    col('agency_phone', 'text'),
    col('agency_fare_url', 'text'),
    col('agency_email', 'text'),
  ],
};
