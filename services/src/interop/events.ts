import crypto from 'node:crypto';
import Router from '@koa/router';
import { z } from 'zod';
import type { Services } from '../context.ts';
import type { Queryable } from '@comobi/db';
import { HttpError } from '../http/errors.ts';
import { parse } from '../http/validate.ts';
import type { MatchStatus } from '../domain/match-workflow.ts';
import { walk } from '../domain/matches.ts';
import { reindexTrip } from '../domain/trips.ts';
import { operatorOf, type Operator } from './auth.ts';
import { BOOKING_STATUSES, bookingStatusOf, cancelledByPassenger, fullUser, isUuid, optional, pathTo, price, uuid, type BookingStatus } from './model.ts';

/** CarpoolBooking, then exactly one of DriverCarpoolBooking (driver + price) or PassengerCarpoolBooking (passenger). */
const carpoolBooking = z
  .object({
    id: z.string().min(1).max(255),
    passengerPickupDate: z.number().int().min(0),
    passengerPickupLat: z.number().min(-90).max(90),
    passengerPickupLng: z.number().min(-180).max(180),
    passengerDropLat: z.number().min(-90).max(90),
    passengerDropLng: z.number().min(-180).max(180),
    passengerPickupAddress: optional(z.string().max(500)),
    passengerDropAddress: optional(z.string().max(500)),
    status: z.enum(BOOKING_STATUSES),
    distance: optional(z.number().int().min(0)),
    duration: optional(z.number().int().min(0)),
    // Required, and any string to the document: an empty one is a link not given.
    webUrl: z.string().max(2000),
    driver: optional(fullUser),
    passenger: optional(fullUser),
    price: optional(price),
    car: optional(z.object({ model: optional(z.string().max(255)), brand: optional(z.string().max(255)) })),
  })
  .superRefine((b, ctx) => {
    const asDriver = b.driver !== undefined && b.price !== undefined;
    const asPassenger = b.passenger !== undefined;
    // The document's oneOf: a body that is both (or neither) a driver and a passenger booking is invalid.
    if (asDriver === asPassenger) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: asDriver
          ? 'a booking event is either a DriverCarpoolBooking (driver, price) or a PassengerCarpoolBooking (passenger), not both'
          : 'expected a PassengerCarpoolBooking (passenger) or a DriverCarpoolBooking (driver and price)',
      });
    }
  });

const eventBody = z.object({
  id: uuid,
  idToken: z.string().min(1).max(10_000),
  data: carpoolBooking,
});

type Outcome = 'applied' | 'unchanged' | 'stale' | 'unknown_booking' | 'refused';

/** Progress of a booking that is not cancelled: an event behind where we are is an old one arriving late. */
const RANK: Record<Exclude<BookingStatus, 'CANCELLED'>, number> = {
  WAITING_CONFIRMATION: 0,
  CONFIRMED: 1,
  COMPLETED_PENDING_VALIDATION: 2,
  VALIDATED: 3,
};

/** What an event does to a booking at `current`: the match statuses to walk through, or why it does nothing. */
export function planEvent(
  match: MatchStatus,
  validated: boolean,
  to: BookingStatus,
): { outcome: 'applied'; steps: MatchStatus[] } | { outcome: 'unchanged' | 'stale' | 'refused'; detail: string } {
  const current = bookingStatusOf(match, validated);
  if (current === to) return { outcome: 'unchanged', detail: `already ${to}` };
  if (current !== 'CANCELLED' && to !== 'CANCELLED' && RANK[to] < RANK[current]) {
    return { outcome: 'stale', detail: `the booking is already ${current}` };
  }
  const steps = pathTo(match, to);
  if (!steps) return { outcome: 'refused', detail: `cannot go from ${current} to ${to}` };
  return { outcome: 'applied', steps };
}

const refused = (detail: string) =>
  new HttpError(400, 'status_not_allowed', `data.status: ${detail}`, [{ field: 'data.status', reason: detail }]);

/** The event as compared on a replay: the ID token may be renewed between two deliveries of one event. */
const hashOf = (e: z.infer<typeof eventBody>) =>
  crypto.createHash('sha256').update(JSON.stringify({ id: e.id, data: e.data })).digest('hex');

/**
 * POST /booking_events: an operator tells us what became of a booking (CarpoolBookingEvent). When it is a booking
 * that operator holds with us (POST /bookings), the match follows through the same workflow as everywhere else;
 * other bookings are acknowledged and recorded. Idempotent on the event id: a replay changes nothing and gets the
 * first answer again.
 */
