import { col, req, type GtfsFile } from './spec.ts';

export const locationGroups: GtfsFile = {
  file: 'location_groups.txt',
  table: 'location_groups',
  required: false,
  defines: { column: 'location_group_id', ns: 'place', key: 'place_key' },
  columns: [req('location_group_id', 'id'), col('location_group_name', 'text')],
  sql: `CREATE TABLE gtfs.location_groups (
  feed_version_id integer NOT NULL,
  location_group_id text COLLATE "C" NOT NULL,
  place_key integer NOT NULL,
  location_group_name text,
  PRIMARY KEY (feed_version_id, location_group_id),
  UNIQUE (feed_version_id, place_key)
) PARTITION BY LIST (feed_version_id);`,
};
