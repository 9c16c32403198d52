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
import { BOOKING_STATUSES, bookingStatusOf, cancelledByPassenger, driverUser, journeyId, missing, parseJourneyId, pathTo, user } from './model.ts';
import { toLocal, toUnix } from './time.ts';

const bookingBody = z.object({
  id: z.uuid(),
  driver: user.optional(),
  passenger: user,
  status: z.literal('WAITING_CONFIRMATION', { error: 'a new booking has status WAITING_CONFIRMATION' }).default('WAITING_CONFIRMATION'),
  passengerPickupDate: z.number().int().min(0),
  passengerPickupLat: z.number().min(-90).max(90),
  passengerPickupLng: z.number().min(-180).max(180),
  passengerDropLat: z.number().min(-90).max(90),
  passengerDropLng: z.number().min(-180).max(180),
  passengerPickupAddress: z.string().max(200).optional(),
  passengerDropAddress: z.string().max(200).optional(),
  price: z.object({ type: z.enum(['FREE', 'PAYING', 'UNKNOWN']).optional(), amount: z.number().optional(), currency: z.string().optional() }).optional(),
  driverJourneyId: z.string({ error: 'the driver journey to book (an id from GET /driver_journeys) is required' }).min(1).max(255),
  passengerJourneyId: z.string().min(1).max(255).optional(),
  distance: z.number().int().optional(),
  duration: z.number().int().optional(),
  webUrl: z.string().optional(),
  car: z.object({}).passthrough().optional(),
});
const patchQuery = z.object({ status: z.enum(BOOKING_STATUSES), message: z.string().max(500).optional() });

export function bookingRoutes(s: Services, cfg: InteropConfig) {
  const r = new Router();
  const op = cfg.INTEROP_OPERATOR;
  const tz = cfg.INTEROP_TIMEZONE;

  const load = async (p: Operator, bookingId: string) => {
    if (!z.uuid().safeParse(bookingId).success) throw new HttpError(400, 'invalid_input', 'bookingId: expected a UUID', [{ field: 'bookingId', reason: 'expected a UUID' }]);
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

  r.post('/bookings', async (ctx) => {
    const p = operatorOf(ctx);
    const b = parse(bookingBody, ctx.request.body);
    const j = parseJourneyId(b.driverJourneyId);
    if (!j) throw missing('journey', b.driverJourneyId);
    const trip = await s.db.query<{ territory_id: number }>('SELECT territory_id FROM trips WHERE id = $1 AND active', [j.tripId]);
    if (!trip.rows[0] || !p.territoryIds!.includes(trip.rows[0].territory_id)) throw missing('journey', b.driverJourneyId);
    const territoryId = trip.rows[0].territory_id;
    const local = toLocal(b.passengerPickupDate, tz);
    if (local.date !== j.date) throw new HttpError(400, 'invalid_input', 'passengerPickupDate: not on the day of the driver journey', [{ field: 'passengerPickupDate', reason: 'not on the day of the driver journey' }]);
    const tol = s.rulesOf(territoryId).toleranceMin;
    // The journey is matched again, as for any request: the seat, the detour and the time must still hold.
    const answer = await s.matcher.match({
      from: [b.passengerPickupLng, b.passengerPickupLat], to: [b.passengerDropLng, b.passengerDropLat], date: j.date, weekdays: [],
      timeMin: local.min, timeKind: 'depart', toleranceMin: tol, seats: 1, territoryIds: [territoryId],
    });
    const proposal = answer.proposals.find((x) => x.tripId === j.tripId && x.leg === j.leg);
    if (!proposal) throw new HttpError(409, 'journey_unavailable', 'this driver journey no longer fits these points and time (seat, detour or schedule)');
    // Requests booked by a partner are filed under its name; the passenger is the partner's user, not a person here.
    const filedAs = { actor: `interop:${p.operator}`, territoryIds: [territoryId] };
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
          date: j.date,
          time: clockOf(local.min),
          timeKind: 'depart',
          toleranceMin: tol,
          seats: 1,
          purpose: 'other',
        },
        { proposals: [proposal], approximate: answer.approximate },
      );
      const m = await matchOf(tx, rid, j.tripId, j.leg);
      await tx.query(
        `INSERT INTO interop_bookings (id, operator, token_id, territory_id, match_id, request_id, passenger_ref, price, pickup_address, drop_address)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [b.id, p.operator, p.tokenId, territoryId, m.id, rid, JSON.stringify({ user: b.passenger, journeyId: b.passengerJourneyId }),
         JSON.stringify({ type: 'UNKNOWN', ...b.price }), b.passengerPickupAddress ?? null, b.passengerDropAddress ?? null],
      );
    });
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
    if (!steps) throw new HttpError(409, 'conflict', `cannot go from ${current} to ${q.status}`, [{ field: 'status', reason: `not allowed from ${current}` }]);
    await s.db.transaction(async (tx) => {
      await walk(tx, p, b.match_id, steps, cancelledByPassenger, q.message ?? null);
      await tx.query('UPDATE interop_bookings SET validated = $2, last_message = COALESCE($3, last_message), updated_at = now() WHERE id = $1', [
        b.id, q.status === 'VALIDATED', q.message ?? null,
      ]);
    });
    await reindexTrip(s, b.trip_id);
    ctx.body = await present(await load(p, b.id));
  });

  return r;
}
