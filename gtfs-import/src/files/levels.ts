import { col, req, type GtfsFile } from './spec.ts';

export const levels: GtfsFile = {
  file: 'levels.txt',
  table: 'levels',
  required: false,
  defines: { column: 'level_id', ns: 'level' },
  columns: [req('level_id', 'id'), req('level_index', 'float'), col('level_name', 'text')],
  sql: `CREATE TABLE gtfs.levels (
  feed_version_id integer NOT NULL,
  level_id text COLLATE "C" NOT NULL,
  level_index double precision NOT NULL,
  level_name text,
  PRIMARY KEY (feed_version_id, level_id)
) PARTITION BY LIST (feed_version_id);`,
};
