/**
 * Stable warning codes: the console words each one in French from its code and fields, the CLI prints `message`
 * (English). Tests and scripts match on codes, never on messages.
 */
export type WarningCode =
  | 'W_FOLDER' // files read from one folder inside the zip (refused with --strict)
  | 'W_IGNORED_FILE' // not a GTFS or GTFS-Flex file
  | 'W_UNKNOWN_COLUMN'
  | 'W_NO_ROWS' // an optional file with a header and no rows
  | 'W_EMPTY_FILE' // an optional file without even a header
  | 'W_SKIPPED_FILE' // a non-core file whose header does not fit (refused with --strict)
  | 'W_STRAY_QUOTE' // refused with --strict
  | 'W_NEWLINE_IN_VALUE' // a quoted value holding a line break: kept as is
  | 'W_SHORT_ROW' // refused with --strict
  | 'W_INVALID_COLOR' // refused with --strict
  | 'W_ROUTE_WITHOUT_AGENCY' // refused with --strict
  | 'W_NON_POLYGON_LOCATION' // refused with --strict
  | 'W_ONLY_ARRIVAL_OR_DEPARTURE' // an intermediate stop time with one time: the other reads the same (refused with --strict)
  | 'W_EXPIRED'; // the service ended before the import (refused with --strict)

export interface ImportWarning {
  code: WarningCode;
  file?: string;
  /** 1-based line in the file (the header is line 1). */
  line?: number;
  column?: string;
  value?: string;
  /** English, for the CLI and logs. */
  message: string;
}
