import type { Queryable } from '@comobi/db';
import { serviceDayClock } from '../time/clock.ts';
import { addDays } from '../time/days.ts';
import type {
  Alternatives, AlternativesQuery, BookingRule, LngLat, OnDemandOption, SeatedPatientProvider, StopRef, TransitJourney, TransitLeg,
} from './types.ts';

export type * from './types.ts';

/** Walking: 4.5 km/h on a path 1.3 times the straight line. */
const WALK_M_PER_MIN = 75 / 1.3;
const MIN_TRANSFER_S = 5 * 60;
const MAX_TRANSFER_S = 90 * 60;
/** How long the leg away from the requested time may be (second leg's search window). */
const MAX_LEG_S = 4 * 3600;
const MAX_JOURNEYS = 6;

const walkMin = (m: number) => Math.ceil(m / WALK_M_PER_MIN);
const DAY_S = 86_400;


/** Services running on $2 among feed versions $1 (calendar + calendar_dates). */
const SERVICES_SQL = `svc AS (
  (SELECT c.feed_version_id AS v, c.service_id FROM gtfs.calendar c
    WHERE c.feed_version_id = ANY($1) AND $2::date BETWEEN c.start_date AND c.end_date
      AND (ARRAY[c.monday, c.tuesday, c.wednesday, c.thursday, c.friday, c.saturday, c.sunday])[extract(isodow FROM $2::date)::int]
   UNION
   SELECT feed_version_id, service_id FROM gtfs.calendar_dates WHERE feed_version_id = ANY($1) AND date = $2::date AND exception_type = 1)
  EXCEPT
  SELECT feed_version_id, service_id FROM gtfs.calendar_dates WHERE feed_version_id = ANY($1) AND date = $2::date AND exception_type = 2)`;

interface NearStop {
  side: 'o' | 'd';
  v: number;
  place_key: number;
  stop_id: string;
  stop_name: string | null;
  lng: number;
  lat: number;
  dist: number;
}

interface LegRow {
  v: number;
  trip_key: number;
  /** 0: a trip of the requested date's service day; 86400: of the previous one (times already brought back). */
  shift: number;
  end_key: number;
  end_time: number;
  other_key: number;
  other_time: number;
}

/**
 * Public transport a coordinator can offer instead of (or besides) a driver: scheduled transit (direct or one
 * transfer) on active feed versions, on-demand transport (GTFS-Flex zones and stops, and TAD providers), and
 * seated-patient transport for health trips. Times are minutes after midnight of `query.date`; trips of the previous
 * service day that run past midnight (GTFS times from 24:00:00) are searched too, with negative minutes before midnight.
 */
export async function findAlternatives(db: Queryable, query: AlternativesQuery): Promise<Alternatives> {
  const versions = (
    await db.query<{ id: number; name: string }>(
      `SELECT v.id, f.name FROM gtfs.feed_versions v JOIN gtfs.feeds f ON f.id = v.feed_id
       WHERE v.status = 'active' AND (v.bbox IS NULL OR ST_Intersects(v.bbox, ST_Expand(ST_MakeEnvelope($1, $2, $3, $4, 4326), 0.05)))`,
      [Math.min(query.from[0], query.to[0]), Math.min(query.from[1], query.to[1]), Math.max(query.from[0], query.to[0]), Math.max(query.from[1], query.to[1])],
    )
  ).rows;
  const names = new Map(versions.map((v) => [v.id, v.name]));
  const ids = versions.map((v) => v.id);
  const [transit, flex, providers] = await Promise.all([
    ids.length ? findTransit(db, query, ids, names) : [],
    findFlex(db, query, ids),
    findProviders(db, query),
  ]);
  return { transit, onDemand: [...flex, ...providers.onDemand], seatedPatient: providers.seatedPatient };
}

