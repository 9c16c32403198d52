import { col, req, type GtfsFile } from './spec.ts';

export const networks: GtfsFile = {
  file: 'networks.txt',
  table: 'networks',
  required: false,
  defines: { column: 'network_id', ns: 'network' },
  columns: [req('network_id', 'id'), col('network_name', 'text')],
  sql: `CREATE TABLE gtfs.networks (
  feed_version_id integer NOT NULL,
  network_id text COLLATE "C" NOT NULL,
  network_name text,
  PRIMARY KEY (feed_version_id, network_id)
) PARTITION BY LIST (feed_version_id);`,
};
