import { req, type GtfsFile } from './spec.ts';

export const routeNetworks: GtfsFile = {
  file: 'route_networks.txt',
  table: 'route_networks',
  required: false,
  columns: [req('network_id', 'id', { ref: 'network' }), req('route_id', 'id', { ref: 'route' })],
  sql: `CREATE TABLE gtfs.route_networks (
  feed_version_id integer NOT NULL,
  network_id text COLLATE "C" NOT NULL,
  route_id text COLLATE "C" NOT NULL,
  PRIMARY KEY (feed_version_id, route_id)
) PARTITION BY LIST (feed_version_id);`,
};