export function bookingEventRoutes(s: Services) {
  const r = new Router();

  const record = (db: Queryable, p: Operator, e: z.infer<typeof eventBody>, hash: string, territoryId: number, row: {
    bookingId: string | null; matchId: number | null; outcome: Outcome; detail: string | null;
  }) =>
    db.query(
      `INSERT INTO interop_booking_events (operator, id, token_id, territory_id, payload_hash, booking_ref, booking_id, match_id, status, outcome, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (operator, id) DO NOTHING`,
      [p.operator, e.id, p.tokenId, territoryId, hash, e.data.id, row.bookingId, row.matchId, e.data.status, row.outcome, row.detail],
    );

  /** A known event id: the same content gets its first answer, another content is refused. */
  const replay = async (db: Queryable, p: Operator, e: z.infer<typeof eventBody>, hash: string): Promise<boolean> => {
    const { rows } = await db.query<{ payload_hash: string; outcome: Outcome; detail: string | null }>(
      'SELECT payload_hash, outcome, detail FROM interop_booking_events WHERE operator = $1 AND id = $2',
      [p.operator, e.id],
    );
    const seen = rows[0];
    if (!seen) return false;
    if (seen.payload_hash !== hash) throw new HttpError(400, 'invalid_input', 'id: this event id was already used for another event', [{ field: 'id', reason: 'already used for another event' }]);
    if (seen.outcome === 'refused') throw refused(seen.detail ?? 'refused');
    return true;
  };

  r.post('/booking_events', async (ctx) => {
    const p = operatorOf(ctx);
    const e = parse(eventBody, ctx.request.body);
    const hash = hashOf(e);
    const territoryId = p.territoryIds![0];
    let tripToRefresh: number | null = null;
    if (!(await replay(s.db, p, e, hash))) {
      // CarpoolBooking.id is any string: only one shaped as our booking ids can be one of ours.
      const known = isUuid(e.data.id)
        ? (await s.db.query<{ id: string }>('SELECT id FROM interop_bookings WHERE id = $1 AND operator = $2 AND territory_id = ANY($3::int[])', [e.data.id, p.operator, p.territoryIds])).rows[0]
        : undefined;
      if (!known) {
        await record(s.db, p, e, hash, territoryId, { bookingId: null, matchId: null, outcome: 'unknown_booking', detail: null });
      } else {
        let refusal: { matchId: number; detail: string } | null = null;
        try {
          tripToRefresh = await s.db.transaction(async (tx) => {
            // The booking row is the lock: two deliveries of one event, or two events of one booking, run one after the other.
            const b = (await tx.query<{ match_id: number; validated: boolean; match_status: MatchStatus; trip_id: number }>(
              `SELECT b.match_id, b.validated, m.status AS match_status, m.trip_id
               FROM interop_bookings b JOIN matches m ON m.id = b.match_id WHERE b.id = $1 FOR UPDATE OF b`,
              [known.id],
            )).rows[0];
            if (await replay(tx, p, e, hash)) return null;
            const plan = planEvent(b.match_status, b.validated, e.data.status);
            if (plan.outcome === 'refused') {
              refusal = { matchId: b.match_id, detail: plan.detail };
              return null;
            }
            if (plan.outcome === 'applied') {
              const note = `booking event ${e.id} (${p.operator})`;
              try {
                await walk(tx, p, b.match_id, plan.steps, cancelledByPassenger, note);
              } catch (err) {
                // The workflow said no (no free seat…): nothing of this event is kept but its refusal.
                if (err instanceof HttpError && err.status < 500) throw Object.assign(err, { refusalOf: b.match_id });
                throw err;
              }
              await tx.query('UPDATE interop_bookings SET validated = $2, updated_at = now() WHERE id = $1', [known.id, e.data.status === 'VALIDATED']);
            }
            await record(tx, p, e, hash, territoryId, { bookingId: known.id, matchId: b.match_id, outcome: plan.outcome, detail: 'detail' in plan ? plan.detail : null });
            return plan.outcome === 'applied' ? b.trip_id : null;
          });
        } catch (err) {
          const matchId = (err as { refusalOf?: number }).refusalOf;
          if (matchId === undefined) throw err;
          refusal = { matchId, detail: (err as HttpError).message };
        }
        if (refusal) {
          const { matchId, detail } = refusal as { matchId: number; detail: string };
          await record(s.db, p, e, hash, territoryId, { bookingId: known.id, matchId, outcome: 'refused', detail });
          // Another delivery may have recorded first: answer what was recorded.
          await replay(s.db, p, e, hash);
        }
      }
    }
    if (tripToRefresh !== null) await reindexTrip(s, tripToRefresh);
    // The standard's answer is a bare 200.
    ctx.body = null;
    ctx.status = 200;
  });

  return r;
}
