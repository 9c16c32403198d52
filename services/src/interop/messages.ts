import Router from '@koa/router';
import { z } from 'zod';
import { accessReason, auditPersonalRead } from '../audit/audit.ts';
import { requireRole, type Principal } from '../auth/principal.ts';
import type { Services } from '../context.ts';
import type { Queryable } from '@comobi/db';
import { asPrincipal } from '../auth/scope.ts';
import { badRequest, notFound } from '../http/errors.ts';
import { filterBy, listPage, type ListSpec } from '../http/simple-rest.ts';
import { id, parse } from '../http/validate.ts';
import { operatorOf } from './auth.ts';
import type { InteropConfig } from './config.ts';
import { fullUser, missing, optional, parseJourneyId, uuid } from './model.ts';
import { bookingParties, recipientTerritory, requestParties, tripDriver } from './store.ts';

const messageBody = z.object({
  from: fullUser,
  to: fullUser,
  message: z.string().trim().min(1, 'the message is empty').max(500),
  recipientCarpoolerType: z.enum(['DRIVER', 'PASSENGER']),
  driverJourneyId: optional(z.string().max(255)),
  passengerJourneyId: optional(z.string().max(255)),
  bookingId: optional(uuid),
});

/** Our user ids as the search answers give them (journeys.ts): driver-12, passenger-34, or passenger-r56 (request 56). */
function parseUserRef(ref: string): { kind: 'DRIVER' | 'PASSENGER'; personId: number | null; requestId: number | null } | undefined {
  const m = /^(driver|passenger)-(r?)(\d{1,9})$/.exec(ref);
  if (!m || (m[1] === 'driver' && m[2])) return undefined;
  const n = Number(m[3]);
  return { kind: m[1] === 'driver' ? 'DRIVER' : 'PASSENGER', personId: m[2] ? null : n, requestId: m[2] ? n : null };
}

/** The message's links, each checked in the operator's territory: who receives it, about which trip, request, booking. */
interface Target {
  territoryId: number;
  personId: number | null;
  tripId: number | null;
  requestId: number | null;
  matchId: number | null;
  bookingId: string | null;
}

const PERSONAL = ['from', 'message'] as const;

const SELECT = `SELECT id, territory_id, operator, sender, recipient_type, recipient_ref, recipient_person_id, trip_id, request_id,
  match_id, booking_id, driver_journey_id, passenger_journey_id, body, created_at FROM interop_messages`;

interface MessageRow {
  id: number;
  territory_id: number;
  operator: string;
  sender: unknown;
  recipient_type: string;
  recipient_ref: string | null;
  recipient_person_id: number | null;
  trip_id: number | null;
  request_id: number | null;
  match_id: number | null;
  booking_id: string | null;
  driver_journey_id: string | null;
  passenger_journey_id: string | null;
  body: string | null;
  created_at: Date;
}

const present = (r: MessageRow) => ({
  id: r.id,
  territoryId: r.territory_id,
  operator: r.operator,
  from: r.sender,
  recipientType: r.recipient_type,
  recipientRef: r.recipient_ref,
  recipientPersonId: r.recipient_person_id,
  tripId: r.trip_id,
  requestId: r.request_id,
  matchId: r.match_id,
  bookingId: r.booking_id,
  driverJourneyId: r.driver_journey_id,
  passengerJourneyId: r.passenger_journey_id,
  message: r.body,
  createdAt: r.created_at,
});

/** One audit row per message shown: the text and the sender are personal data. */
const auditMessageRead = (db: Queryable, p: Principal, rows: { id: number; territory_id: number }[], reason: string | null) =>
  auditPersonalRead(db, p, rows.map((r) => ({ id: r.id, territoryId: r.territory_id })), PERSONAL, reason, 'interop_message');

/**
 * POST /messages (standard-covoiturage): a user of an operator writes to one of our drivers or passengers. We do not
 * forward it: the territory's coordination reads it (GET /api/interop-messages) and calls the person, as for any
 * contact. The answer is the standard's bare 201, or 404 when the person, journey or booking is not (or no more) ours.
 */