function envelope(p: LngLat, m: number): number[] {
  const dLat = m / 111_320;
  const dLng = m / (111_320 * Math.cos((p[1] * Math.PI) / 180));
  return [p[0] - dLng, p[1] - dLat, p[0] + dLng, p[1] + dLat];
}

async function findTransit(db: Queryable, q: AlternativesQuery, ids: number[], feedNames: Map<number, string>): Promise<TransitJourney[]> {
  const near = (
    await db.query<NearStop>(
      `SELECT 'o' AS side, s.feed_version_id AS v, s.place_key, s.stop_id, s.stop_name, ST_X(s.geom) AS lng, ST_Y(s.geom) AS lat,
         ST_DistanceSphere(s.geom, ST_SetSRID(ST_MakePoint($2, $3), 4326)) AS dist
       FROM gtfs.stops s
       WHERE s.feed_version_id = ANY($1) AND s.geom && ST_MakeEnvelope($4, $5, $6, $7, 4326) AND COALESCE(s.location_type, 0) = 0
       UNION ALL
       SELECT 'd', s.feed_version_id, s.place_key, s.stop_id, s.stop_name, ST_X(s.geom), ST_Y(s.geom),
         ST_DistanceSphere(s.geom, ST_SetSRID(ST_MakePoint($8, $9), 4326))
       FROM gtfs.stops s
       WHERE s.feed_version_id = ANY($1) AND s.geom && ST_MakeEnvelope($10, $11, $12, $13, 4326) AND COALESCE(s.location_type, 0) = 0`,
      [ids, ...q.from, ...envelope(q.from, q.walkMaxM), ...q.to, ...envelope(q.to, q.walkMaxM)],
    )
  ).rows.filter((s) => s.dist <= q.walkMaxM);
  const origins = near.filter((s) => s.side === 'o');
  const dests = near.filter((s) => s.side === 'd');
  if (!origins.length || !dests.length) return [];
  const maxWalkS = walkMin(q.walkMaxM) * 60;
  const t = q.timeMin * 60;
  const tol = q.toleranceMin * 60;
  const depart = q.timeKind === 'depart';
  const originWindow = depart ? [t - tol, t + tol + maxWalkS] : [t - tol - MAX_LEG_S, t + tol];
  const destWindow = depart ? [t - tol, t + tol + MAX_LEG_S] : [t - tol - maxWalkS, t + tol];

  // Boardings near the origin with every later stop of their trip, and alightings near the destination with every
  // earlier stop: direct journeys are in the first set, transfers join the two on a station. Each runs on the requested
  // date's services and on the previous day's, whose trips past 24:00:00 reach into the requested date.
  const [today, eve] = await Promise.all([servicesOn(db, ids, q.date), servicesOn(db, ids, addDays(q.date, -1))]);
  const running = { today, eve };
  const [fwdAll, bwdAll] = await Promise.all([
    tripLegs(db, true, origins, originWindow, running),
    tripLegs(db, false, dests, destWindow, running),
  ]);
  const key = (v: number, k: number) => `${v}:${k}`;
  // One run of a trip: the same trip on two service days is two runs.
  const run = (v: number, trip: number, shift: number) => `${v}:${trip}:${shift}`;
  const originBy = new Map(origins.map((s) => [key(s.v, s.place_key), s]));
  const destBy = new Map(dests.map((s) => [key(s.v, s.place_key), s]));
  const fwd = { rows: fwdAll.filter((r) => originBy.has(key(r.v, r.end_key))) };
  const bwd = { rows: bwdAll.filter((r) => destBy.has(key(r.v, r.end_key))) };
  const inWindow = (leaveS: number, arriveS: number) => {
    const anchor = depart ? leaveS : arriveS;
    return anchor >= t - tol && anchor <= t + tol;
  };

  interface Candidate {
    legs: { v: number; trip: number; shift: number; fromKey: number; toKey: number; dep: number; arr: number }[];
    walkTo: number;
    walkFrom: number;
    leave: number;
    arrive: number;
    wait: number | null;
  }
  const candidates: Candidate[] = [];
  for (const r of fwd.rows) {
    const o = originBy.get(key(r.v, r.end_key))!;
    const d = destBy.get(key(r.v, r.other_key));
    if (!d || r.end_time === null || r.other_time === null) continue;
    const leave = r.end_time - walkMin(o.dist) * 60;
    const arrive = r.other_time + walkMin(d.dist) * 60;
    if (!inWindow(leave, arrive)) continue;
    candidates.push({ legs: [{ v: r.v, trip: r.trip_key, shift: r.shift, fromKey: r.end_key, toKey: r.other_key, dep: r.end_time, arr: r.other_time }], walkTo: o.dist, walkFrom: d.dist, leave, arrive, wait: null });
  }
  // Transfers: same stop or same station (parent_station), within the same feed version.
  const directTrips = new Set(candidates.map((c) => run(c.legs[0].v, c.legs[0].trip, c.legs[0].shift)));
  const stations = await stationsOf(db, ids, [...new Set([...fwd.rows.map((r) => `${r.v}:${r.other_key}`), ...bwd.rows.map((r) => `${r.v}:${r.other_key}`)])]);
  const second = new Map<string, LegRow[]>();
  for (const r of bwd.rows) {
    if (r.other_time === null || r.end_time === null) continue;
    const s = `${r.v}:${stations.get(key(r.v, r.other_key)) ?? r.other_key}`;
    let list = second.get(s);
    if (!list) second.set(s, (list = []));
    list.push(r);
  }
  for (const r1 of fwd.rows) {
    if (r1.other_time === null || directTrips.has(run(r1.v, r1.trip_key, r1.shift))) continue;
    const list = second.get(`${r1.v}:${stations.get(key(r1.v, r1.other_key)) ?? r1.other_key}`);
    if (!list) continue;
    const o = originBy.get(key(r1.v, r1.end_key))!;
    for (const r2 of list) {
      if (r2.trip_key === r1.trip_key && r2.shift === r1.shift) continue;
      const wait = r2.other_time - r1.other_time;
      if (wait < MIN_TRANSFER_S || wait > MAX_TRANSFER_S) continue;
      const d = destBy.get(key(r2.v, r2.end_key))!;
      const leave = r1.end_time - walkMin(o.dist) * 60;
      const arrive = r2.end_time + walkMin(d.dist) * 60;
      if (!inWindow(leave, arrive)) continue;
      candidates.push({
        legs: [
          { v: r1.v, trip: r1.trip_key, shift: r1.shift, fromKey: r1.end_key, toKey: r1.other_key, dep: r1.end_time, arr: r1.other_time },
          { v: r2.v, trip: r2.trip_key, shift: r2.shift, fromKey: r2.other_key, toKey: r2.end_key, dep: r2.other_time, arr: r2.end_time },
        ],
        walkTo: o.dist, walkFrom: d.dist, leave, arrive, wait,
      });
    }
  }
  // Best first: closest to the requested time, then shortest; one journey per first trip (and per second trip).
  candidates.sort((a, b) => {
    const da = Math.abs((depart ? a.leave : a.arrive) - t), dbb = Math.abs((depart ? b.leave : b.arrive) - t);
    return da - dbb || (a.arrive - a.leave) - (b.arrive - b.leave) || a.legs.length - b.legs.length;
  });
  const chosen: Candidate[] = [];
  const used = new Set<string>();
  for (const c of candidates) {
    const ks = c.legs.map((l) => run(l.v, l.trip, l.shift));
    if (ks.some((k) => used.has(k))) continue;
    ks.forEach((k) => used.add(k));
    chosen.push(c);
    if (chosen.length >= MAX_JOURNEYS) break;
  }
  if (!chosen.length) return [];
  const legs = chosen.flatMap((c) => c.legs);
  const [trips, stops] = await Promise.all([
    db.query<{ v: number; trip_key: number; trip_id: string; headsign: string | null; route_id: string; short_name: string | null; long_name: string | null; route_type: number; agency_name: string | null; agency_phone: string | null; agency_url: string | null }>(
      `SELECT t.feed_version_id AS v, t.trip_key, t.trip_id, t.trip_headsign AS headsign, r.route_id, r.route_short_name AS short_name,
         r.route_long_name AS long_name, r.route_type, a.agency_name, a.agency_phone, a.agency_url
       FROM unnest($1::int[], $2::int[]) AS k(v, trip_key)
       JOIN gtfs.trips t ON t.feed_version_id = k.v AND t.trip_key = k.trip_key
       JOIN gtfs.routes r ON r.feed_version_id = t.feed_version_id AND r.route_id = t.route_id
       LEFT JOIN gtfs.agency a ON a.feed_version_id = r.feed_version_id AND a.agency_id = r.agency_id`,
      [legs.map((l) => l.v), legs.map((l) => l.trip)],
    ),
    db.query<{ v: number; place_key: number; stop_id: string; stop_name: string | null; lng: number | null; lat: number | null }>(
      `SELECT s.feed_version_id AS v, s.place_key, s.stop_id, s.stop_name, ST_X(s.geom) AS lng, ST_Y(s.geom) AS lat
       FROM unnest($1::int[], $2::int[]) AS k(v, place_key)
       JOIN gtfs.stops s ON s.feed_version_id = k.v AND s.place_key = k.place_key`,
      [[...legs.map((l) => l.v), ...legs.map((l) => l.v)], [...legs.map((l) => l.fromKey), ...legs.map((l) => l.toKey)]],
    ),
  ]);
  const tripBy = new Map(trips.rows.map((r) => [key(r.v, r.trip_key), r]));
  const stopBy = new Map(stops.rows.map((r) => [key(r.v, r.place_key), r]));
  const stopRef = (v: number, k: number): StopRef => {
    const s = stopBy.get(key(v, k));
    return { stopId: s?.stop_id ?? String(k), name: s?.stop_name ?? null, lngLat: s && s.lng !== null ? [s.lng, s.lat!] : null };
  };
  const toMin = (s: number) => Math.floor(s / 60);
  return chosen.map((c) => ({
    kind: c.legs.length === 1 ? 'direct' : 'transfer',
    legs: c.legs.map((l): TransitLeg => {
      const tr = tripBy.get(key(l.v, l.trip))!;
      return {
        feedVersionId: l.v,
        feedName: feedNames.get(l.v) ?? '',
        agency: tr.agency_name ? { name: tr.agency_name, phone: tr.agency_phone, url: tr.agency_url } : null,
        route: { id: tr.route_id, shortName: tr.short_name, longName: tr.long_name, type: tr.route_type },
        tripId: tr.trip_id,
        serviceDate: l.shift ? addDays(q.date, -1) : q.date,
        headsign: tr.headsign,
        from: stopRef(l.v, l.fromKey),
        to: stopRef(l.v, l.toKey),
        departureMin: toMin(l.dep),
        arrivalMin: toMin(l.arr),
        departure: clock(l.dep),
        arrival: clock(l.arr),
      };
    }),
    walkToStopM: Math.round(c.walkTo),
    walkFromStopM: Math.round(c.walkFrom),
    leaveMin: toMin(c.leave),
    arriveMin: toMin(c.arrive),
    durationMin: toMin(c.arrive - c.leave),
    transferWaitMin: c.wait === null ? null : toMin(c.wait),
  }));
}

