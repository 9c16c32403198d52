import { col, req, type GtfsFile } from './spec.ts';

export const levels: GtfsFile = {
  file: 'levels.txt',
  table: 'levels',
  required: false,
  defines: { column: 'level_id', ns: 'level' },
  columns: [req('level_id', 'id'), req('level_index', 'float'), col('level_name', 'text')],
};
