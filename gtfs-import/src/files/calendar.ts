import { req, type GtfsFile } from './spec.ts';

export const calendar: GtfsFile = {
  file: 'calendar.txt',
  table: 'calendar',
  required: false,
  defines: { column: 'service_id', ns: 'service' },
  columns: [
    req('service_id', 'id'),
    ...['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => req(d, 'bool')),
    req('start_date', 'date'),
    req('end_date', 'date'),
  ],
};
