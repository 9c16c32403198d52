import Router from '@koa/router';
import { z } from 'zod';
import { principalOf } from '../../auth/principal.ts';
import type { Services } from '../../context.ts';
import { parse } from '../../http/validate.ts';
import { needsDateOrWeekdays, scopeOf, toMatchQuery, tripAsk } from '../../matching/query.ts';
import { nearestCarpoolAreas } from '../../bnlc/nearest.ts';
import { NEEDS } from '../../domain/people.ts';
import { matchAll, volunteerQueryOf, type FullAnswer } from '../../matching/combined.ts';

/** Carpool areas offered as meeting points beside door-to-door pickup (national base, BNLC). */
const MEETING_POINT_RADIUS_M = 3000;

export const matchBody = tripAsk
  .extend({ alternatives: z.boolean().optional(), needs: z.array(z.enum(NEEDS)).default([]) })
  .superRefine(needsDateOrWeekdays);

/** The commuters' part of an answer (the alternatives' carpool-to-transit legs build on commuters' trips). */
const carpoolOnly = (a: FullAnswer) => ({ ...a, proposals: a.proposals.filter((p) => p.kind === 'carpool') });

/** POST /api/match: ad-hoc search, nothing stored. */
export function matchRoutes(s: Services) {
  const r = new Router();
  r.post('/match', async (ctx) => {
    const p = principalOf(ctx);
    const b = parse(matchBody, ctx.request.body);
    const scope = scopeOf(p, b.territoryId);
    const tol = s.rulesOf(scope?.[0] ?? 0).toleranceMin;
    // Commuters and volunteers, one ranked list (volunteers for dated requests only).
    const answer = await matchAll(s, volunteerQueryOf(toMatchQuery(b, scope, tol), b));
    const wantAlternatives = b.alternatives ?? answer.proposals.length === 0;
    const meetingPoints = answer.proposals.length
      ? {
          pickup: await nearestCarpoolAreas(s.db, [b.from.lng, b.from.lat], MEETING_POINT_RADIUS_M, 3),
          dropoff: await nearestCarpoolAreas(s.db, [b.to.lng, b.to.lat], MEETING_POINT_RADIUS_M, 3),
        }
      : { pickup: [], dropoff: [] };
    ctx.body = {
      proposals: answer.proposals,
      approximate: answer.approximate,
      stats: answer.stats,
      meetingPoints,
      ...(wantAlternatives && s.alternatives ? { alternatives: await s.alternatives(b, scope, carpoolOnly(answer)) } : {}),
    };
  });
  return r;
}
