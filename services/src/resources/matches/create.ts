import Router from '@koa/router';
import { z } from 'zod';
import { requireRole } from '../../auth/principal.ts';
import type { Services } from '../../context.ts';
import { asPrincipal } from '../../auth/scope.ts';
import type { Principal } from '../../auth/principal.ts';
import { deleteProposedMatch, matchOf, matchOfVolunteer, presentMatch, storeProposals } from '../../domain/matches.ts';
import { loadVolunteer } from '../../domain/volunteers.ts';
import { volunteerProposalFor } from '../../domain/volunteer-proposals.ts';
import { withCarpoolCosts } from '../../matching/combined.ts';
import { loadRequest, matchQueryOf } from '../../domain/requests.ts';
import { loadTrip } from '../../domain/trips.ts';
import { conflict } from '../../http/errors.ts';
import { id, parse } from '../../http/validate.ts';

const body = z
  .object({
    requestId: z.number().int().positive(),
    tripId: z.number().int().positive().optional(),
    volunteerId: z.number().int().positive().optional(),
    leg: z.enum(['outbound', 'return']).optional(),
  })
  .refine((b) => (b.tripId === undefined) !== (b.volunteerId === undefined), {
    path: ['tripId'],
    message: 'give a tripId (a commuter’s trip) or a volunteerId, one of them',
  });

/**
 * A coordinator pairs a request with a trip they know of: the pair is checked by the same rules and router as any
 * proposal (a trip that cannot take the passenger is refused with the reason), then stored as a proposed match.
 * Only a proposed match can be deleted; later ones keep their history.
 */
/** A volunteer the coordinator knows of, checked by the same rules as any volunteer proposal. */
async function proposeVolunteer(s: Services, p: Principal, requestId: number, volunteerId: number) {
  const req = await asPrincipal(s.db, p, async (tx) => {
    const req = await loadRequest(tx, p, requestId);
    const v = await loadVolunteer(tx, p, volunteerId);
    if (v.territory_id !== req.territory_id) throw conflict('the volunteer belongs to another territory', 'volunteerId');
    if (!v.active) throw conflict('this volunteer is not active', 'volunteerId');
    return req;
  });
  const { proposal, approximate } = await volunteerProposalFor(s.db, s.router, req, volunteerId);
  return asPrincipal(s.db, p, async (tx) => {
    await storeProposals(tx, req.id, req.territory_id, req.date, [proposal], approximate);
    return presentMatch(await matchOfVolunteer(tx, req.id, volunteerId), 'personal');
  });
}

export function matchCreateRoutes(s: Services) {
  const r = new Router();

  r.post('/matches', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const b = parse(body, ctx.request.body);
    if (b.volunteerId !== undefined) {
      ctx.status = 201;
      ctx.body = await proposeVolunteer(s, p, b.requestId, b.volunteerId);
      return;
    }
    const tripId = b.tripId!;
    const req = await asPrincipal(s.db, p, async (tx) => {
      const req = await loadRequest(tx, p, b.requestId);
      const trip = await loadTrip(tx, p, tripId, false);
      if (trip.territory_id !== req.territory_id) throw conflict('the trip belongs to another territory', 'tripId');
      return req;
    });
    const q = matchQueryOf(req);
    const answer = await s.matcher.match(q);
    const found = answer.proposals.find((x) => x.tripId === tripId && (!b.leg || x.leg === b.leg));
    const proposal = found && (await withCarpoolCosts(s.db, [found]))[0];
    if (!proposal) {
      const seen = s.matcher.candidates(q).list.some((c) => c.leg.tripId === tripId);
      throw conflict(
        seen
          ? 'this trip cannot take the passenger within the detour and time rules of the territory'
          : 'this trip does not pass near both ends on that day with a free seat',
        'tripId',
      );
    }
    ctx.status = 201;
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      await storeProposals(tx, req.id, req.territory_id, req.date, [proposal], answer.approximate);
      return presentMatch(await matchOf(tx, req.id, tripId, proposal.leg), 'personal');
    });
  });

  r.delete('/matches/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const mid = parse(id, ctx.params.id, 'id');
    ctx.body = presentMatch(await asPrincipal(s.db, p, (tx) => deleteProposedMatch(tx, p, mid)), 'personal');
  });

  return r;
}
