import { col, req, type GtfsFile } from './spec.ts';

export const feedInfo: GtfsFile = {
  file: 'feed_info.txt',
  table: 'feed_info',
  required: false,
  columns: [
    req('feed_publisher_name', 'text'),
    req('feed_publisher_url', 'text'),
    req('feed_lang', 'text'),
    col('default_lang', 'text'),
    col('feed_start_date', 'date'),
    col('feed_end_date', 'date'),
    col('feed_version', 'text'),
    col('feed_contact_email', 'text'),
    col('feed_contact_url', 'text'),
  ],
  sql: `CREATE TABLE gtfs.feed_info (
  feed_version_id integer NOT NULL,
  feed_publisher_name text NOT NULL,
  feed_publisher_url text NOT NULL,
  feed_lang text NOT NULL,
  default_lang text,
  feed_start_date date,
  feed_end_date date,
  feed_version text,
  feed_contact_email text,
  feed_contact_url text
) PARTITION BY LIST (feed_version_id);`,
};
