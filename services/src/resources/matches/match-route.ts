import Router from '@koa/router';
import { z } from 'zod';
import { principalOf } from '../../auth/principal.ts';
import type { Services } from '../../context.ts';
import { parse } from '../../http/validate.ts';
import { needsDateOrWeekdays, scopeOf, toMatchQuery, tripAsk } from '../../matching/query.ts';
import { nearestCarpoolAreas } from '../../bnlc/nearest.ts';

/** Carpool areas offered as meeting points beside door-to-door pickup (national base, BNLC). */
const MEETING_POINT_RADIUS_M = 3000;

const body = tripAsk.extend({ alternatives: z.boolean().optional() }).superRefine(needsDateOrWeekdays);

/** POST /api/match: ad-hoc search, nothing stored. */
export function matchRoutes(s: Services) {
  const r = new Router();
  r.post('/match', async (ctx) => {
    const p = principalOf(ctx);
    const b = parse(body, ctx.request.body);
    const scope = scopeOf(p, b.territoryId);
    const tol = s.rulesOf(scope?.[0] ?? 0).toleranceMin;
    const answer = await s.matcher.match(toMatchQuery(b, scope, tol));
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
      ...(wantAlternatives && s.alternatives ? { alternatives: await s.alternatives(b, scope, answer) } : {}),
    };
  });
  return r;
}
