import { col, req, type GtfsFile } from './spec.ts';

export const areas: GtfsFile = {
  file: 'areas.txt',
  table: 'areas',
  required: false,
  defines: { column: 'area_id', ns: 'place', key: 'place_key' },
  columns: [req('area_id', 'id'), col('area_name', 'text')],
  sql: `CREATE TABLE gtfs.areas (
  feed_version_id integer NOT NULL,
  area_id text COLLATE "C" NOT NULL,
  place_key integer NOT NULL,
  area_name text,
  PRIMARY KEY (feed_version_id, area_id),
  UNIQUE (feed_version_id, place_key)
) PARTITION BY LIST (feed_version_id);`,
};
