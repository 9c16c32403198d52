import { col, req, type GtfsFile } from './spec.ts';

export const fareProducts: GtfsFile = {
  file: 'fare_products.txt',
  table: 'fare_products',
  required: false,
  // A product may have one row per medium or rider category: the id repeats.
  defines: { column: 'fare_product_id', ns: 'fare_product', shared: true },
  columns: [
    req('fare_product_id', 'id'),
    col('fare_product_name', 'text'),
    col('rider_category_id', 'id', { ref: 'rider_category' }),
    col('fare_media_id', 'id', { ref: 'fare_media' }),
    req('amount', 'float'),
    req('currency', 'text'),
  ],
};
