import { col, req, type GtfsFile } from './spec.ts';

export const fareMedia: GtfsFile = {
  file: 'fare_media.txt',
  table: 'fare_media',
  required: false,
  defines: { column: 'fare_media_id', ns: 'fare_media' },
  columns: [req('fare_media_id', 'id'), col('fare_media_name', 'text'), req('fare_media_type', 'enum', { values: [0, 1, 2, 3, 4] })],
  sql: `CREATE TABLE gtfs.fare_media (
  feed_version_id integer NOT NULL,
  fare_media_id text COLLATE "C" NOT NULL,
  fare_media_name text,
  fare_media_type smallint NOT NULL,
  PRIMARY KEY (feed_version_id, fare_media_id)
) PARTITION BY LIST (feed_version_id);`,
};
