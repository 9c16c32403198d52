import type { FlatCoords } from '../geo/polyline.ts';
import type { LngLat, Router } from '../routing/types.ts';
import type { Schedule } from './schedule.ts';

/**
 * One way a driver drives: the outbound trip, or the return of a regular trip. The unit of matching.
 * `key` is the index's numeric id: tripId * 2 (+1 for the return).
 */
export interface Leg {
  key: number;
  tripId: number;
  leg: 'outbound' | 'return';
  driverId: number;
  territoryId: number;
  schedule: Schedule;
  departureMin: number;
  seats: number;
  /** Seats already taken per date (accepted, confirmed or done matches); NO_BOOKINGS when none. */
  bookedByDate: ReadonlyMap<string, number>;
  directContact: boolean;
  coords: FlatCoords;
  cumM: Float64Array;
  distanceM: number;
  durationS: number;
  origin: LngLat;
  destination: LngLat;
  /** Origin → destination as the current router answers it: request-independent, computed once per leg. */
  direct?: { router: Router; durationS: number | null; distanceM: number | null };
}

/** One shared empty map for the legs without bookings, most of them: a map each was a tenth of a leg's memory. */
export const NO_BOOKINGS: ReadonlyMap<string, number> = new Map();

export const legKey = (tripId: number, leg: 'outbound' | 'return') => tripId * 2 + (leg === 'return' ? 1 : 0);

export function freeSeats(l: Leg, date: string | null): number {
  return l.seats - (date ? (l.bookedByDate.get(date) ?? 0) : 0);
}
