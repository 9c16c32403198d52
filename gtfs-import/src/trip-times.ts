import { gtfsError } from './errors.ts';
import type { Value } from './target.ts';
import type { ImportWarning } from './warnings.ts';

const ARRIVAL = 1;
const DEPARTURE = 2;
const WINDOW = 4;
const BOTH = ARRIVAL | DEPARTURE;
const FILE = 'stop_times.txt';
/** Warnings listed per kind (the importer lists as many). */
const LISTED = 5;

/** Positions in the output row of stop_times.txt (-1: the column is not in the file). */
export interface TimePositions {
  tripKey: number;
  stopSequence: number;
  arrival: number;
  departure: number;
  windowStart: number;
  windowEnd: number;
}

export interface TripTimesOptions {
  strict: boolean;
  /** A lenient reading (counted; --strict refuses it instead). */
  fix: (kind: string, w?: ImportWarning) => void;
  tripId: (key: number) => string;
}

/**
 * arrival_time and departure_time as the GTFS reference states them: both are required at the first and the last stop
 * time of a trip (by stop_sequence), unless it has a pickup/drop-off window (GTFS-Flex), which forbids them
 * (E_MISSING_TRIP_EDGE, the reference validator's missing_trip_edge). In between either may be empty; one without the
 * other is read as the same time ("if there are not separate times for arrival and departure at a stop, enter the same
 * value"), with a warning; --strict refuses it, as the reference validator does
 * (stop_time_with_only_arrival_or_departure_time → E_ONLY_ARRIVAL_OR_DEPARTURE).
 * Rows come in any order: only each trip's first and last rows so far are kept, in typed arrays by trip key.
 */
export function tripTimesCheck(p: TimePositions, trips: number, o: TripTimesOptions) {
  const n = trips + 1;
  // stop_sequence is at most 9 digits (parseUint): it fits an Int32.
  const firstSeq = new Int32Array(n).fill(-1);
  const lastSeq = new Int32Array(n).fill(-1);
  const firstLine = new Int32Array(n);
  const lastLine = new Int32Array(n);
  const firstFlags = new Uint8Array(n);
  const lastFlags = new Uint8Array(n);
  // Rows with one time of the two, four numbers each (line, trip key, stop_sequence, flags): judged at the end, once
  // the trips' first and last stops are known.
  const single: number[] = [];

  const missing = (flags: number) => (flags & ARRIVAL ? 'departure_time' : 'arrival_time');

  return {
    /** One converted row (before it is written: the lenient reading fills the missing time in `out`). */
    row(out: Value[], line: number) {
      const key = out[p.tripKey] as number;
      const seq = out[p.stopSequence] as number;
      let flags = 0;
      if (p.arrival >= 0 && out[p.arrival] !== null) flags |= ARRIVAL;
      if (p.departure >= 0 && out[p.departure] !== null) flags |= DEPARTURE;
      if ((p.windowStart >= 0 && out[p.windowStart] !== null) || (p.windowEnd >= 0 && out[p.windowEnd] !== null)) flags |= WINDOW;
      if (flags === ARRIVAL || flags === DEPARTURE) {
        single.push(line, key, seq, flags);
        if (flags === ARRIVAL && p.departure >= 0) out[p.departure] = out[p.arrival];
        else if (flags === DEPARTURE && p.arrival >= 0) out[p.arrival] = out[p.departure];
      }
      if (firstSeq[key] < 0 || seq < firstSeq[key]) {
        firstSeq[key] = seq;
        firstLine[key] = line;
        firstFlags[key] = flags;
      }
      if (seq > lastSeq[key]) {
        lastSeq[key] = seq;
        lastLine[key] = line;
        lastFlags[key] = flags;
      }
    },

    /** After the file (each pass of it): the first error by line, or the warnings; then ready for the next pass. */
    end() {
      let bad: { line: number; key: number; seq: number; flags: number; edge: string } | undefined;
      const check = (key: number, line: number, seq: number, flags: number, edge: string) => {
        if (flags & WINDOW || (flags & BOTH) === BOTH) return;
        if (!bad || line < bad.line) bad = { line, key, seq, flags, edge };
      };
      for (let k = 1; k < n; k++) {
        if (firstSeq[k] < 0) continue;
        check(k, firstLine[k], firstSeq[k], firstFlags[k], 'first');
        if (lastLine[k] !== firstLine[k]) check(k, lastLine[k], lastSeq[k], lastFlags[k], 'last');
      }
      if (bad) {
        const column = missing(bad.flags);
        throw gtfsError(
          { code: 'E_MISSING_TRIP_EDGE', file: FILE, line: bad.line, column },
          `${column} is required at the ${bad.edge} stop of trip "${o.tripId(bad.key)}" (stop_sequence ${bad.seq})`,
        );
      }
      for (let i = 0; i < single.length; i += 4) {
        const [line, key, seq, flags] = [single[i], single[i + 1], single[i + 2], single[i + 3]];
        // Messages name the trip (a scan of the trip ids): only for the rows that are listed.
        if (!o.strict && i >= LISTED * 4) {
          o.fix('only_arrival_or_departure');
          continue;
        }
        const column = missing(flags);
        const given = column === 'arrival_time' ? 'departure_time' : 'arrival_time';
        const what = `trip "${o.tripId(key)}" stop_sequence ${seq} has ${given} but no ${column}`;
        if (o.strict) {
          throw gtfsError({ code: 'E_ONLY_ARRIVAL_OR_DEPARTURE', file: FILE, line, column }, `${what} (give both, the same value when there is one time)`);
        }
        o.fix('only_arrival_or_departure', { code: 'W_ONLY_ARRIVAL_OR_DEPARTURE', file: FILE, line, column, message: `${FILE} line ${line}: ${what}; read as the same time` });
      }
      single.length = 0;
      firstSeq.fill(-1);
      lastSeq.fill(-1);
    },
  };
}
