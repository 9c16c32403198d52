import Router from '@koa/router';
import { z } from 'zod';
import { principalOf } from '../../auth/principal.ts';
import type { Services } from '../../context.ts';
import { parse } from '../../http/validate.ts';
import { needsDateOrWeekdays, scopeOf, toMatchQuery, tripAsk } from '../../matching/query.ts';

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
    ctx.body = {
      proposals: answer.proposals,
      approximate: answer.approximate,
      stats: answer.stats,
      ...(wantAlternatives && s.alternatives ? { alternatives: await s.alternatives(b, scope, answer) } : {}),
    };
  });
  return r;
}
