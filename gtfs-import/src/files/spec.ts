/**
 * The shape of a GTFS file module: its columns (GTFS name, type, required), the ids it defines and references, and
 * the SQL of its table. The importer is generic over these modules.
 */

/** Id namespaces. `place` is GTFS's "stop location" namespace: stops, locations.geojson ids, location groups, areas. */
export type Namespace =
  | 'agency' | 'place' | 'route' | 'service' | 'trip' | 'shape' | 'booking_rule' | 'level' | 'fare' | 'network'
  | 'timeframe' | 'fare_media' | 'fare_product' | 'rider_category' | 'leg_group' | 'pathway' | 'zone';

export type ColumnType =
  | 'id' // text identifier (stored COLLATE "C")
  | 'text'
  | 'int'
  | 'uint'
  | 'float'
  | 'lat'
  | 'lon'
  | 'date' // YYYYMMDD → date
  | 'time' // H:MM:SS, past 24:00:00 allowed → integer seconds since the service day's start
  | 'enum' // small integer among `values`
  | 'bool' // 0/1
  | 'color';

export interface Column {
  name: string;
  type: ColumnType;
  required?: boolean;
  /** Enum values (the empty value is allowed unless `required`). */
  values?: readonly number[];
  /** The value must be an id defined in this namespace (checked while streaming, with line and column). */
  ref?: Namespace;
  /** Store the integer key of the referenced id under this column name instead of the text id. */
  keyColumn?: string;
  /** Column in the table; null: read and checked but not stored. Defaults to `name`. */
  db?: string | null;
}

export interface GtfsFile {
  /** File name in the zip. */
  file: string;
  /** Table in schema gtfs, partitioned by feed_version_id. */
  table: string;
  /** true: the feed is invalid without it; false: optional. (Conditional rules are checked by the importer.) */
  required: boolean;
  columns: Column[];
  /** The id this file defines: unique within the file (and the namespace). `key` is an integer surrogate column. */
  defines?: { column: string; ns: Namespace; key?: string; shared?: boolean };
  /** lat/lon columns turned into a Point geometry column. */
  point?: { lat: string; lon: string; db: string; requiredUnless?: (row: (string | null)[], idx: Map<string, number>) => boolean };
  // The table itself, partitioned by feed_version_id, and its indexes (built on each partition when it is attached,
  // i.e. after the load) are in gtfs-import/migrations/100_gtfs.sql; a test checks every stored column is there.
  /** Foreign keys added on each partition after the load: [columns, referenced table, referenced columns]. */
  foreignKeys?: [string, string, string][];
}

export const col = (name: string, type: ColumnType, extra: Partial<Column> = {}): Column => ({ name, type, ...extra });
export const req = (name: string, type: ColumnType, extra: Partial<Column> = {}): Column => ({ name, type, required: true, ...extra });
