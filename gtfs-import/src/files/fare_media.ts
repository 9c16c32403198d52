import { col, req, type GtfsFile } from './spec.ts';

export const fareMedia: GtfsFile = {
  file: 'fare_media.txt',
  table: 'fare_media',
  required: false,
  defines: { column: 'fare_media_id', ns: 'fare_media' },
  columns: [req('fare_media_id', 'id'), col('fare_media_name', 'text'), req('fare_media_type', 'enum', { values: [0, 1, 2, 3, 4] })],
};
