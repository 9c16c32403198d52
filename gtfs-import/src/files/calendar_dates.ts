import { req, type GtfsFile } from './spec.ts';

export const calendarDates: GtfsFile = {
  file: 'calendar_dates.txt',
  table: 'calendar_dates',
  required: false,
  // service_id may be defined here only (feeds without calendar.txt).
  defines: { column: 'service_id', ns: 'service', shared: true },
  columns: [req('service_id', 'id'), req('date', 'date'), req('exception_type', 'enum', { values: [1, 2] })],
};
