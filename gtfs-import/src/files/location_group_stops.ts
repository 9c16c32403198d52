import { req, type GtfsFile } from './spec.ts';

export const locationGroupStops: GtfsFile = {
  file: 'location_group_stops.txt',
  table: 'location_group_stops',
  required: false,
  columns: [
    req('location_group_id', 'id', { ref: 'place', keyColumn: 'location_group_key' }),
    req('stop_id', 'id', { ref: 'place', keyColumn: 'stop_key' }),
  ],
};
