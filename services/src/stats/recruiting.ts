import type { Queryable } from '@comobi/db';
import { publish, type Published } from './suppress.ts';

/**
 * Where drivers are missing: the unserved remainder grouped by commune of departure, commune of arrival and hour,
 * the pairs with the most unserved demand first, and for each what a recruiting campaign should look for.
 *
 * The remainder is what no driver could take: requests closed as unserved for want of a driver (no driver, none at
 * that time, no seat left, drivers who declined), as a coordinator closes them or as a plan leaves them. Requests
 * the passenger cancelled or that went to a bus, on-demand transport or a seated-patient transport are not counted:
 * more drivers would not have changed them. Open requests are not either: nobody has looked for their driver yet.
 */
export const MISSING_DRIVER_REASONS = ['no_driver', 'no_driver_at_time', 'no_seat', 'driver_declined'] as const;

/**
 * Passengers one regular driver takes on one day of the axis: a trip offers 2 to 3 seats in the Lot's data (the
 * demo's drivers 2.6 on average), and a solidarity driver rarely stops twice; 2 is the cautious figure.
 */
export const PASSENGERS_PER_DRIVER_DAY = 2;
/** A regular driver already "on the axis" leaves within this distance of the pair's departure commune centre and ends within it of the arrival one. */
export const AXIS_RADIUS_M = 5000;

/** The remainder's requests ($1 territory ids or null, $2–$3 dates, $4 the reasons above). */
const REMAINDER = `SELECT r.territory_id, r.date, r.time_min, r.time_kind, r.from_point, r.to_point FROM requests r
  WHERE ($1::int[] IS NULL OR r.territory_id = ANY($1::int[])) AND r.date BETWEEN $2::date AND $3::date
    AND r.status = 'unserved' AND r.unserved_reason = ANY($4::text[])`;

export interface RecruitingPair {
  origin: { insee: string; name: string; lng: number; lat: number };
  destination: { insee: string; name: string; lng: number; lat: number };
  /** Hour of the time asked (0–23): an arrival time for arrive-by requests, a departure time otherwise. */
  hour: number;
  /** The requests of the pair: arrive-by (most are appointments) or depart-at. */
  timeKind: 'arrive' | 'depart';
  unserved: number;
  /** Days with unserved demand on the pair at that hour. */
  days: number;
  /** The most unserved requests of one day. */
  peakDay: number;
  /** Regular drivers on the axis at that hour who would have served every day's demand. */
  driversNeeded: number;
  /** Regular drivers the territory already has on the axis (any hour, either way): whom to ask about this hour first. */
  driversOnAxis: number;
}

export interface Recruiting {
  from: string;
  to: string;
  unservedTotal: number;
  pairs: RecruitingPair[];
}

/** Grouping, in the caller's transaction (and row-level scope); territoryIds null: every territory visible. */
export async function recruitingPairs(
  tx: Queryable,
  q: { territoryIds: number[] | null; from: string; to: string; limit: number },
): Promise<Recruiting> {
  const { rows } = await tx.query<{
    o_insee: string;
    o_name: string;
    o_lng: number;
    o_lat: number;
    d_insee: string;
    d_name: string;
    d_lng: number;
    d_lat: number;
    hour: number;
    time_kind: 'arrive' | 'depart';
    n: number;
    days: number;
    peak: number;
    on_axis: number;
  }>(
    `WITH remainder AS (${REMAINDER}),
     placed AS (
       SELECT x.territory_id, x.date, x.time_kind, (x.time_min / 60)::int AS hour, co.insee AS o_insee, cd.insee AS d_insee
       FROM remainder x
       JOIN communes co ON ST_Intersects(co.geom, x.from_point)
       JOIN communes cd ON ST_Intersects(cd.geom, x.to_point)
     ), per_day AS (
       SELECT o_insee, d_insee, hour, time_kind, date, count(*)::int AS n FROM placed GROUP BY 1, 2, 3, 4, 5
     ), grouped AS (
       SELECT o_insee, d_insee, hour, time_kind, sum(n)::int AS n, count(*)::int AS days, max(n)::int AS peak
       FROM per_day GROUP BY 1, 2, 3, 4
     )
     SELECT g.o_insee, co.name AS o_name, ST_X(co.centroid) AS o_lng, ST_Y(co.centroid) AS o_lat,
       g.d_insee, cd.name AS d_name, ST_X(cd.centroid) AS d_lng, ST_Y(cd.centroid) AS d_lat,
       g.hour, g.time_kind, g.n, g.days, g.peak,
       (SELECT count(DISTINCT t.driver_id) FROM trips t
          WHERE t.active AND t.kind = 'regular' AND ($1::int[] IS NULL OR t.territory_id = ANY($1::int[]))
            AND ((ST_DWithin(t.origin::geography, co.centroid::geography, $5)
                  AND ST_DWithin(t.destination::geography, cd.centroid::geography, $5))
              OR (t.return_min IS NOT NULL
                  AND ST_DWithin(t.destination::geography, co.centroid::geography, $5)
                  AND ST_DWithin(t.origin::geography, cd.centroid::geography, $5))))::int AS on_axis
     FROM grouped g JOIN communes co ON co.insee = g.o_insee JOIN communes cd ON cd.insee = g.d_insee
     ORDER BY g.n DESC, g.days DESC, co.name, cd.name, g.hour LIMIT $6`,
    [q.territoryIds, q.from, q.to, MISSING_DRIVER_REASONS, AXIS_RADIUS_M, q.limit],
  );
  return {
    from: q.from,
    to: q.to,
    unservedTotal: (
      await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${REMAINDER}) x`, [
        q.territoryIds,
        q.from,
        q.to,
        MISSING_DRIVER_REASONS,
      ])
    ).rows[0].n,
    pairs: rows.map((r) => ({
      origin: { insee: r.o_insee, name: r.o_name, lng: r.o_lng, lat: r.o_lat },
      destination: { insee: r.d_insee, name: r.d_name, lng: r.d_lng, lat: r.d_lat },
      hour: r.hour,
      timeKind: r.time_kind,
      unserved: r.n,
      days: r.days,
      peakDay: r.peak,
      driversNeeded: Math.ceil(r.peak / PASSENGERS_PER_DRIVER_DAY),
      driversOnAxis: r.on_axis,
    })),
  };
}


export interface PublishedPair {
  origin: { insee: string; name: string; lng: number; lat: number };
  destination: { insee: string; name: string; lng: number; lat: number };
  hour: number;
  timeKind: 'arrive' | 'depart';
  unserved: Published;
  driversNeeded: number;
}

/**
 * What /stats may publish: only the pairs with at least the threshold's unserved requests, their counts rounded (the
 * small-count rules of the public statistics); the pairs below it are only counted. The drivers needed are a
 * recommendation (at most half the published count), not a count of people.
 */
export function publishPairs(r: Recruiting, max = 10): { unservedTotal: Published; pairs: PublishedPair[]; hidden: number } {
  const shown = r.pairs.filter((p) => publish(p.unserved) !== null);
  return {
    unservedTotal: publish(r.unservedTotal),
    pairs: shown.slice(0, max).map((p) => ({
      origin: p.origin,
      destination: p.destination,
      hour: p.hour,
      timeKind: p.timeKind,
      unserved: publish(p.unserved),
      driversNeeded: Math.min(p.driversNeeded, Math.ceil(publish(p.unserved)! / PASSENGERS_PER_DRIVER_DAY)),
    })),
    hidden: r.pairs.length - shown.length,
  };
}
