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
  sql: `CREATE TABLE gtfs.fare_leg_rules (
  feed_version_id integer NOT NULL,
  leg_group_id text COLLATE "C",
  network_id text COLLATE "C",
  from_area_id text COLLATE "C",
  to_area_id text COLLATE "C",
  from_timeframe_group_id text COLLATE "C",
  to_timeframe_group_id text COLLATE "C",
  fare_product_id text COLLATE "C" NOT NULL,
  rule_priority integer
) PARTITION BY LIST (feed_version_id);`,
};
