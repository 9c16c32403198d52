import { col, req, type GtfsFile } from './spec.ts';

export const transfers: GtfsFile = {
  file: 'transfers.txt',
  table: 'transfers',
  required: false,
  columns: [
    col('from_stop_id', 'id', { ref: 'place' }),
    col('to_stop_id', 'id', { ref: 'place' }),
    col('from_route_id', 'id', { ref: 'route' }),
    col('to_route_id', 'id', { ref: 'route' }),
    col('from_trip_id', 'id', { ref: 'trip' }),
    col('to_trip_id', 'id', { ref: 'trip' }),
    req('transfer_type', 'enum', { values: [0, 1, 2, 3, 4, 5] }),
    col('min_transfer_time', 'uint'),
  ],
};
