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
  sql: `CREATE TABLE gtfs.fare_rules (
  feed_version_id integer NOT NULL,
  fare_id text COLLATE "C" NOT NULL,
  route_id text COLLATE "C",
  origin_id text,
  destination_id text,
  contains_id text
) PARTITION BY LIST (feed_version_id);`,
};
