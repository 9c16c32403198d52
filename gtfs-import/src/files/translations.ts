import { col, req, type GtfsFile } from './spec.ts';

export const translations: GtfsFile = {
  file: 'translations.txt',
  table: 'translations',
  required: false,
  columns: [
    req('table_name', 'text'),
    req('field_name', 'text'),
    req('language', 'text'),
    req('translation', 'text'),
    col('record_id', 'text'),
    col('record_sub_id', 'text'),
    col('field_value', 'text'),
  ],
};
