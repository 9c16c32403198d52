import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { nearestCarpoolAreas, type CarpoolArea } from '../bnlc/nearest.ts';
import type { Services } from '../context.ts';
import { parse } from '../http/validate.ts';
import { legKey } from '../matching/legs.ts';
import type { MatchQuery, Proposal } from '../matching/matcher.ts';
import type { LngLat } from '../routing/types.ts';
import { operatorOf } from './auth.ts';
import type { InteropConfig } from './config.ts';
import { coarsePointSql } from '../privacy/coarsen.ts';
import { consentSql } from '../privacy/consents.ts';
import { disclose, type Place } from './disclosure.ts';
import { passagesOf, webUrlsOf, type Passage } from './itinerary.ts';
import { driverUser, journeyId, passengerUser } from './model.ts';
import { isoWeekdayOf, partialTime, toLocal, toUnix, WEEKDAY_CODES, weekdayCode, type WeekdayCode } from './time.ts';

const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
/** An optional query parameter sent empty (`count=`) is absent: a coercion would read it as 0. */
const optionalQuery = <S extends z.ZodType>(schema: S) => z.preprocess((v) => (v === '' ? undefined : v), schema);
/** Limits of this server beyond the document (which sets none): also published in /interop/v1/openapi.json. */
export const SEARCH_LIMITS = { maxRadiusKm: 50, maxTimeDeltaS: 86_400 } as const;
const place = {
  departureLat: num(-90, 90),
  departureLng: num(-180, 180),
  arrivalLat: num(-90, 90),
  arrivalLng: num(-180, 180),
  // 0 is a valid value for each (the exact time, the exact point): the document sets no minimum.
  timeDelta: optionalQuery(z.coerce.number().int().min(0).max(SEARCH_LIMITS.maxTimeDeltaS).default(900)),
  departureRadius: optionalQuery(z.coerce.number().min(0).max(SEARCH_LIMITS.maxRadiusKm).default(1)),
  arrivalRadius: optionalQuery(z.coerce.number().min(0).max(SEARCH_LIMITS.maxRadiusKm).default(1)),
  count: optionalQuery(z.coerce.number().int().min(0).optional()),
};
const punctual = z.object({ ...place, departureDate: z.coerce.number().int().min(0) });
/**
 * departureWeekdays as OpenAPI clients send an array in a query: `MON,TUE` (style form, explode false: what the
 * document declares) or `departureWeekdays=MON&departureWeekdays=TUE` (explode true, the default of OpenAPI and of
 * most generated clients); both forms may be mixed.
 */
const weekdayList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((d) => d.trim().toUpperCase()).filter(Boolean))
  .transform((days) => (days.length ? days : [...WEEKDAY_CODES]))
  .pipe(z.array(z.enum(WEEKDAY_CODES, { error: `expected days among ${WEEKDAY_CODES.join(', ')}` })).min(1));
const regular = z.object({
  ...place,
  departureTimeOfDay: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'expected a partial-time HH:MM:SS'),
  departureWeekdays: weekdayList.default([...WEEKDAY_CODES]),
  minDepartureDate: optionalQuery(z.coerce.number().int().min(0).optional()),
  maxDepartureDate: optionalQuery(z.coerce.number().int().min(0).optional()),
});

/** The matcher's window in minutes: the standard's ±timeDelta seconds, within what the matching rules accept. */
const toleranceOf = (timeDeltaS: number) => Math.min(240, Math.ceil(timeDeltaS / 60));

/** Meeting points: BNLC carpool areas near the pickup, within the departure radius the operator asked for. */
export type MeetingPoint = Pick<CarpoolArea, 'id' | 'name' | 'type' | 'lat' | 'lng' | 'distanceM'>;
const meetingPointsNear = async (s: Services, at: LngLat, radiusKm: number): Promise<MeetingPoint[]> =>
  (await nearestCarpoolAreas(s.db, at, radiusKm * 1000, 3)).map(({ id, name, type, lat, lng, distanceM }) => ({ id, name, type, lat, lng, distanceM }));

