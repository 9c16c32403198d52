import { col, req, type GtfsFile } from './spec.ts';

export const fareTransferRules: GtfsFile = {
  file: 'fare_transfer_rules.txt',
  table: 'fare_transfer_rules',
  required: false,
  columns: [
    col('from_leg_group_id', 'id'),
    col('to_leg_group_id', 'id'),
    col('transfer_count', 'int'),
    col('duration_limit', 'uint'),
    col('duration_limit_type', 'enum', { values: [0, 1, 2, 3] }),
    req('fare_transfer_type', 'enum', { values: [0, 1, 2] }),
    col('fare_product_id', 'id', { ref: 'fare_product' }),
  ],
};
