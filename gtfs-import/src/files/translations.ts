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
  sql: `CREATE TABLE gtfs.translations (
  feed_version_id integer NOT NULL,
  table_name text NOT NULL,
  field_name text NOT NULL,
  language text NOT NULL,
  translation text NOT NULL,
  record_id text,
  record_sub_id text,
  field_value text
) PARTITION BY LIST (feed_version_id);`,
};
