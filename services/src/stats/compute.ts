import type { Db } from '@comobi/db';
import { CO2_KG_PER_KM, CO2_SOURCE, PURPOSE_LABELS, REASON_LABELS, ROAD_FACTOR } from './labels.ts';
import { publishPairs, recruitingPairs, type PublishedPair } from './recruiting.ts';
import { publish, share, THRESHOLD, BASE, type Published } from './suppress.ts';

export interface StatsQuery {
  territory: { id: number; slug: string; name: string } | null;
  /** First day of the first month, YYYY-MM-DD. */
  from: string;
  /** Last day of the last month, YYYY-MM-DD. */
  to: string;
}

export interface Stats {
  territory: { slug: string; name: string } | null;
  from: string;
  to: string;
  suppression: { threshold: number; roundedTo: number; note: string };
  indicators: {
    driversRegistered: Published;
    passengersRegistered: Published;
    regularTripsOffered: Published;
    requests: Published;
    requestsServed: Published;
    servedSharePct: number | null;
    /** Legs driven with a passenger: a round trip served both ways counts two. */
    tripsDone: Published;
    /** Requests with a way back whose two legs were both driven. */
    roundTripsServed: Published;
    passengersCarried: Published;
    sharedKm: Published;
    co2AvoidedKg: Published;
  };
  emissionFactor: { kgCo2ePerPassengerKm: number; roadFactor: number; source: string };
  requestsByPurpose: { purpose: string; label: string; count: Published }[];
  unservedByReason: { reason: string; label: string; count: Published }[];
  byMonth: { month: string; requests: Published; served: Published }[];
  byCommune: { insee: string; name: string; requests: Published; served: Published; unserved: Published }[];
  /** Where drivers are missing (stats/recruiting.ts): the pairs of communes and hours with the most unserved demand. */
  recruiting: { unserved: Published; pairs: PublishedPair[]; hiddenPairs: number };
}

/** When a request counts: the day of the trip asked for, or the day it was made for recurring trips. */
const REQUEST_DAY = 'COALESCE(r.date, (r.created_at AT TIME ZONE \'Europe/Paris\')::date)';
const SERVED = `(r.status = 'served' OR EXISTS (SELECT 1 FROM matches m WHERE m.request_id = r.id AND m.status = 'done'))`;

/**
 * Indicators of one territory (or all) over whole months, straight from the store (a few ms on the demo: no
 * precomputed aggregates needed). Every count goes through `publish`: small counts hidden, the others rounded.
 */
