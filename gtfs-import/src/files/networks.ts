import { col, req, type GtfsFile } from './spec.ts';

export const networks: GtfsFile = {
  file: 'networks.txt',
  table: 'networks',
  required: false,
  defines: { column: 'network_id', ns: 'network' },
  columns: [req('network_id', 'id'), col('network_name', 'text')],
};
