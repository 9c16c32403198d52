/**
 * What the request review page asks the API for on opening, in one place: the page (RequestShow.tsx) and boot.ts,
 * which asks the same before the app has started, build the same URLs, so that the page finds boot's answers.
 * No import of the app's libraries here (boot.ts takes this module along).
 */
type Pt = { lng: number; lat: number };
export interface ReviewHead {
  id: number;
  territoryId: number;
  passengerId: number | null;
  proposals: { id: number; tripId: number | null; driverId: number; kind?: string; leg: string; pickup: Pt; dropoff: Pt }[];
}

export const reviewReason = (requestId: number | string) => `request:${requestId}`;
export const requestPath = (requestId: number | string) => `/api/requests/${requestId}`;
export const tripPath = (tripId: number) => `/api/trips/${tripId}`;

/** The proposal drawn on the map: the one named by ?match= (from the work queue) when it is there, else the first. */
export const shownProposal = <P extends { id: number }>(proposals: P[], chosen: number | null): P | undefined =>
  proposals.find((p) => p.id === chosen) ?? proposals[0];

/** The passenger's and the drivers' names and phones, in one question; null when there is nobody to ask about. */
export function peoplePath(req: ReviewHead): string | null {
  const ids = [...new Set([req.passengerId, ...req.proposals.map((p) => p.driverId)].filter((x): x is number => x !== null))];
  if (!ids.length) return null;
  return `/api/people?${new URLSearchParams({ filter: JSON.stringify({ id: ids }), range: `[0,${ids.length - 1}]` })}`;
}

interface TripView {
  origin: Pt; destination: Pt; originLabel: string | null; destinationLabel: string | null;
  departureTime: string; returnTime?: string | null; route?: GeoJSON.LineString; returnRoute?: GeoJSON.LineString | null;
}

/**
 * A trip as the driver drives it on the match's leg: on its return, from the destination back to the origin, at the
 * return time, on the return route (the detour and the map were drawn on the outbound otherwise). Passengers' ways
 * back are often a commuter's evening return.
 */
export function asDriverLeg<T extends TripView>(t: T, leg: string): T {
  if (leg !== 'return') return t;
  return {
    ...t, origin: t.destination, destination: t.origin, originLabel: t.destinationLabel, destinationLabel: t.originLabel,
    departureTime: t.returnTime ?? t.departureTime, route: t.returnRoute ?? undefined,
  };
}

/** The route with the detour: the driver's start, the pickup, the drop-off, the driver's end (the service's OSRM endpoint). */
export function detourPath(trip: { origin: Pt; destination: Pt }, m: { pickup: Pt; dropoff: Pt }): string {
  const pts = [trip.origin, m.pickup, m.dropoff, trip.destination].map((p) => `${p.lng.toFixed(6)},${p.lat.toFixed(6)}`).join(';');
  return `/osrm/route/v1/driving/${pts}?overview=full&geometries=geojson`;
}
