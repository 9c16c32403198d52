import { col, req, type GtfsFile } from './spec.ts';

export const timeframes: GtfsFile = {
  file: 'timeframes.txt',
  table: 'timeframes',
  required: false,
  columns: [req('timeframe_group_id', 'id'), col('start_time', 'time'), col('end_time', 'time'), req('service_id', 'id', { ref: 'service' })],
};
