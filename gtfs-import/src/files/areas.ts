import { col, req, type GtfsFile } from './spec.ts';

export const areas: GtfsFile = {
  file: 'areas.txt',
  table: 'areas',
  required: false,
  defines: { column: 'area_id', ns: 'place', key: 'place_key' },
  columns: [req('area_id', 'id'), col('area_name', 'text')],
};
