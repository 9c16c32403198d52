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
};
