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
  sql: `CREATE TABLE gtfs.calendar (
  feed_version_id integer NOT NULL,
  service_id text COLLATE "C" NOT NULL,
  monday boolean NOT NULL,
  tuesday boolean NOT NULL,
  wednesday boolean NOT NULL,
  thursday boolean NOT NULL,
  friday boolean NOT NULL,
  saturday boolean NOT NULL,
  sunday boolean NOT NULL,
  start_date date NOT NULL,
  end_date date NOT NULL,
  PRIMARY KEY (feed_version_id, service_id)
) PARTITION BY LIST (feed_version_id);`,
};
