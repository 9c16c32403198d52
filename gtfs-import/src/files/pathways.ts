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
};