export async function computeStats(db: Db, q: StatsQuery): Promise<Stats> {
  const t = q.territory?.id ?? null;
  const params = [t, q.from, q.to];
  const inTerritory = (col: string) => `($1::int IS NULL OR ${col} = $1)`;
  const reqWhere = `${inTerritory('r.territory_id')} AND ${REQUEST_DAY} BETWEEN $2::date AND $3::date`;
  const [totals, purposes, reasons, months, communes, recruiting] = await Promise.all([
    db.query<Record<string, number>>(
      `SELECT
        (SELECT count(*) FROM people p WHERE ${inTerritory('p.territory_id')} AND p.is_driver
           AND (p.created_at AT TIME ZONE 'Europe/Paris')::date BETWEEN $2::date AND $3::date)::int AS drivers,
        (SELECT count(*) FROM people p WHERE ${inTerritory('p.territory_id')} AND p.is_passenger
           AND (p.created_at AT TIME ZONE 'Europe/Paris')::date BETWEEN $2::date AND $3::date)::int AS passengers,
        (SELECT count(*) FROM trips tr WHERE ${inTerritory('tr.territory_id')} AND tr.kind = 'regular'
           AND (tr.created_at AT TIME ZONE 'Europe/Paris')::date BETWEEN $2::date AND $3::date)::int AS regular_trips,
        (SELECT count(*) FROM requests r WHERE ${reqWhere})::int AS requests,
        (SELECT count(*) FROM requests r WHERE ${reqWhere} AND ${SERVED})::int AS served,
        (SELECT count(*) FROM matches m WHERE ${inTerritory('m.territory_id')} AND m.status = 'done'
           AND COALESCE(m.date, (m.status_changed_at AT TIME ZONE 'Europe/Paris')::date) BETWEEN $2::date AND $3::date)::int AS done,
        (SELECT count(*) FROM requests r WHERE ${reqWhere} AND (r.return_min IS NOT NULL OR r.return_after_min IS NOT NULL)
           AND (SELECT count(DISTINCT m.request_leg) FROM matches m WHERE m.request_id = r.id AND m.status = 'done') = 2)::int AS round_trips,
        (SELECT COALESCE(sum(r.seats), 0) FROM matches m JOIN requests r ON r.id = m.request_id
           WHERE ${inTerritory('m.territory_id')} AND m.status = 'done'
           AND COALESCE(m.date, (m.status_changed_at AT TIME ZONE 'Europe/Paris')::date) BETWEEN $2::date AND $3::date)::int AS carried,
        (SELECT COALESCE(sum(COALESCE(m.shared_m, ST_Distance(m.pickup::geography, m.dropoff::geography)) * r.seats), 0)
           FROM matches m JOIN requests r ON r.id = m.request_id
           WHERE ${inTerritory('m.territory_id')} AND m.status = 'done'
           AND COALESCE(m.date, (m.status_changed_at AT TIME ZONE 'Europe/Paris')::date) BETWEEN $2::date AND $3::date)::float8 AS passenger_m`,
      params,
    ),
    db.query<{ purpose: string; n: number }>(`SELECT r.purpose, count(*)::int AS n FROM requests r WHERE ${reqWhere} GROUP BY 1`, params),
    db.query<{ reason: string; n: number }>(
      `SELECT r.unserved_reason AS reason, count(*)::int AS n FROM requests r
       WHERE ${reqWhere} AND r.status = 'unserved' AND r.unserved_reason IS NOT NULL GROUP BY 1`, params),
    db.query<{ month: string; n: number; served: number }>(
      `SELECT to_char(${REQUEST_DAY}, 'YYYY-MM') AS month, count(*)::int AS n, count(*) FILTER (WHERE ${SERVED})::int AS served
       FROM requests r WHERE ${reqWhere} GROUP BY 1`, params),
    db.query<{ insee: string; name: string; n: number; served: number; unserved: number }>(
      `SELECT c.insee, c.name, count(*)::int AS n, count(*) FILTER (WHERE ${SERVED})::int AS served,
         count(*) FILTER (WHERE r.status = 'unserved')::int AS unserved
       FROM requests r JOIN communes c ON ST_Intersects(c.geom, r.from_point)
       WHERE ${reqWhere} GROUP BY 1, 2`, params),
    recruitingPairs(db, { territoryIds: t === null ? null : [t], from: q.from, to: q.to, limit: 500 }),
  ]);
  const x = totals.rows[0];
  const requests = publish(x.requests);
  const served = publish(x.served);
  const passengerKm = (x.passenger_m / 1000) * ROAD_FACTOR;
  // Distances and emissions are published only when the trips they come from are not few.
  const few = x.done < THRESHOLD;
  const monthsOf = monthRange(q.from, q.to);
  const monthMap = new Map(months.rows.map((m) => [m.month, m]));
  return {
    territory: q.territory ? { slug: q.territory.slug, name: q.territory.name } : null,
    from: q.from,
    to: q.to,
    suppression: {
      threshold: THRESHOLD,
      roundedTo: BASE,
      note: 'Les effectifs inférieurs à 5 sont affichés « < 5 » et les autres sont arrondis à 5 près, pour qu’aucune personne ne puisse être identifiée.',
    },
    indicators: {
      driversRegistered: publish(x.drivers),
      passengersRegistered: publish(x.passengers),
      regularTripsOffered: publish(x.regular_trips),
      requests,
      requestsServed: served,
      servedSharePct: share(served, requests),
      tripsDone: publish(x.done),
      roundTripsServed: publish(x.round_trips),
      passengersCarried: publish(x.carried),
      sharedKm: few ? null : Math.round(passengerKm / 10) * 10,
      co2AvoidedKg: few ? null : Math.round((passengerKm * CO2_KG_PER_KM) / 10) * 10,
    },
    emissionFactor: { kgCo2ePerPassengerKm: CO2_KG_PER_KM, roadFactor: ROAD_FACTOR, source: CO2_SOURCE },
    requestsByPurpose: Object.entries(PURPOSE_LABELS).map(([purpose, label]) => ({
      purpose, label, count: publish(purposes.rows.find((p) => p.purpose === purpose)?.n ?? 0),
    })),
    unservedByReason: Object.entries(REASON_LABELS).map(([reason, label]) => ({
      reason, label, count: publish(reasons.rows.find((p) => p.reason === reason)?.n ?? 0),
    })),
    byMonth: monthsOf.map((month) => ({ month, requests: publish(monthMap.get(month)?.n ?? 0), served: publish(monthMap.get(month)?.served ?? 0) })),
    byCommune: communes.rows
      .sort((a, b) => b.n - a.n || a.insee.localeCompare(b.insee))
      .map((c) => ({ insee: c.insee, name: c.name, requests: publish(c.n), served: publish(c.served), unserved: publish(c.unserved) })),
    recruiting: (({ unservedTotal, pairs, hidden }) => ({ unserved: unservedTotal, pairs, hiddenPairs: hidden }))(publishPairs(recruiting)),
  };
}

export function monthRange(from: string, to: string): string[] {
  const out: string[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  const end = to.slice(0, 7);
  for (let i = 0; i < 240; i++) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    if (key > end) break;
    out.push(key);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}
