import { col, req, type GtfsFile } from './spec.ts';

export const shapes: GtfsFile = {
  file: 'shapes.txt',
  table: 'shapes',
  required: false,
  defines: { column: 'shape_id', ns: 'shape', shared: true },
  point: { lat: 'shape_pt_lat', lon: 'shape_pt_lon', db: 'pt' },
  columns: [
    req('shape_id', 'id'),
    req('shape_pt_lat', 'lat', { db: null }),
    req('shape_pt_lon', 'lon', { db: null }),
    req('shape_pt_sequence', 'uint'),
    col('shape_dist_traveled', 'float'),
  ],
};