/**
 * Boardings at `stops` in `window` with every later stop of their trip (forward), or alightings with every earlier stop.
 * A trip runs on the requested date's service day, or on the previous one when its times past 24:00:00 fall in the
 * window (then brought back by a day). Two small queries: the boardings (with their service, kept in memory: a feed
 * runs thousands of services a day, too many to send with each query), then the other stops of the running trips.
 */
async function tripLegs(
  db: Queryable, forward: boolean, stops: NearStop[], window: number[], running: { today: Map<number, Set<string>>; eve: Map<number, Set<string>> },
): Promise<LegRow[]> {
  const endTime = forward ? 'departure_time' : 'arrival_time';
  const ends = (
    await db.query<{ v: number; trip_key: number; seq: number; stop_key: number; t: number; service_id: string }>(
      `SELECT a.feed_version_id AS v, a.trip_key, a.stop_sequence AS seq, a.stop_key, a.${endTime} AS t, tr.service_id
       FROM gtfs.stop_times a
       JOIN gtfs.trips tr ON tr.feed_version_id = a.feed_version_id AND tr.trip_key = a.trip_key
       WHERE a.feed_version_id = ANY($1) AND a.stop_key = ANY($2)
         AND (a.${endTime} BETWEEN $3 AND $4 OR a.${endTime} BETWEEN $3::int + ${DAY_S} AND $4::int + ${DAY_S})
         AND a.${forward ? 'pickup_type' : 'drop_off_type'} IS DISTINCT FROM 1`,
      [[...new Set(stops.map((s) => s.v))], stops.map((s) => s.place_key), window[0], window[1]],
    )
  ).rows;
  const runs = new Map<string, { shift: number; endTime: number; endKey: number }>();
  for (const e of ends) {
    const shift = e.t <= window[1] ? 0 : DAY_S;
    if (!(shift ? running.eve : running.today).get(e.v)?.has(e.service_id)) continue;
    runs.set(`${e.v}:${e.trip_key}:${e.seq}`, { shift, endTime: e.t - shift, endKey: e.stop_key });
  }
  if (!runs.size) return [];
  const keys = [...runs.keys()].map((k) => k.split(':').map(Number));
  const others = (
    await db.query<{ v: number; trip_key: number; from_seq: number; stop_key: number; t: number | null }>(
      `SELECT k.v, k.trip_key, k.seq AS from_seq, b.stop_key, b.${forward ? 'arrival_time' : 'departure_time'} AS t
       FROM unnest($1::int[], $2::int[], $3::int[]) AS k(v, trip_key, seq)
       JOIN gtfs.stop_times b ON b.feed_version_id = k.v AND b.trip_key = k.trip_key AND b.stop_sequence ${forward ? '>' : '<'} k.seq
       WHERE b.stop_key IS NOT NULL AND b.${forward ? 'drop_off_type' : 'pickup_type'} IS DISTINCT FROM 1`,
      [keys.map((k) => k[0]), keys.map((k) => k[1]), keys.map((k) => k[2])],
    )
  ).rows;
  return others.map((o) => {
    const r = runs.get(`${o.v}:${o.trip_key}:${o.from_seq}`)!;
    return {
      v: o.v, trip_key: o.trip_key, shift: r.shift, end_key: r.endKey, end_time: r.endTime,
      other_key: o.stop_key, other_time: o.t === null ? (null as unknown as number) : o.t - r.shift,
    };
  });
}

