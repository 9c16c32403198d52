import { col, req, type GtfsFile } from './spec.ts';

export const fareLegRules: GtfsFile = {
  file: 'fare_leg_rules.txt',
  table: 'fare_leg_rules',
  required: false,
  columns: [
    col('leg_group_id', 'id'),
    col('network_id', 'id'),
    col('from_area_id', 'id', { ref: 'place' }),
    col('to_area_id', 'id', { ref: 'place' }),
    col('from_timeframe_group_id', 'id'),
    col('to_timeframe_group_id', 'id'),
    req('fare_product_id', 'id', { ref: 'fare_product' }),
    col('rule_priority', 'uint'),
  ],
};
