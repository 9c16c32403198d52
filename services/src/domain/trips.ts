import type { Db, Queryable } from '@comobi/db';
import { drawIds } from './ids.ts';
import { coarsePoint } from '../geo/coarse.ts';
import { pointCols, pointSql, readPoint, type LngLatPoint } from '../geo/sql.ts';
import type { PointSource } from '../geocoding/types.ts';
import { badRequest, notFound } from '../http/errors.ts';
import { filterBy, type ListSpec, type Where } from '../http/simple-rest.ts';
import type { LegIndex } from '../matching/leg-index.ts';
import { refreshTrip } from '../matching/leg-store.ts';
import { toClock, toMinutes } from '../time/clock.ts';
import { RouterError, type LngLat, type RouteResult, type Router } from '../routing/types.ts';
import { checkDrivers } from './people.ts';
import { inScope, type Scope, type Visibility } from './scope.ts';

export type TripKind = 'regular' | 'oneoff';

export interface TripRow {
  id: number;
  territory_id: number;
  driver_id: number;
  kind: TripKind;
  weekdays: number[];
  date: string | null;
  valid_from: string | null;
  valid_to: string | null;
  departure_min: number;
  return_min: number | null;
  origin_lng: number;
  origin_lat: number;
  destination_lng: number;
  destination_lat: number;
  origin_label: string | null;
  destination_label: string | null;
  origin_source: PointSource;
  destination_source: PointSource;
  seats: number;
  distance_m: number;
  duration_s: number;
  return_distance_m: number | null;
  return_duration_s: number | null;
  route_approximate: boolean;
  active: boolean;
  created_at: Date;
  updated_at: Date;
  route?: GeoJSONLine;
  return_route?: GeoJSONLine | null;
}

interface GeoJSONLine {
  type: 'LineString';
  coordinates: LngLat[];
}

export interface Trip {
  id: number;
  territoryId: number;
  driverId: number;
  kind: TripKind;
  weekdays: number[];
  date: string | null;
  validFrom: string | null;
  validTo: string | null;
  departureTime: string;
  returnTime: string | null;
  origin: LngLatPoint | null;
  destination: LngLatPoint | null;
  originLabel: string | null;
  destinationLabel: string | null;
  /** Where each end came from: a commune centre is approximate. */
  originSource: PointSource;
  destinationSource: PointSource;
  seats: number;
  distanceM: number;
  durationS: number;
  returnDistanceM: number | null;
  returnDurationS: number | null;
  routeApproximate: boolean;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
  route?: GeoJSONLine;
  returnRoute?: GeoJSONLine | null;
}

/** A driver's trip as a coordinator or a public form gives it. */
export interface TripInput {
  driverId: number;
  kind: TripKind;
  weekdays: number[];
  date?: string | null;
  validFrom?: string | null;
  validTo?: string | null;
  departureTime: string;
  returnTime?: string | null;
  origin: LngLatPoint;
  destination: LngLatPoint;
  originLabel?: string | null;
  destinationLabel?: string | null;
  originSource?: PointSource;
  destinationSource?: PointSource;
  seats: number;
  active: boolean;
}

const FROM = 'FROM trips t';
const COLUMNS = `t.id, t.territory_id, t.driver_id, t.kind, t.weekdays, t.date, t.valid_from, t.valid_to,
  t.departure_min, t.return_min, ${pointCols('t.origin', 'origin')}, ${pointCols('t.destination', 'destination')},
  t.origin_label, t.destination_label, t.origin_source, t.destination_source, t.seats, t.distance_m, t.duration_s, t.return_distance_m, t.return_duration_s,
  t.route_approximate, t.active, t.created_at, t.updated_at`;
const SELECT = (withRoute: boolean) =>
  `SELECT ${COLUMNS}${withRoute ? ', ST_AsGeoJSON(t.route, 6)::json AS route, ST_AsGeoJSON(t.return_route, 6)::json AS return_route' : ''} ${FROM}`;

