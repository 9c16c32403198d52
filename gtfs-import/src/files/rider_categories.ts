import { col, req, type GtfsFile } from './spec.ts';

export const riderCategories: GtfsFile = {
  file: 'rider_categories.txt',
  table: 'rider_categories',
  required: false,
  defines: { column: 'rider_category_id', ns: 'rider_category' },
  columns: [
    req('rider_category_id', 'id'),
    req('rider_category_name', 'text'),
    col('is_default_fare_category', 'enum', { values: [0, 1] }),
    col('eligibility_url', 'text'),
  ],
  sql: `CREATE TABLE gtfs.rider_categories (
  feed_version_id integer NOT NULL,
  rider_category_id text COLLATE "C" NOT NULL,
  rider_category_name text NOT NULL,
  is_default_fare_category smallint,
  eligibility_url text,
  PRIMARY KEY (feed_version_id, rider_category_id)
) PARTITION BY LIST (feed_version_id);`,
};