/** Feed versions are immutable: the services running on a date can be kept. */
const serviceCache = new Map<string, Set<string>>();

/** Service ids running on a date, by feed version. */
async function servicesOn(db: Queryable, ids: number[], date: string): Promise<Map<number, Set<string>>> {
  const out = new Map<number, Set<string>>();
  for (const v of ids) {
    const k = `${v}:${date}`;
    let set = serviceCache.get(k);
    if (!set) {
      const rows = (await db.query<{ service_id: string }>(`WITH ${SERVICES_SQL} SELECT service_id FROM svc`, [[v], date])).rows;
      set = new Set(rows.map((r) => r.service_id));
      if (serviceCache.size >= 256) serviceCache.delete(serviceCache.keys().next().value!);
      serviceCache.set(k, set);
    }
    out.set(v, set);
  }
  return out;
}

/** place_key → key of its station (parent_station's place_key), for stops that have one. */
async function stationsOf(db: Queryable, ids: number[], keys: string[]): Promise<Map<string, number>> {
  if (!keys.length) return new Map();
  const vs = keys.map((k) => Number(k.split(':')[0]));
  const ks = keys.map((k) => Number(k.split(':')[1]));
  const rows = (
    await db.query<{ v: number; place_key: number; station_key: number }>(
      `SELECT s.feed_version_id AS v, s.place_key, p.place_key AS station_key
       FROM unnest($2::int[], $3::int[]) AS k(v, place_key)
       JOIN gtfs.stops s ON s.feed_version_id = k.v AND s.place_key = k.place_key
       JOIN gtfs.stops p ON p.feed_version_id = s.feed_version_id AND p.stop_id = s.parent_station
       WHERE s.feed_version_id = ANY($1)`,
      [ids, vs, ks],
    )
  ).rows;
  return new Map(rows.map((r) => [`${r.v}:${r.place_key}`, r.station_key]));
}

