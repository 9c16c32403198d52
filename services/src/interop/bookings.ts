import Router from '@koa/router';
import { z } from 'zod';
import type { Services } from '../context.ts';
import { HttpError } from '../http/errors.ts';
import { parse } from '../http/validate.ts';
import { toClock as clockOf } from '../time/clock.ts';
import type { MatchStatus } from '../domain/match-workflow.ts';
import { matchOf, walk } from '../domain/matches.ts';
import { recordRequest } from '../domain/requests.ts';
import { reindexTrip } from '../domain/trips.ts';
import { operatorOf, type Operator } from './auth.ts';
import type { InteropConfig } from './config.ts';
import { disclose } from './disclosure.ts';
import {
  BOOKING_STATUSES, bookingStatusOf, cancelledByPassenger, driverUser, isUuid, journeyId, missing, optional, parseJourneyId, pathTo, price, user,
  UUID_REASON, uuid,
} from './model.ts';
import { toLocal, toUnix } from './time.ts';

const bookingBody = z.object({
  id: uuid,
  driver: optional(user),
  passenger: user,
  status: z.literal('WAITING_CONFIRMATION', { error: 'a new booking has status WAITING_CONFIRMATION' }).default('WAITING_CONFIRMATION'),
  passengerPickupDate: z.number().int().min(0),
  passengerPickupLat: z.number().min(-90).max(90),
  passengerPickupLng: z.number().min(-180).max(180),
  passengerDropLat: z.number().min(-90).max(90),
  passengerDropLng: z.number().min(-180).max(180),
  passengerPickupAddress: optional(z.string().max(200)),
  passengerDropAddress: optional(z.string().max(200)),
  price: optional(price),
  // Optional in the standard ("if any"): without it, the passenger's points and time find the journey.
  driverJourneyId: optional(z.string().max(255)),
  passengerJourneyId: optional(z.string().max(255)),
  distance: optional(z.number().int().min(0)),
  duration: optional(z.number().int().min(0)),
  webUrl: optional(z.string().max(2000)),
  car: optional(z.object({ model: optional(z.string().max(255)), brand: optional(z.string().max(255)) })),
});
const patchQuery = z.object({ status: z.enum(BOOKING_STATUSES), message: optional(z.string().max(500)) });

/** POST /bookings documents 400 as its only refusal: a journey that is gone or no longer fits is one, with its code. */
const journeyRefused = (code: 'missing_journey' | 'journey_unavailable', reason: string) =>
  new HttpError(400, code, `driverJourneyId: ${reason}`, [{ field: 'driverJourneyId', reason }]);
const bookingExists = () =>
  new HttpError(400, 'booking_exists', 'id: a booking with this id exists already', [{ field: 'id', reason: 'a booking with this id exists already' }]);
/** PATCH documents 409 for status_already_set only: a move the workflow refuses is a 400 with its reason. */
const statusRefused = (reason: string) => new HttpError(400, 'status_not_allowed', `status: ${reason}`, [{ field: 'status', reason }]);

