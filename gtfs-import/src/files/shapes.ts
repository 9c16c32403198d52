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
  sql: `CREATE TABLE gtfs.shapes (
  feed_version_id integer NOT NULL,
  shape_id text COLLATE "C" NOT NULL,
  pt geometry(Point, 4326) NOT NULL,
  shape_pt_sequence integer NOT NULL,
  shape_dist_traveled double precision,
  PRIMARY KEY (feed_version_id, shape_id, shape_pt_sequence)
) PARTITION BY LIST (feed_version_id);`,
};
