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
  sql: `CREATE TABLE gtfs.fare_attributes (
  feed_version_id integer NOT NULL,
  fare_id text COLLATE "C" NOT NULL,
  price double precision NOT NULL,
  currency_type text NOT NULL,
  payment_method smallint NOT NULL,
  transfers smallint,
  agency_id text COLLATE "C",
  transfer_duration integer,
  PRIMARY KEY (feed_version_id, fare_id)
) PARTITION BY LIST (feed_version_id);`,
};
