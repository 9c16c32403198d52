import type { GtfsFile } from './spec.ts';

/** locations.geojson (GTFS-Flex): on-demand zones. Read by the importer's GeoJSON path, not the CSV one. */
export const locations: GtfsFile = {
  file: 'locations.geojson',
  table: 'locations',
  required: false,
  defines: { column: 'location_id', ns: 'place', key: 'place_key' },
  columns: [],
  sql: `CREATE TABLE gtfs.locations (
  feed_version_id integer NOT NULL,
  location_id text COLLATE "C" NOT NULL,
  place_key integer NOT NULL,
  stop_name text,
  stop_desc text,
  zone_id text,
  stop_url text,
  geom geometry(Geometry, 4326) NOT NULL,
  PRIMARY KEY (feed_version_id, location_id),
  UNIQUE (feed_version_id, place_key)
) PARTITION BY LIST (feed_version_id);`,
  indexes: ['CREATE INDEX locations_geom_gix ON gtfs.locations USING gist (geom);'],
};
