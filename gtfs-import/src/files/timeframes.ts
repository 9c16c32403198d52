import { col, req, type GtfsFile } from './spec.ts';

export const timeframes: GtfsFile = {
  file: 'timeframes.txt',
  table: 'timeframes',
  required: false,
  columns: [req('timeframe_group_id', 'id'), col('start_time', 'time'), col('end_time', 'time'), req('service_id', 'id', { ref: 'service' })],
  sql: `CREATE TABLE gtfs.timeframes (
  feed_version_id integer NOT NULL,
  timeframe_group_id text COLLATE "C" NOT NULL,
  start_time integer,
  end_time integer,
  service_id text COLLATE "C" NOT NULL
) PARTITION BY LIST (feed_version_id);`,
};
