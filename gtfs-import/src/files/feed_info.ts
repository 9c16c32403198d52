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
};