/** How far truncating to 2 decimals can move a point: 0.01° on both axes, 1.5 km at most anywhere in France. */
const TRUNCATION_SLACK_M = 2_000;

/** Journey ids carry what a booking needs to find the trip again: trip, leg and date ("12-outbound-2026-09-01"). */
export function journeyRoutes(s: Services, cfg: InteropConfig) {
  const r = new Router();
  const op = cfg.INTEROP_OPERATOR;
  const tz = cfg.INTEROP_TIMEZONE;

  /**
   * The driver's trip as the operator may see it: without the driver's consent to partner apps, the pickup and
   * drop-off truncated, and neither the driver's own ends (optional in the standard, the home most often) nor the
   * polyline (it would draw the exact points again).
   */
  const driverTrip = (p: Proposal, passage: Passage, webUrl: string, shown: { exact: boolean; places: Place[] }) => {
    const leg = s.index.legs.get(legKey(p.tripId, p.leg));
    const [pickup, drop] = shown.places;
    const { journeyPolyline, ...measures } = passage;
    return {
      operator: op,
      driver: driverUser(op, p.driverId),
      passengerPickupLat: pickup.lat,
      passengerPickupLng: pickup.lng,
      passengerDropLat: drop.lat,
      passengerDropLng: drop.lng,
      ...measures,
      ...(shown.exact && journeyPolyline ? { journeyPolyline } : {}),
      webUrl,
      ...(leg && shown.exact
        ? { driverDepartureLat: leg.origin[1], driverDepartureLng: leg.origin[0], driverArrivalLat: leg.destination[1], driverArrivalLng: leg.destination[0] }
        : {}),
    };
  };
  /** Distance, duration, polyline and deep link of each proposal kept. */
  const details = async (proposals: Proposal[], date: string | null) => {
    const [passages, urls, shown] = await Promise.all([
      passagesOf(s, proposals),
      webUrlsOf(s, cfg, proposals, date),
      disclose(s.db, proposals.map((p) => ({ personId: p.driverId, places: [p.pickup, p.dropoff] }))),
    ]);
    return proposals.map((p, i) => ({ trip: driverTrip(p, passages[i], urls[i], shown[i]), exact: shown[i].exact }));
  };
  // Solidarity carpooling is free for the passenger: the standard's FREE (UNKNOWN means "paying, amount not set yet").
  const price = { type: 'FREE' as const };

  r.get('/driver_journeys', async (ctx) => {
    const q = parse(punctual, ctx.query);
    const p = operatorOf(ctx);
    const local = toLocal(q.departureDate, tz);
    const mq: MatchQuery = {
      from: [q.departureLng, q.departureLat], to: [q.arrivalLng, q.arrivalLat], date: local.date, weekdays: [],
      timeMin: local.min, timeKind: 'depart', toleranceMin: toleranceOf(q.timeDelta), seats: 1, territoryIds: p.territoryIds,
    };
    const [answer, meetingPoints] = await Promise.all([s.matcher.match(mq), meetingPointsNear(s, mq.from, q.departureRadius)]);
    ctx.set('X-Approximate', String(answer.approximate));
    const kept = answer.proposals.slice(0, q.count ?? undefined);
    const trips = await details(kept, local.date);
    ctx.body = kept.map((pr, i) => {
      const leg = s.index.legs.get(legKey(pr.tripId, pr.leg));
      return {
        ...trips[i].trip,
        id: journeyId(pr, local.date),
        type: 'PLANNED',
        passengerPickupDate: toUnix(local.date, pr.pickup.timeMin, tz),
        // With the pickup time, the time the driver leaves home would tell how far from home the pickup is.
        ...(leg && trips[i].exact ? { driverDepartureDate: toUnix(local.date, leg.departureMin, tz) } : {}),
        availableSeats: pr.seatsFree,
        price,
        meetingPoints,
      };
    });
  });

  r.get('/driver_regular_trips', async (ctx) => {
    const q = parse(regular, ctx.query);
    const p = operatorOf(ctx);
    const [h, m] = q.departureTimeOfDay.split(':').map(Number);
    const mq: MatchQuery = {
      from: [q.departureLng, q.departureLat], to: [q.arrivalLng, q.arrivalLat], date: null,
      weekdays: q.departureWeekdays.map((d) => isoWeekdayOf(d as WeekdayCode)), timeMin: h * 60 + m, timeKind: 'depart',
      toleranceMin: toleranceOf(q.timeDelta), seats: 1, territoryIds: p.territoryIds,
    };
    const minDate = q.minDepartureDate === undefined ? undefined : toLocal(q.minDepartureDate, tz).date;
    const maxDate = q.maxDepartureDate === undefined ? undefined : toLocal(q.maxDepartureDate, tz).date;
    const [answer, meetingPoints] = await Promise.all([s.matcher.match(mq), meetingPointsNear(s, mq.from, q.departureRadius)]);
    ctx.set('X-Approximate', String(answer.approximate));
    const inPeriod = (pr: Proposal) => {
      const sch = s.index.legs.get(legKey(pr.tripId, pr.leg))?.schedule;
      if (!sch) return false;
      return !(minDate && sch.validTo && sch.validTo < minDate) && !(maxDate && sch.validFrom && sch.validFrom > maxDate);
    };
    const kept = answer.proposals.filter(inPeriod).slice(0, q.count ?? undefined);
    // No date for a regular trip: the page asks for it.
    const trips = await details(kept, null);
    ctx.body = kept.map((pr, i) => ({
      // No price here: the document gives one to DriverJourney only, not to DriverTrip.
      ...trips[i].trip,
      meetingPoints,
      schedules: (pr.weekdays ?? []).map((d) => ({ passengerPickupDay: weekdayCode(d), passengerPickupTimeOfDay: partialTime(pr.pickup.timeMin) })),
    }));
  });

  /**
   * Open requests whose two ends, as the operator may see them, lie within the radii: what a driver going that way
   * could take. The ends are exact only with the passenger's consent to partner apps, otherwise truncated
   * (privacy/coarsen.ts), and the radii apply to what is shown: probing with small radii finds the cell, not the home.
   */
  const passengerRows = async (ctx: Context, q: z.infer<typeof punctual> | z.infer<typeof regular>, when: { date: string | null; weekdays: number[]; timeMin: number }) => {
    const p = operatorOf(ctx);
    const tol = toleranceOf(q.timeDelta);
    const shown = (col: string) => `CASE WHEN e.exact THEN ${col} ELSE ${coarsePointSql(col)} END`;
    const { rows } = await s.db.query<Record<string, any>>(
      // Not the requests of other operators' users (booked through us) nor anonymised ones: not ours to show.
      `SELECT r.id, r.passenger_id, ST_X(v.f) AS from_lng, ST_Y(v.f) AS from_lat, ST_X(v.t) AS to_lng, ST_Y(v.t) AS to_lat,
         ST_X(r.from_point) AS exact_from_lng, ST_Y(r.from_point) AS exact_from_lat, ST_X(r.to_point) AS exact_to_lng,
         ST_Y(r.to_point) AS exact_to_lat, r.date, r.weekdays, r.time_min, r.time_kind, r.seats
       FROM requests r
         CROSS JOIN LATERAL (SELECT ${consentSql('partner_apps', 'r.passenger_id')} AS exact) e
         CROSS JOIN LATERAL (SELECT ${shown('r.from_point')} AS f, ${shown('r.to_point')} AS t) v
       WHERE r.status = 'open' AND r.territory_id = ANY($1::int[]) AND r.anonymized_at IS NULL
         AND COALESCE(r.created_by, '') NOT LIKE 'interop:%'
         -- A truncated point moves less than ${TRUNCATION_SLACK_M} m: the exact test first, so that the index serves.
         AND ST_DWithin(r.from_point::geography, ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography, $4 + ${TRUNCATION_SLACK_M})
         AND ST_DWithin(r.to_point::geography, ST_SetSRID(ST_MakePoint($5, $6), 4326)::geography, $7 + ${TRUNCATION_SLACK_M})
         AND ST_DWithin(v.f::geography, ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography, $4)
         AND ST_DWithin(v.t::geography, ST_SetSRID(ST_MakePoint($5, $6), 4326)::geography, $7)
         AND abs(r.time_min - $8) <= $9
         AND (CASE WHEN $10::date IS NULL THEN r.date IS NULL AND r.weekdays && $11::smallint[] ELSE r.date = $10::date END)
       ORDER BY abs(r.time_min - $8), r.id LIMIT $12`,
      [p.territoryIds, q.departureLng, q.departureLat, q.departureRadius * 1000, q.arrivalLng, q.arrivalLat, q.arrivalRadius * 1000,
       when.timeMin, tol, when.date, when.weekdays, Math.min(q.count ?? 100, 100)],
    );
    if (!rows.length) return { rows, durations: [] as number[], distances: [] as number[] };
    // One table call for every pickup → drop-off (the true ones: a length does not locate anybody); the standard
    // requires a duration.
    const table = await s.router.table(
      rows.map((x) => [x.exact_from_lng, x.exact_from_lat] as LngLat),
      rows.map((x) => [x.exact_to_lng, x.exact_to_lat] as LngLat),
    );
    ctx.set('X-Approximate', String(Boolean(table.approximate || s.router.approximate)));
    return { rows, durations: rows.map((_, i) => Math.round(table.durationsS[i][i] ?? 0)), distances: rows.map((_, i) => Math.round(table.distancesM[i][i] ?? 0)) };
  };
  /** The passenger's ends as passengerRows shows them. */
  const passengerTrip = (x: Record<string, any>, durationS: number, distanceM: number | undefined) => ({
    operator: op,
    passenger: passengerUser(op, x.passenger_id ? String(x.passenger_id) : `r${x.id}`),
    passengerPickupLat: Number(x.from_lat),
    passengerPickupLng: Number(x.from_lng),
    passengerDropLat: Number(x.to_lat),
    passengerDropLng: Number(x.to_lng),
    duration: durationS,
    ...(distanceM ? { distance: distanceM } : {}),
  });

  r.get('/passenger_journeys', async (ctx) => {
    const q = parse(punctual, ctx.query);
    const local = toLocal(q.departureDate, tz);
    const { rows, durations, distances } = await passengerRows(ctx, q, { date: local.date, weekdays: [], timeMin: local.min });
    ctx.body = rows.map((x, i) => ({
      ...passengerTrip(x, durations[i], distances[i]),
      id: `request-${x.id}`,
      type: 'PLANNED',
      passengerPickupDate: toUnix(local.date, x.time_min, tz),
      // The driver leaves at the time asked: the passenger's window is ±timeDelta around it.
      driverDepartureDate: q.departureDate,
      requestedSeats: x.seats,
    }));
  });

  r.get('/passenger_regular_trips', async (ctx) => {
    const q = parse(regular, ctx.query);
    const [h, m] = q.departureTimeOfDay.split(':').map(Number);
    const weekdays = q.departureWeekdays.map((d) => isoWeekdayOf(d as WeekdayCode));
    const { rows, durations, distances } = await passengerRows(ctx, q, { date: null, weekdays, timeMin: h * 60 + m });
    ctx.body = rows.map((x, i) => ({
      ...passengerTrip(x, durations[i], distances[i]),
      schedules: (x.weekdays as number[]).map(Number).filter((d) => weekdays.includes(d))
        .map((d) => ({ passengerPickupDay: weekdayCode(d), passengerPickupTimeOfDay: partialTime(x.time_min) })),
    }));
  });

  return r;
}