/**
 * A trip starts and ends where the driver lives or works: readers who do not handle people get coarse ends, no
 * labels and no route.
 */
export function presentTrip(r: TripRow, v: Visibility): Trip {
  const personal = v === 'personal';
  const end = (as: string) => (personal ? readPoint(r, as) : coarsePoint(readPoint(r, as)));
  return {
    id: r.id,
    territoryId: r.territory_id,
    driverId: r.driver_id,
    kind: r.kind,
    weekdays: r.weekdays.map(Number),
    date: r.date,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    departureTime: toClock(r.departure_min),
    returnTime: r.return_min === null ? null : toClock(r.return_min),
    origin: end('origin'),
    destination: end('destination'),
    originLabel: personal ? r.origin_label : null,
    destinationLabel: personal ? r.destination_label : null,
    originSource: r.origin_source,
    destinationSource: r.destination_source,
    seats: r.seats,
    distanceM: Math.round(r.distance_m),
    durationS: Math.round(r.duration_s),
    returnDistanceM: r.return_distance_m === null ? null : Math.round(r.return_distance_m),
    returnDurationS: r.return_duration_s === null ? null : Math.round(r.return_duration_s),
    routeApproximate: r.route_approximate,
    active: r.active,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...(r.route !== undefined && personal ? { route: r.route, returnRoute: r.return_route } : {}),
  };
}

/** The input a trip has now: the base of a partial update. */
export function inputOfTrip(t: TripRow): TripInput & { territoryId: number } {
  return {
    territoryId: t.territory_id,
    driverId: t.driver_id,
    kind: t.kind,
    weekdays: t.weekdays.map(Number),
    date: t.date,
    validFrom: t.valid_from,
    validTo: t.valid_to,
    departureTime: toClock(t.departure_min),
    returnTime: t.return_min === null ? null : toClock(t.return_min),
    origin: readPoint(t, 'origin')!,
    destination: readPoint(t, 'destination')!,
    originLabel: t.origin_label,
    destinationLabel: t.destination_label,
    originSource: t.origin_source,
    destinationSource: t.destination_source,
    seats: t.seats,
    active: t.active,
  };
}

export const tripList: ListSpec = {
  select: SELECT(false),
  count: `SELECT count(*)::int AS n ${FROM}`,
  territoryColumn: 't.territory_id',
  sortable: {
    id: 't.id',
    departureTime: 't.departure_min',
    createdAt: 't.created_at',
    driverId: 't.driver_id',
    distanceM: 't.distance_m',
  },
  filters: {
    territoryId: filterBy.int('t.territory_id', 'territoryId'),
    driverId: filterBy.int('t.driver_id', 'driverId'),
    kind: filterBy.oneOf('t.kind', 'kind', ['regular', 'oneoff']),
    active: filterBy.bool('t.active', 'active'),
    q: (w: Where, v: unknown) => {
      if (typeof v !== 'string') throw badRequest('filter.q', 'must be text');
      const like = w.param(`%${v.replace(/[%_\\]/g, (c) => `\\${c}`)}%`);
      w.raw(`(t.origin_label ILIKE ${like} OR t.destination_label ILIKE ${like})`);
    },
    // Trips whose usual route passes within 2 km of a commune (the coordinator's "who drives through X?").
    communeInsee: (w: Where, v: unknown) => {
      if (typeof v !== 'string') throw badRequest('filter.communeInsee', 'must be an INSEE code');
      w.add(
        (ph) =>
          `EXISTS (SELECT 1 FROM communes c WHERE c.insee = ${ph} AND ST_DWithin(t.route::geography, c.geom::geography, 2000))`,
        v,
      );
    },
  },
  // Labels are addresses.
  personalFilters: ['q'],
};

