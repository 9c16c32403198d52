import { col, req, type GtfsFile } from './spec.ts';

export const fareAttributes: GtfsFile = {
  file: 'fare_attributes.txt',
  table: 'fare_attributes',
  required: false,
  defines: { column: 'fare_id', ns: 'fare' },
  columns: [
    req('fare_id', 'id'),
    req('price', 'float'),
    req('currency_type', 'text'),
    req('payment_method', 'enum', { values: [0, 1] }),
    // Required, but empty means unlimited transfers.
    col('transfers', 'enum', { values: [0, 1, 2] }),
    col('agency_id', 'id', { ref: 'agency' }),
    col('transfer_duration', 'uint'),
  ],
};
