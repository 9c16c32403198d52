import { col, req, type GtfsFile } from './spec.ts';

export const frequencies: GtfsFile = {
  file: 'frequencies.txt',
  table: 'frequencies',
  required: false,
  columns: [
    req('trip_id', 'id', { ref: 'trip', keyColumn: 'trip_key' }),
    req('start_time', 'time'),
    req('end_time', 'time'),
    req('headway_secs', 'uint'),
    col('exact_times', 'enum', { values: [0, 1] }),
  ],
  sql: `CREATE TABLE gtfs.frequencies (
  feed_version_id integer NOT NULL,
  trip_key integer NOT NULL,
  start_time integer NOT NULL,
  end_time integer NOT NULL,
  headway_secs integer NOT NULL,
  exact_times smallint,
  PRIMARY KEY (feed_version_id, trip_key, start_time)
) PARTITION BY LIST (feed_version_id);`,
};