export async function loadTrip(tx: Queryable, scope: Scope, id: number, withRoute = true): Promise<TripRow> {
  const { rows } = await tx.query<TripRow>(`${SELECT(withRoute)} WHERE t.id = $1`, [id]);
  const row = rows[0];
  if (!row || !inScope(scope, row.territory_id)) throw notFound('trip', id);
  return row;
}

/** A trip with its routes computed, ready to be written. */
export interface RoutedTrip {
  input: TripInput;
  out: RouteResult;
  back: RouteResult | null;
  approximate: boolean;
}

/**
 * The usual route (and the way back when there is a return time), computed BEFORE any transaction: a slow router
 * never holds a database lock. A pair with no road between is the caller's error, on `destination`.
 */
export async function routeTrip(router: Router, input: TripInput): Promise<RoutedTrip> {
  const o: LngLat = [input.origin.lng, input.origin.lat];
  const d: LngLat = [input.destination.lng, input.destination.lat];
  try {
    const out = await router.route([o, d]);
    const back = input.returnTime ? await router.route([d, o]) : null;
    return { input, out, back, approximate: router.approximate || Boolean(out.approximate) };
  } catch (e) {
    if (e instanceof RouterError)
      throw badRequest('destination', `no route between origin and destination (${e.message})`);
    throw e;
  }
}

const line = (coords: LngLat[]) =>
  JSON.stringify({ type: 'LineString', coordinates: coords.length >= 2 ? coords : [coords[0], coords[0]] });

const COLUMNS_WRITTEN = `territory_id, driver_id, kind, weekdays, date, valid_from, valid_to, departure_min, return_min,
  origin, destination, origin_label, destination_label, origin_source, destination_source, seats, route, distance_m, duration_s,
  return_route, return_distance_m, return_duration_s, route_approximate, active`;

/** A routed trip as the row the writers below read with jsonb_to_recordset. */
const rowOf = (territoryId: number, t: RoutedTrip) => {
  const b = t.input;
  return {
    territory_id: territoryId,
    driver_id: b.driverId,
    kind: b.kind,
    weekdays: b.kind === 'regular' ? b.weekdays : [],
    date: b.kind === 'oneoff' ? b.date : null,
    valid_from: b.validFrom ?? null,
    valid_to: b.validTo ?? null,
    departure_min: toMinutes(b.departureTime),
    return_min: b.returnTime ? toMinutes(b.returnTime) : null,
    o_lng: b.origin.lng,
    o_lat: b.origin.lat,
    d_lng: b.destination.lng,
    d_lat: b.destination.lat,
    origin_label: b.originLabel ?? null,
    destination_label: b.destinationLabel ?? null,
    origin_source: b.originSource ?? 'unknown',
    destination_source: b.destinationSource ?? 'unknown',
    seats: b.seats,
    route: line(t.out.coordinates),
    distance_m: t.out.distanceM,
    duration_s: t.out.durationS,
    return_route: t.back ? line(t.back.coordinates) : null,
    return_distance_m: t.back?.distanceM ?? null,
    return_duration_s: t.back?.durationS ?? null,
    route_approximate: t.approximate,
    active: b.active,
  };
};

const RECORDSET = `jsonb_to_recordset($1::jsonb) AS x(territory_id int, driver_id int, kind text, weekdays smallint[],
  date date, valid_from date, valid_to date, departure_min int, return_min int, o_lng float8, o_lat float8,
  d_lng float8, d_lat float8, origin_label text, destination_label text, origin_source text, destination_source text, seats int, route text, distance_m float8,
  duration_s float8, return_route text, return_distance_m float8, return_duration_s float8, route_approximate bool,
  active bool)`;
