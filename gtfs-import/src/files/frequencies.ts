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
};
