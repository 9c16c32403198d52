import { req, type GtfsFile } from './spec.ts';

export const routeNetworks: GtfsFile = {
  file: 'route_networks.txt',
  table: 'route_networks',
  required: false,
  columns: [req('network_id', 'id', { ref: 'network' }), req('route_id', 'id', { ref: 'route' })],
};
