import { col, req, type GtfsFile } from './spec.ts';

export const fareRules: GtfsFile = {
  file: 'fare_rules.txt',
  table: 'fare_rules',
  required: false,
  columns: [
    req('fare_id', 'id', { ref: 'fare' }),
    col('route_id', 'id', { ref: 'route' }),
    col('origin_id', 'text'),
    col('destination_id', 'text'),
    col('contains_id', 'text'),
  ],
};