const clock = serviceDayClock;

/** Places (stops within walking distance, zones containing the point, and the groups holding either) of one end. */
const placesSql = (p: number) => `SELECT feed_version_id AS v, place_key FROM gtfs.stops
    WHERE feed_version_id = ANY($1) AND geom && ST_MakeEnvelope($${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, 4326)
      AND ST_DistanceSphere(geom, ST_SetSRID(ST_MakePoint($${p}, $${p + 1}), 4326)) <= $3
  UNION
  SELECT feed_version_id, place_key FROM gtfs.locations
    WHERE feed_version_id = ANY($1) AND ST_Intersects(geom, ST_SetSRID(ST_MakePoint($${p}, $${p + 1}), 4326))`;

/** Whether a feed version has on-demand rows (cached: versions are immutable). */
const flexCache = new Map<number, boolean>();

async function findFlex(db: Queryable, q: AlternativesQuery, all: number[]): Promise<OnDemandOption[]> {
  const unknown = all.filter((v) => !flexCache.has(v));
  if (unknown.length) {
    const rows = (
      await db.query<{ v: number; flex: boolean }>(
        `SELECT v, EXISTS (SELECT 1 FROM gtfs.stop_times WHERE feed_version_id = v
           AND (start_pickup_drop_off_window IS NOT NULL OR pickup_type = 2 OR drop_off_type = 2)) AS flex
         FROM unnest($1::int[]) AS v`,
        [unknown],
      )
    ).rows;
    for (const r of rows) flexCache.set(r.v, r.flex);
  }
  const ids = all.filter((v) => flexCache.get(v));
  if (!ids.length) return [];
  const t = q.timeMin * 60;
  const tol = q.toleranceMin * 60;
  type FlexRow = {
      v: number; route_id: string; short_name: string | null; long_name: string | null; agency_name: string | null; agency_phone: string | null;
      ws: number | null; we: number | null; dep: number | null; arr: number | null; dws: number | null; dwe: number | null;
      p_id: string; p_kind: string; p_name: string | null; d_id: string; d_kind: string; d_name: string | null;
      booking_type: number | null; phone_number: string | null; prior_notice_duration_min: number | null; prior_notice_duration_max: number | null;
      prior_notice_last_day: number | null; prior_notice_last_time: number | null; message: string | null; pickup_message: string | null;
      info_url: string | null; booking_url: string | null;
  };
  // The requested date's services, then the previous day's, whose windows past 24:00:00 reach into the requested date.
  const flexOn = async (date: string, shift: number) =>
    (await db.query<FlexRow>(
      `WITH ${SERVICES_SQL},
       o AS (SELECT * FROM (${placesSql(4)}) d UNION
             SELECT m.feed_version_id, m.group_key FROM gtfs.place_members m JOIN (${placesSql(4)}) d2 ON d2.v = m.feed_version_id AND d2.place_key = m.member_key),
       d AS (SELECT * FROM (${placesSql(10)}) d UNION
             SELECT m.feed_version_id, m.group_key FROM gtfs.place_members m JOIN (${placesSql(10)}) d2 ON d2.v = m.feed_version_id AND d2.place_key = m.member_key)
       SELECT DISTINCT ON (p.feed_version_id, tr.route_id, p.trip_key)
         p.feed_version_id AS v, r.route_id, r.route_short_name AS short_name, r.route_long_name AS long_name,
         a.agency_name, a.agency_phone,
         p.start_pickup_drop_off_window AS ws, p.end_pickup_drop_off_window AS we, p.departure_time AS dep,
         x.arrival_time AS arr, x.start_pickup_drop_off_window AS dws, x.end_pickup_drop_off_window AS dwe,
         pp.place_id AS p_id, pp.kind AS p_kind, pp.name AS p_name, dp.place_id AS d_id, dp.kind AS d_kind, dp.name AS d_name,
         b.booking_type, b.phone_number, b.prior_notice_duration_min, b.prior_notice_duration_max, b.prior_notice_last_day,
         b.prior_notice_last_time, b.message, b.pickup_message, b.info_url, b.booking_url
       FROM gtfs.stop_times p
       JOIN o ON o.v = p.feed_version_id AND o.place_key = COALESCE(p.location_key, p.location_group_key, p.stop_key)
       JOIN gtfs.stop_times x ON x.feed_version_id = p.feed_version_id AND x.trip_key = p.trip_key AND x.stop_sequence > p.stop_sequence
         AND x.drop_off_type IS DISTINCT FROM 1
       JOIN d ON d.v = x.feed_version_id AND d.place_key = COALESCE(x.location_key, x.location_group_key, x.stop_key)
       JOIN gtfs.trips tr ON tr.feed_version_id = p.feed_version_id AND tr.trip_key = p.trip_key
       JOIN svc ON svc.v = tr.feed_version_id AND svc.service_id = tr.service_id
       JOIN gtfs.routes r ON r.feed_version_id = tr.feed_version_id AND r.route_id = tr.route_id
       LEFT JOIN gtfs.agency a ON a.feed_version_id = r.feed_version_id AND a.agency_id = r.agency_id
       LEFT JOIN gtfs.booking_rules b ON b.feed_version_id = p.feed_version_id
         AND b.booking_rule_key = COALESCE(p.pickup_booking_rule_key, x.drop_off_booking_rule_key)
       JOIN gtfs.places pp ON pp.feed_version_id = p.feed_version_id AND pp.place_key = COALESCE(p.location_key, p.location_group_key, p.stop_key)
       JOIN gtfs.places dp ON dp.feed_version_id = x.feed_version_id AND dp.place_key = COALESCE(x.location_key, x.location_group_key, x.stop_key)
       WHERE p.feed_version_id = ANY($1)
         AND (p.start_pickup_drop_off_window IS NOT NULL OR p.pickup_type = 2 OR p.drop_off_type = 2)
         AND p.pickup_type IS DISTINCT FROM 1
         AND CASE WHEN $16 THEN COALESCE(p.start_pickup_drop_off_window, p.departure_time) <= $17::int + $18::int
                   AND COALESCE(p.end_pickup_drop_off_window, p.departure_time) >= $17::int - $18::int
                  ELSE COALESCE(x.start_pickup_drop_off_window, x.arrival_time) <= $17::int + $18::int
                   AND COALESCE(x.end_pickup_drop_off_window, x.arrival_time) >= $17::int - $18::int END
       ORDER BY p.feed_version_id, tr.route_id, p.trip_key
       LIMIT 20`,
      [ids, date, q.walkMaxM, ...q.from, ...envelope(q.from, q.walkMaxM), ...q.to, ...envelope(q.to, q.walkMaxM), q.timeKind === 'depart', t + shift, tol],
    )).rows.map((r) => ({ ...r, shift }));
  const [today, eve] = await Promise.all([flexOn(q.date, 0), flexOn(addDays(q.date, -1), DAY_S)]);
  const rows = [...today, ...eve];
  const seen = new Set<string>();
  const out: OnDemandOption[] = [];
  for (const r of rows) {
    const k = `${r.v}:${r.route_id}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const booking: BookingRule | null =
      r.booking_type === null
        ? null
        : {
            bookingType: r.booking_type as 0 | 1 | 2,
            phone: r.phone_number,
            priorNoticeMinMin: r.prior_notice_duration_min,
            priorNoticeMaxMin: r.prior_notice_duration_max,
            priorNoticeLastDay: r.prior_notice_last_day,
            priorNoticeLastTime: r.prior_notice_last_time === null ? null : clock(r.prior_notice_last_time),
            message: r.message ?? r.pickup_message,
            infoUrl: r.info_url,
            bookingUrl: r.booking_url,
          };
    out.push({
      source: 'gtfs-flex',
      name: r.long_name ?? r.short_name ?? r.route_id,
      phone: booking?.phone ?? r.agency_phone,
      agency: r.agency_name,
      feedVersionId: r.v,
      routeId: r.route_id,
      windowStartMin: minutesOf(r.ws ?? r.dep, r.shift),
      windowEndMin: minutesOf(r.we ?? r.dep, r.shift),
      pickup: { placeId: r.p_id, kind: r.p_kind, name: r.p_name },
      dropOff: { placeId: r.d_id, kind: r.d_kind, name: r.d_name },
      booking,
      providerId: null,
      notes: null,
    });
  }
  return out;
}

/** Seconds of a service day as minutes after the requested date's midnight (negative the evening before). */
const minutesOf = (s: number | null, shift: number) => (s === null ? null : Math.floor((s - shift) / 60));

async function findProviders(db: Queryable, q: AlternativesQuery): Promise<{ onDemand: OnDemandOption[]; seatedPatient: SeatedPatientProvider[] }> {
  const kinds = q.purpose === 'health' ? ['tad', 'seated_patient', 'taxi'] : ['tad'];
  const rows = (
    await db.query<{ id: number; kind: 'tad' | 'seated_patient' | 'taxi'; name: string; phone: string | null; notes: string | null; area: string | null }>(
      `SELECT p.id, p.kind, p.name, p.phone, p.notes, ST_AsGeoJSON(p.area) AS area
       FROM transport_providers p
       WHERE p.active AND p.kind = ANY($1::text[]) AND ($2::int IS NULL OR p.territory_id = $2)
         AND (p.area IS NULL AND $2::int IS NOT NULL
              OR ST_Covers(p.area, ST_SetSRID(ST_MakePoint($3, $4), 4326)) AND ST_Covers(p.area, ST_SetSRID(ST_MakePoint($5, $6), 4326)))
       ORDER BY p.kind, p.name`,
      [kinds, q.territoryId, ...q.from, ...q.to],
    )
  ).rows;
  return {
    onDemand: rows
      .filter((r) => r.kind === 'tad')
      .map((r) => ({
        source: 'provider' as const, name: r.name, phone: r.phone, agency: null, feedVersionId: null, routeId: null,
        windowStartMin: null, windowEndMin: null, pickup: null, dropOff: null, booking: null, providerId: r.id, notes: r.notes,
      })),
    seatedPatient: rows
      .filter((r): r is typeof r & { kind: 'seated_patient' | 'taxi' } => r.kind !== 'tad')
      .map((r) => ({ id: r.id, kind: r.kind, name: r.name, phone: r.phone, notes: r.notes, area: r.area ? JSON.parse(r.area) : null })),
  };
}
