import type { Queryable } from '@comobi/db';
import type { Matcher, MatchQuery, Proposal } from '../matching/matcher.ts';
import { findAlternatives } from './index.ts';
import type { AlternativesQuery, TransitJourney } from './types.ts';

export interface CarpoolToTransit {
  /** The stop the driver drops the passenger at. */
  hub: { stopId: string; name: string | null; lngLat: [number, number]; feedVersionId: number };
  carpool: Proposal;
  transit: TransitJourney;
  /** Minutes between the drop-off at the hub and the departure of the first vehicle. */
  connectionMin: number;
  arriveMin: number;
}

/** Time to walk from the car to the platform and be there before the departure. */
const CONNECTION_MIN = 5;
const HUB_RADIUS_M = 40_000;
const MAX_HUBS = 6;

/**
 * When neither a driver alone nor transit alone serves a request: a driver to a stop from which a transit journey
 * reaches the destination. Hubs are the nearest stops with departures on active feeds, beyond walking distance of
 * the origin (otherwise transit alone would have done); for each, the carpool leg must drop the passenger early
 * enough for the connection.
 */
export async function carpoolToTransit(
  db: Queryable,
  matcher: Matcher,
  q: MatchQuery,
  alt: Omit<AlternativesQuery, 'from'>,
): Promise<CarpoolToTransit[]> {
  const { rows: hubs } = await db.query<{
    v: number;
    stop_id: string;
    stop_name: string | null;
    lng: number;
    lat: number;
  }>(
    `SELECT DISTINCT ON (COALESCE(s.parent_station, s.stop_id), s.feed_version_id)
            s.feed_version_id AS v, s.stop_id, s.stop_name, ST_X(s.geom) AS lng, ST_Y(s.geom) AS lat,
            ST_DistanceSphere(s.geom, p) AS dist
     FROM gtfs.stops s JOIN gtfs.feed_versions fv ON fv.id = s.feed_version_id AND fv.status = 'active',
          ST_SetSRID(ST_MakePoint($1, $2), 4326) p
     WHERE s.geom IS NOT NULL AND COALESCE(s.location_type, 0) = 0
       AND ST_DWithin(s.geom::geography, p::geography, $3) AND NOT ST_DWithin(s.geom::geography, p::geography, $4)
     ORDER BY COALESCE(s.parent_station, s.stop_id), s.feed_version_id, dist`,
    [q.from[0], q.from[1], HUB_RADIUS_M, alt.walkMaxM],
  );
  hubs.sort(
    (a, b) => Math.hypot(a.lng - q.from[0], a.lat - q.from[1]) - Math.hypot(b.lng - q.from[0], b.lat - q.from[1]),
  );
  const out: CarpoolToTransit[] = [];
  for (const hub of hubs.slice(0, MAX_HUBS)) {
    const at: [number, number] = [hub.lng, hub.lat];
    const found =
      q.timeKind === 'depart' ? await departFirst(db, matcher, q, alt, at) : await arriveFirst(db, matcher, q, alt, at);
    if (!found) continue;
    out.push({
      hub: { stopId: hub.stop_id, name: hub.stop_name, lngLat: at, feedVersionId: hub.v },
      ...found,
      connectionMin: found.transit.legs[0].departureMin - found.carpool.dropoff.timeMin,
      arriveMin: found.transit.arriveMin,
    });
  }
  return out.sort((a, b) => a.arriveMin - b.arriveMin);
}

/** Depart-at: the carpool leaves at the asked time, the first transit journey after the drop-off follows. */
async function departFirst(
  db: Queryable,
  matcher: Matcher,
  q: MatchQuery,
  alt: Omit<AlternativesQuery, 'from'>,
  at: [number, number],
) {
  const carpool = (await matcher.match({ ...q, to: at })).proposals[0];
  if (!carpool) return undefined;
  const ready = carpool.dropoff.timeMin + CONNECTION_MIN;
  const { transit } = await findAlternatives(db, {
    ...alt,
    from: at,
    walkMaxM: 300,
    timeKind: 'depart',
    timeMin: ready + alt.toleranceMin,
  });
  const journey = transit.filter((j) => j.legs[0].departureMin >= ready).sort((a, b) => a.arriveMin - b.arriveMin)[0];
  return journey ? { carpool, transit: journey } : undefined;
}

/** Arrive-by: transit arrives in time, then a driver reaches the stop before that journey leaves. */
async function arriveFirst(
  db: Queryable,
  matcher: Matcher,
  q: MatchQuery,
  alt: Omit<AlternativesQuery, 'from'>,
  at: [number, number],
) {
  const { transit } = await findAlternatives(db, {
    ...alt,
    from: at,
    walkMaxM: 300,
    timeKind: 'arrive',
    timeMin: q.timeMin,
  });
  for (const journey of transit
    .filter((j) => j.arriveMin <= q.timeMin)
    .sort((a, b) => b.legs[0].departureMin - a.legs[0].departureMin)) {
    const leaveAt = journey.legs[0].departureMin - CONNECTION_MIN;
    const carpool = (await matcher.match({ ...q, to: at, timeKind: 'arrive', timeMin: leaveAt, toleranceMin: 45 }))
      .proposals[0];
    if (carpool) return { carpool, transit: journey };
  }
  return undefined;
}
