import { req, type GtfsFile } from './spec.ts';

export const calendarDates: GtfsFile = {
  file: 'calendar_dates.txt',
  table: 'calendar_dates',
  required: false,
  // service_id may be defined here only (feeds without calendar.txt).
  defines: { column: 'service_id', ns: 'service', shared: true },
  columns: [req('service_id', 'id'), req('date', 'date'), req('exception_type', 'enum', { values: [1, 2] })],
  sql: `CREATE TABLE gtfs.calendar_dates (
  feed_version_id integer NOT NULL,
  service_id text COLLATE "C" NOT NULL,
  date date NOT NULL,
  -- 1: service added on that date, 2: removed.
  exception_type smallint NOT NULL,
  -- Date first: the alternatives look services up by date (one index serves that and uniqueness).
  PRIMARY KEY (feed_version_id, date, service_id)
) PARTITION BY LIST (feed_version_id);`,
};