export function bookingRoutes(s: Services, cfg: InteropConfig) {
  const r = new Router();
  const op = cfg.INTEROP_OPERATOR;
  const tz = cfg.INTEROP_TIMEZONE;

  const load = async (p: Operator, bookingId: string) => {
    if (!isUuid(bookingId)) throw new HttpError(400, 'invalid_input', `bookingId: ${UUID_REASON}`, [{ field: 'bookingId', reason: UUID_REASON }]);
    const { rows } = await s.db.query<Record<string, any>>(
      `SELECT b.*, m.status AS match_status, m.trip_id, m.leg, m.date::text AS date, m.pickup_min, m.dropoff_min, m.detour_m,
         ST_X(m.pickup) AS pickup_lng, ST_Y(m.pickup) AS pickup_lat, ST_X(m.dropoff) AS drop_lng, ST_Y(m.dropoff) AS drop_lat, t.driver_id
       FROM interop_bookings b JOIN matches m ON m.id = b.match_id JOIN trips t ON t.id = m.trip_id
       WHERE b.id = $1 AND b.operator = $2 AND b.territory_id = ANY($3::int[])`,
      [bookingId, p.operator, p.territoryIds],
    );
    if (!rows[0]) throw missing('booking', bookingId);
    return rows[0];
  };
  /** The pickup and drop-off lie on our driver's route: exact only with the driver's consent to partner apps. */
  const present = async (b: Record<string, any>) => {
    const [shown] = await disclose(s.db, [{
      personId: b.driver_id,
      places: [{ lat: Number(b.pickup_lat), lng: Number(b.pickup_lng) }, { lat: Number(b.drop_lat), lng: Number(b.drop_lng) }],
    }]);
    const [pickup, drop] = shown.places;
    return {
      id: b.id,
      driver: driverUser(op, b.driver_id),
      passenger: b.passenger_ref.user,
      passengerPickupDate: toUnix(b.date, b.pickup_min, tz),
      passengerPickupLat: pickup.lat,
      passengerPickupLng: pickup.lng,
      passengerDropLat: drop.lat,
      passengerDropLng: drop.lng,
      ...(b.pickup_address ? { passengerPickupAddress: b.pickup_address } : {}),
      ...(b.drop_address ? { passengerDropAddress: b.drop_address } : {}),
      status: bookingStatusOf(b.match_status, b.validated),
      duration: Math.max(0, (b.dropoff_min - b.pickup_min) * 60),
      price: b.price,
      driverJourneyId: journeyId({ tripId: b.trip_id, leg: b.leg }, b.date),
      ...(b.passenger_ref.journeyId ? { passengerJourneyId: b.passenger_ref.journeyId } : {}),
    };
  };

  /** The driver journey booked: the one named, or the best one for the passenger's points and time. */
  const journeyOf = async (p: Operator, b: z.infer<typeof bookingBody>) => {
    const local = toLocal(b.passengerPickupDate, tz);
    const ask = (territoryIds: number[], date: string, toleranceMin: number) =>
      s.matcher.match({
        from: [b.passengerPickupLng, b.passengerPickupLat], to: [b.passengerDropLng, b.passengerDropLat], date, weekdays: [],
        timeMin: local.min, timeKind: 'depart', toleranceMin, seats: 1, territoryIds,
      });
    if (b.driverJourneyId !== undefined) {
      const j = parseJourneyId(b.driverJourneyId);
      if (!j) throw journeyRefused('missing_journey', 'not a driver journey id of this operator (from GET /driver_journeys)');
      const trip = await s.db.query<{ territory_id: number }>('SELECT territory_id FROM trips WHERE id = $1 AND active', [j.tripId]);
      if (!trip.rows[0] || !p.territoryIds!.includes(trip.rows[0].territory_id)) throw journeyRefused('missing_journey', `driver journey ${b.driverJourneyId} not found`);
      if (local.date !== j.date) throw new HttpError(400, 'invalid_input', 'passengerPickupDate: not on the day of the driver journey', [{ field: 'passengerPickupDate', reason: 'not on the day of the driver journey' }]);
      const territoryId = trip.rows[0].territory_id;
      const tol = s.rulesOf(territoryId).toleranceMin;
      // The journey is matched again, as for any request: the seat, the detour and the time must still hold.
      const answer = await ask([territoryId], j.date, tol);
      const proposal = answer.proposals.find((x) => x.tripId === j.tripId && x.leg === j.leg);
      if (!proposal) throw journeyRefused('journey_unavailable', 'this driver journey no longer fits these points and time (seat, detour or schedule)');
      return { proposal, approximate: answer.approximate, territoryId, date: j.date, tol, local };
    }
    // No journey named: the best driver for these points at this time, ours if the booking names our driver.
    const driverId = b.driver?.operator === op ? /^driver-(\d{1,9})$/.exec(b.driver.id)?.[1] : undefined;
    const tol = Math.max(...p.territoryIds!.map((t) => s.rulesOf(t).toleranceMin));
    const answer = await ask(p.territoryIds!, local.date, tol);
    const proposal = answer.proposals.find((x) => driverId === undefined || x.driverId === Number(driverId));
    if (!proposal) {
      throw journeyRefused('journey_unavailable', 'no driver journey fits these points and time: search GET /driver_journeys and send the driverJourneyId of the one to book');
    }
    return { proposal, approximate: answer.approximate, territoryId: proposal.territoryId, date: local.date, tol, local };
  };

  r.post('/bookings', async (ctx) => {
    const p = operatorOf(ctx);
    const b = parse(bookingBody, ctx.request.body);
    if ((await s.db.query('SELECT 1 FROM interop_bookings WHERE id = $1', [b.id])).rows.length) throw bookingExists();
    const { proposal, approximate, territoryId, date, tol, local } = await journeyOf(p, b);
    // Requests booked by a partner are filed under its name; the passenger is the partner's user, not a person here.
    const filedAs = { actor: `interop:${p.operator}`, territoryIds: [territoryId] };
    const stored = { type: b.price?.type ?? 'UNKNOWN', ...(b.price?.amount !== undefined ? { amount: b.price.amount } : {}), ...(b.price?.currency ? { currency: b.price.currency } : {}) };
    try {
      await s.db.transaction(async (tx) => {
        const rid = await recordRequest(
          tx,
          filedAs,
          territoryId,
          {
            from: { lng: b.passengerPickupLng, lat: b.passengerPickupLat },
            to: { lng: b.passengerDropLng, lat: b.passengerDropLat },
            fromLabel: b.passengerPickupAddress ?? null,
            toLabel: b.passengerDropAddress ?? null,
            date,
            time: clockOf(local.min),
            timeKind: 'depart',
            toleranceMin: tol,
            seats: 1,
            purpose: 'other',
          },
          { proposals: [proposal], approximate },
        );
        const m = await matchOf(tx, rid, proposal.tripId, proposal.leg);
        await tx.query(
          `INSERT INTO interop_bookings (id, operator, token_id, territory_id, match_id, request_id, passenger_ref, price, pickup_address, drop_address)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [b.id, p.operator, p.tokenId, territoryId, m.id, rid, JSON.stringify({ user: b.passenger, journeyId: b.passengerJourneyId }),
           JSON.stringify(stored), b.passengerPickupAddress ?? null, b.passengerDropAddress ?? null],
        );
      });
    } catch (err) {
      // Two deliveries of one booking at once: the second finds the id taken.
      if ((err as { code?: string }).code === '23505' && (err as { constraint?: string }).constraint === 'interop_bookings_pkey') throw bookingExists();
      throw err;
    }
    ctx.status = 201;
    ctx.body = await present(await load(p, b.id));
  });

  r.get('/bookings/:bookingId', async (ctx) => {
    ctx.body = await present(await load(operatorOf(ctx), ctx.params.bookingId));
  });

  r.patch('/bookings/:bookingId', async (ctx) => {
    const p = operatorOf(ctx);
    const q = parse(patchQuery, ctx.query);
    const b = await load(p, ctx.params.bookingId);
    const current = bookingStatusOf(b.match_status, b.validated);
    if (current === q.status) throw new HttpError(409, 'status_already_set', `the booking is already ${q.status}`);
    const steps = pathTo(b.match_status, q.status);
    if (!steps) throw statusRefused(`cannot go from ${current} to ${q.status}`);
    try {
      await s.db.transaction(async (tx) => {
        await walk(tx, p, b.match_id, steps, cancelledByPassenger, q.message ?? null);
        await tx.query('UPDATE interop_bookings SET validated = $2, last_message = COALESCE($3, last_message), updated_at = now() WHERE id = $1', [
          b.id, q.status === 'VALIDATED', q.message ?? null,
        ]);
      });
    } catch (err) {
      // The workflow's refusals (no free seat left…) are conflicts elsewhere; here the document has 400 for them.
      if (err instanceof HttpError && err.status === 409) throw statusRefused(err.message);
      throw err;
    }
    await reindexTrip(s, b.trip_id);
    ctx.body = await present(await load(p, b.id));
  });

  return r;
}