export function messageRoutes(s: Services, cfg: InteropConfig) {
  const r = new Router();

  const resolve = async (p: ReturnType<typeof operatorOf>, b: z.infer<typeof messageBody>): Promise<Target> => {
    const territories = p.territoryIds!;
    if (b.to.operator !== cfg.INTEROP_OPERATOR) throw badRequest('to.operator', `our users belong to operator ${cfg.INTEROP_OPERATOR}`);
    const to = parseUserRef(b.to.id);
    if (!to) throw missing('user', b.to.id);
    if (to.kind !== b.recipientCarpoolerType) throw badRequest('recipientCarpoolerType', `${b.to.id} is not a ${b.recipientCarpoolerType.toLowerCase()}`);
    const t: Target = { territoryId: territories[0], personId: to.personId, tripId: null, requestId: to.requestId, matchId: null, bookingId: null };

    if (to.personId !== null) {
      const territoryId = await recipientTerritory(s.db, to.personId, territories, to.kind);
      if (territoryId === null) throw missing('user', b.to.id);
      t.territoryId = territoryId;
    } else {
      const req = await requestParties(s.db, to.requestId!, territories);
      if (!req || req.passenger_id !== null) throw missing('user', b.to.id);
      t.territoryId = req.territory_id;
    }

    if (b.bookingId) {
      const bk = await bookingParties(s.db, b.bookingId, p.operator, territories);
      if (!bk) throw missing('booking', b.bookingId);
      // In a booking made through us, the passenger is the operator's user and the driver ours.
      if (to.kind !== 'DRIVER' || bk.driver_id !== to.personId) throw badRequest('to.id', 'not the driver of this booking');
      Object.assign(t, { bookingId: b.bookingId, matchId: bk.match_id, requestId: bk.request_id, tripId: bk.trip_id });
    }
    if (b.driverJourneyId) {
      const j = parseJourneyId(b.driverJourneyId);
      const driverId = j ? await tripDriver(s.db, j.tripId, territories) : null;
      if (!j || driverId === null) throw missing('journey', b.driverJourneyId);
      if (to.kind !== 'DRIVER' || driverId !== to.personId) throw badRequest('to.id', 'not the driver of this journey');
      if (t.tripId !== null && t.tripId !== j.tripId) throw badRequest('driverJourneyId', 'not the journey of this booking');
      t.tripId = j.tripId;
    }
    if (b.passengerJourneyId) {
      const rid = /^request-(\d{1,9})$/.exec(b.passengerJourneyId)?.[1];
      const req = rid ? await requestParties(s.db, Number(rid), territories) : null;
      if (!rid || !req) throw missing('journey', b.passengerJourneyId);
      const mine = to.kind === 'PASSENGER' && (to.personId !== null ? req.passenger_id === to.personId : to.requestId === Number(rid));
      if (!mine) throw badRequest('to.id', 'not the passenger of this journey');
      t.requestId = Number(rid);
    }
    return t;
  };

  r.post('/messages', async (ctx) => {
    const p = operatorOf(ctx);
    const b = parse(messageBody, ctx.request.body);
    if (b.from.operator !== p.operator) throw badRequest('from.operator', `messages sent with this key come from users of ${p.operator}`);
    const t = await resolve(p, b);
    await s.db.query(
      `INSERT INTO interop_messages (territory_id, operator, token_id, sender, recipient_type, recipient_ref, recipient_person_id,
         trip_id, request_id, match_id, booking_id, driver_journey_id, passenger_journey_id, body)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [t.territoryId, p.operator, p.tokenId, JSON.stringify(b.from), b.recipientCarpoolerType, b.to.id, t.personId, t.tripId,
       t.requestId, t.matchId, t.bookingId, b.driverJourneyId ?? null, b.passengerJourneyId ?? null, b.message],
    );
    // No personal data in logs: which operator and territory only.
    s.log('interop message received', { operator: p.operator, territoryId: t.territoryId });
    ctx.body = null;
    ctx.status = 201;
  });

  return r;
}

/** GET /api/interop-messages (react-admin simple-rest) and /api/interop-messages/:id: coordinators of the territory, audited. */
export function messageConsoleRoutes(s: Services) {
  const r = new Router();
  const spec: ListSpec = {
    select: SELECT,
    count: 'SELECT count(*)::int AS n FROM interop_messages',
    territoryColumn: 'territory_id',
    sortable: { id: 'id', createdAt: 'created_at' },
    filters: {
      matchId: filterBy.int('match_id', 'matchId'),
      tripId: filterBy.int('trip_id', 'tripId'),
      requestId: filterBy.int('request_id', 'requestId'),
      recipientPersonId: filterBy.int('recipient_person_id', 'recipientPersonId'),
      territoryId: filterBy.int('territory_id', 'territoryId'),
    },
  };

  r.get('/interop-messages', async (ctx) => {
    const p = requireRole(ctx, 'coordinator');
    const rows = await asPrincipal(s.db, p, async (db) => {
      // Coordinators always work for territories: none given is nothing shown.
      const list = await listPage<MessageRow>(ctx, db, 'interop-messages', spec, { territoryIds: p.territoryIds ?? [], readsPersonal: true });
      await auditMessageRead(db, p, list, accessReason(ctx));
      return list;
    });
    ctx.body = rows.map(present);
  });

  r.get('/interop-messages/:id', async (ctx) => {
    const p = requireRole(ctx, 'coordinator');
    const mid = parse(id, ctx.params.id, 'id');
    ctx.body = present(await asPrincipal(s.db, p, async (db) => {
      const row = (await db.query<MessageRow>(`${SELECT} WHERE id = $1 AND territory_id = ANY($2::int[])`, [mid, p.territoryIds ?? []])).rows[0];
      if (!row) throw notFound('interop message', mid);
      await auditMessageRead(db, p, [row], accessReason(ctx));
      return row;
    }));
  });

  return r;
}
