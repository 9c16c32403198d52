/** Coordinates are [lng, lat]; times are minutes after midnight of the requested date (may exceed 1439 past midnight). */
export type LngLat = [number, number];

export interface AlternativesQuery {
  from: LngLat;
  to: LngLat;
  /** YYYY-MM-DD */
  date: string;
  timeMin: number;
  timeKind: 'depart' | 'arrive';
  toleranceMin: number;
  /** requests.purpose: 'health' adds seated-patient transport. */
  purpose: string;
  territoryId: number | null;
  /** Longest walk to the first stop and from the last one (straight line). */
  walkMaxM: number;
}

export interface StopRef {
  stopId: string;
  name: string | null;
  lngLat: LngLat | null;
}

export interface TransitLeg {
  feedVersionId: number;
  feedName: string;
  agency: { name: string; phone: string | null; url: string | null } | null;
  route: { id: string; shortName: string | null; longName: string | null; type: number };
  tripId: string;
  /** The trip's GTFS service day: the day before the requested date for a night trip that started the evening before. */
  serviceDate: string;
  headsign: string | null;
  from: StopRef;
  to: StopRef;
  /** Minutes after the requested date's midnight: negative the evening before, past 1439 after the next midnight. */
  departureMin: number;
  arrivalMin: number;
  /** "HH:MM" (24:10 past midnight, as GTFS writes it; a previous day's trip as the clock shows it). */
  departure: string;
  arrival: string;
}

export interface TransitJourney {
  kind: 'direct' | 'transfer';
  legs: TransitLeg[];
  walkToStopM: number;
  walkFromStopM: number;
  /** Door to door: leave the origin, reach the destination. */
  leaveMin: number;
  arriveMin: number;
  durationMin: number;
  /** Wait at the transfer stop (transfer journeys). */
  transferWaitMin: number | null;
}

export interface BookingRule {
  /** 0: real time, 1: same day with notice, 2: prior day(s). */
  bookingType: 0 | 1 | 2;
  phone: string | null;
  priorNoticeMinMin: number | null;
  priorNoticeMaxMin: number | null;
  priorNoticeLastDay: number | null;
  /** "HH:MM" on the last day. */
  priorNoticeLastTime: string | null;
  message: string | null;
  infoUrl: string | null;
  bookingUrl: string | null;
}

export interface OnDemandOption {
  source: 'gtfs-flex' | 'provider';
  name: string;
  phone: string | null;
  agency: string | null;
  feedVersionId: number | null;
  routeId: string | null;
  /** Service window at pickup, minutes (GTFS-Flex); null for providers. */
  windowStartMin: number | null;
  windowEndMin: number | null;
  pickup: { placeId: string; kind: string; name: string | null } | null;
  dropOff: { placeId: string; kind: string; name: string | null } | null;
  booking: BookingRule | null;
  providerId: number | null;
  notes: string | null;
}

export interface SeatedPatientProvider {
  id: number;
  kind: 'seated_patient' | 'taxi';
  name: string;
  phone: string | null;
  notes: string | null;
  /** GeoJSON MultiPolygon; null: the whole territory. */
  area: { type: 'MultiPolygon'; coordinates: number[][][][] } | null;
}

export interface Alternatives {
  transit: TransitJourney[];
  onDemand: OnDemandOption[];
  seatedPatient: SeatedPatientProvider[];
}
