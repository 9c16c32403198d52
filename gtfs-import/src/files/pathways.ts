import { col, req, type GtfsFile } from './spec.ts';

export const pathways: GtfsFile = {
  file: 'pathways.txt',
  table: 'pathways',
  required: false,
  defines: { column: 'pathway_id', ns: 'pathway' },
  columns: [
    req('pathway_id', 'id'),
    req('from_stop_id', 'id', { ref: 'place' }),
    req('to_stop_id', 'id', { ref: 'place' }),
    req('pathway_mode', 'enum', { values: [1, 2, 3, 4, 5, 6, 7] }),
    req('is_bidirectional', 'enum', { values: [0, 1] }),
    col('length', 'float'),
    col('traversal_time', 'uint'),
    col('stair_count', 'int'),
    col('max_slope', 'float'),
    col('min_width', 'float'),
    col('signposted_as', 'text'),
    col('reversed_signposted_as', 'text'),
  ],
  sql: `CREATE TABLE gtfs.pathways (
  feed_version_id integer NOT NULL,
  pathway_id text COLLATE "C" NOT NULL,
  from_stop_id text COLLATE "C" NOT NULL,
  to_stop_id text COLLATE "C" NOT NULL,
  pathway_mode smallint NOT NULL,
  is_bidirectional smallint NOT NULL,
  length double precision,
  traversal_time integer,
  stair_count integer,
  max_slope double precision,
  min_width double precision,
  signposted_as text,
  reversed_signposted_as text,
  PRIMARY KEY (feed_version_id, pathway_id)
) PARTITION BY LIST (feed_version_id);`,
};
