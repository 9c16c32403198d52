/** Stable error codes: scripts and tests match on these, never on messages. */
export type GtfsErrorCode =
  | 'E_ZIP_INVALID'
  | 'E_ZIP_TOO_LARGE'
  | 'E_ZIP_PATH'
  | 'E_ZIP_FOLDER'
  | 'E_MISSING_FILE'
  | 'E_EMPTY_FILE'
  | 'E_ENCODING'
  | 'E_CSV_QUOTE'
  | 'E_COLUMN_COUNT'
  | 'E_DUPLICATE_COLUMN'
  | 'E_MISSING_COLUMN'
  | 'E_REQUIRED_VALUE'
  | 'E_INVALID_VALUE'
  | 'E_INVALID_TIME'
  | 'E_INVALID_DATE'
  | 'E_INVALID_COORDINATE'
  | 'E_DUPLICATE_ID'
  | 'E_MISSING_TRIP_EDGE'
  | 'E_ONLY_ARRIVAL_OR_DEPARTURE'
  | 'E_EXPIRED'
  | 'E_UNKNOWN_REF'
  | 'E_GEOJSON'
  | 'E_DOWNLOAD'
  | 'E_API'
  | 'E_DB';

export interface GtfsErrorInfo {
  code: GtfsErrorCode;
  file?: string;
  /** 1-based line in the file (the header is line 1); 0 when the error is about the whole file. */
  line?: number;
  column?: string;
  value?: string;
}

export class GtfsError extends Error {
  readonly code: GtfsErrorCode;
  readonly file?: string;
  readonly line?: number;
  readonly column?: string;
  readonly value?: string;

  constructor(info: GtfsErrorInfo, message: string) {
    const where = [info.file, info.line ? `line ${info.line}` : undefined, info.column ? `column ${info.column}` : undefined]
      .filter(Boolean)
      .join(', ');
    super(`${info.code}${where ? ` (${where})` : ''}: ${message}`);
    this.name = 'GtfsError';
    this.code = info.code;
    this.file = info.file;
    this.line = info.line;
    this.column = info.column;
    this.value = info.value;
  }

  toJSON() {
    return { code: this.code, file: this.file, line: this.line, column: this.column, value: this.value, message: this.message };
  }
}

export const gtfsError = (info: GtfsErrorInfo, message: string) => new GtfsError(info, message);
