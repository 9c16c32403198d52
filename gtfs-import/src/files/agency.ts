import { col, req, type GtfsFile } from './spec.ts';

export const agency: GtfsFile = {
  file: 'agency.txt',
  table: 'agency',
  required: true,
  defines: { column: 'agency_id', ns: 'agency' },
  columns: [
    col('agency_id', 'id'),
    req('agency_name', 'text'),
    req('agency_url', 'text'),
    req('agency_timezone', 'text'),
    col('agency_lang', 'text'),
    col('agency_phone', 'text'),
    col('agency_fare_url', 'text'),
    col('agency_email', 'text'),
  ],
  sql: `CREATE TABLE gtfs.agency (
  feed_version_id integer NOT NULL,
  -- '' when the feed has a single agency without agency_id.
  agency_id text COLLATE "C" NOT NULL,
  agency_name text NOT NULL,
  agency_url text NOT NULL,
  agency_timezone text NOT NULL,
  agency_lang text,
  agency_phone text,
  agency_fare_url text,
  agency_email text,
  PRIMARY KEY (feed_version_id, agency_id)
) PARTITION BY LIST (feed_version_id);`,
};
