import type { GtfsFile } from './spec.ts';

/** locations.geojson (GTFS-Flex): on-demand zones. Read by the importer's GeoJSON path, not the CSV one. */
export const locations: GtfsFile = {
  file: 'locations.geojson',
  table: 'locations',
  required: false,
  defines: { column: 'location_id', ns: 'place', key: 'place_key' },
  columns: [],
};