const VALUES_READ = `x.territory_id, x.driver_id, x.kind, x.weekdays, x.date, x.valid_from, x.valid_to, x.departure_min,
  x.return_min, ${pointSql('x.o_lng', 'x.o_lat')}, ${pointSql('x.d_lng', 'x.d_lat')}, x.origin_label,
  x.destination_label, x.origin_source, x.destination_source, x.seats, ST_SetSRID(ST_GeomFromGeoJSON(x.route), 4326), x.distance_m, x.duration_s,
  ST_SetSRID(ST_GeomFromGeoJSON(x.return_route), 4326), x.return_distance_m, x.return_duration_s,
  x.route_approximate, x.active`;

/**
 * The one writer of trips, in the caller's transaction: new routed trips (one or many: the demo, a territory's
 * import), after checking their drivers. Returns the ids in the order given. The index is refreshed by
 * `reindexTrip` once the transaction is committed.
 */
export async function insertTrips(tx: Queryable, scope: Scope, territoryId: number, trips: RoutedTrip[]): Promise<number[]> {
  if (!trips.length) return [];
  await checkDrivers(tx, scope, trips.map((t) => t.input.driverId), territoryId);
  const ids = await drawIds(tx, 'trips', trips.length);
  const rows = trips.map((t, i) => ({ id: ids[i], ...rowOf(territoryId, t) }));
  await tx.query(
    `INSERT INTO trips (id, ${COLUMNS_WRITTEN}) SELECT x.id, ${VALUES_READ}
     FROM ${RECORDSET.replace('x(territory_id', 'x(id int, territory_id')}`,
    [JSON.stringify(rows)],
  );
  return rows.map((r) => r.id);
}

/** A new trip, or a change of `tripId` (its route computed again): see `insertTrips`. */
export async function writeTrip(
  tx: Queryable,
  scope: Scope,
  territoryId: number,
  t: RoutedTrip,
  tripId?: number,
): Promise<number> {
  if (tripId === undefined) return (await insertTrips(tx, scope, territoryId, [t]))[0];
  await checkDrivers(tx, scope, [t.input.driverId], territoryId);
  const { rows } = await tx.query<{ id: number }>(
    `UPDATE trips SET (${COLUMNS_WRITTEN}, updated_at) = (SELECT ${VALUES_READ}, now() FROM ${RECORDSET})
     WHERE id = $2 RETURNING id`,
    [JSON.stringify([rowOf(territoryId, t)]), tripId],
  );
  if (!rows[0]) throw notFound('trip', tripId);
  return rows[0].id;
}

/** What matching needs to see a trip's change: read-your-writes here, other replicas follow through NOTIFY. */
export interface IndexDeps {
  db: Db;
  index: LegIndex;
}
/** A volunteer's match has no trip (null): nothing to refresh. */
export const reindexTrip = async (deps: IndexDeps, tripId: number | null) => {
  if (tripId !== null) await refreshTrip(deps.db, deps.index, tripId);
};

/**
 * Trips with match history are deactivated, not deleted: the history and statistics keep them. Returns the trip
 * as it was.
 */
export async function removeTrip(tx: Queryable, scope: Scope, id: number): Promise<TripRow> {
  const row = await loadTrip(tx, scope, id, false);
  const used = await tx.query('SELECT 1 FROM matches WHERE trip_id = $1 LIMIT 1', [id]);
  if (used.rows.length) await tx.query('UPDATE trips SET active = false, updated_at = now() WHERE id = $1', [id]);
  else await tx.query('DELETE FROM trips WHERE id = $1', [id]);
  return row;
}

/** A driver's trips, for their own page ("Mes trajets"). */
export async function tripsOfDriver(tx: Queryable, driverId: number) {
  const { rows } = await tx.query<{
    id: number;
    kind: TripKind;
    weekdays: number[];
    date: string | null;
    departure_min: number;
    origin_label: string | null;
    destination_label: string | null;
    active: boolean;
  }>(
    'SELECT id, kind, weekdays, date::text AS date, departure_min, origin_label, destination_label, active FROM trips WHERE driver_id = $1 ORDER BY id',
    [driverId],
  );
  return rows;
}
