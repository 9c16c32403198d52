import Router from '@koa/router';
import { z } from 'zod';
import { requireRole } from '../../auth/principal.ts';
import type { Services } from '../../context.ts';
import { asPrincipal } from '../../db/scope.ts';
import { conflict, notFound } from '../../http/errors.ts';
import { id, parse } from '../../http/validate.ts';
import { matchQueryOf, presentRequest, storeProposals } from '../requests/routes.ts';
import { presentMatch, SELECT_MATCHES } from './routes.ts';

const body = z.object({
  requestId: z.number().int().positive(),
  tripId: z.number().int().positive(),
  leg: z.enum(['outbound', 'return']).optional(),
});

/**
 * A coordinator pairs a request with a trip they know of: the pair is checked by the same rules and router as any
 * proposal (a trip that cannot take the passenger is refused with the reason), then stored as a proposed match.
 * Only a proposed match can be deleted; later ones keep their history.
 */
export function matchCreateRoutes(s: Services) {
  const r = new Router();

  r.post('/matches', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const b = parse(body, ctx.request.body);
    const req = await asPrincipal(s.db, p, async (db) => {
      const { rows } = await db.query(
        `SELECT r.*, ST_X(r.from_point) AS from_lng, ST_Y(r.from_point) AS from_lat, ST_X(r.to_point) AS to_lng,
                ST_Y(r.to_point) AS to_lat FROM requests r WHERE r.id = $1`,
        [b.requestId],
      );
      if (!rows[0]) throw notFound('request', b.requestId);
      const trip = await db.query<{ territory_id: number }>('SELECT territory_id FROM trips WHERE id = $1', [b.tripId]);
      if (!trip.rows[0]) throw notFound('trip', b.tripId);
      if (trip.rows[0].territory_id !== rows[0].territory_id)
        throw conflict('the trip belongs to another territory', 'tripId');
      return presentRequest(rows[0]);
    });
    const q = matchQueryOf(req);
    const answer = await s.matcher.match(q);
    const proposal = answer.proposals.find((x) => x.tripId === b.tripId && (!b.leg || x.leg === b.leg));
    if (!proposal) {
      const seen = s.matcher.candidates(q).list.some((c) => c.leg.tripId === b.tripId);
      throw conflict(
        seen
          ? 'this trip cannot take the passenger within the detour and time rules of the territory'
          : 'this trip does not pass near both ends on that day with a free seat',
        'tripId',
      );
    }
    ctx.status = 201;
    ctx.body = await asPrincipal(s.db, p, async (db) => {
      await storeProposals(db, req.id, req.territoryId, req.date, [proposal], answer.approximate);
      const { rows } = await db.query(`${SELECT_MATCHES} WHERE m.request_id = $1 AND m.trip_id = $2 AND m.leg = $3`, [
        req.id,
        proposal.tripId,
        proposal.leg,
      ]);
      return presentMatch(rows[0]);
    });
  });

  r.delete('/matches/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const mid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, async (db) => {
      const { rows } = await db.query(`${SELECT_MATCHES} WHERE m.id = $1`, [mid]);
      if (!rows[0]) throw notFound('match', mid);
      if (rows[0].status !== 'proposed')
        throw conflict(`a ${rows[0].status} match keeps its history: cancel it instead`, 'status');
      await db.query('DELETE FROM matches WHERE id = $1', [mid]);
      return presentMatch(rows[0]);
    });
  });

  return r;
}
