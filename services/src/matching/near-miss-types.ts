/** The near misses' answer (GET /api/requests/:id/near-misses), apart from the search so that the console reads it. */

export type NearMissKind = 'time' | 'day' | 'corridor' | 'detour' | 'seats';
export type WideningKind = 'tolerance' | 'corridor' | 'day' | 'detour';

export interface NearMiss {
  kind: NearMissKind;
  tripId: number;
  driverId: number;
  leg: 'outbound' | 'return';
  /** The date the driver runs (day near misses: another date than the request's); null for recurring requests. */
  date: string | null;
  /** Recurring requests: the weekdays the driver runs among those searched. */
  weekdays?: number[];
  pickupTime: string;
  dropoffTime: string;
  detourS: number;
  detourM: number;
  /** time: offered − asked, minutes (the pickup for depart-at, the drop-off for arrive-by): negative is earlier. */
  gapMin?: number;
  /** day: days after (negative: before) the request's date. */
  dayShift?: number;
  /** corridor: the farther of pickup and drop-off from the driver's usual route, and how far past the corridor. */
  offRouteM?: number;
  beyondCorridorM?: number;
  /** detour: the driver's limit (the territory's cap, or its share of the driver's own time) and how far past it. */
  detourLimitS?: number;
  beyondDetourS?: number;
  /** seats: the seats still free that date (fewer than asked) and those already taken. */
  seatsFree?: number;
  seatsTaken?: number;
  /** The gap in French, as a coordinator says it: "passe à 07:10, 1 h 50 avant". */
  summary: string;
}

export interface Widening {
  kind: WideningKind;
  /** tolerance: ± minutes; corridor: metres; day: days either side (0 → 1); detour: the cap in minutes. */
  from: number;
  to: number;
  /** Drivers the widened search adds (counted on the near misses, which cover each widening). */
  adds: number;
  /** In French, for the button: "± 30 → ± 60 min". */
  label: string;
}

export interface NearMissAnswer {
  nearMisses: NearMiss[];
  widenings: Widening[];
  approximate: boolean;
}

