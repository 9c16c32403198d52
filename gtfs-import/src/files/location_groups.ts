import { col, req, type GtfsFile } from './spec.ts';

export const locationGroups: GtfsFile = {
  file: 'location_groups.txt',
  table: 'location_groups',
  required: false,
  defines: { column: 'location_group_id', ns: 'place', key: 'place_key' },
  columns: [req('location_group_id', 'id'), col('location_group_name', 'text')],
};
