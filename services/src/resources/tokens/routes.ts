import Router from '@koa/router';
import { z } from 'zod';
import { requireRole } from '../../auth/principal.ts';
import type { Services } from '../../context.ts';
import { getToken, issueToken, presentTokens, revokeToken, TOKEN_LIST, TOKEN_ROLES, type TokenRow } from '../../domain/tokens.ts';
import { listPage } from '../../http/simple-rest.ts';
import { id, parse } from '../../http/validate.ts';

/** POST /api/tokens: also the request body of the OpenAPI document. */
export const tokenBody = z
  .object({
    label: z
      .string()
      .trim()
      .min(1, 'required')
      .max(200)
      .refine((s) => !s.includes('\u0000'), 'must not contain a NUL character'),
    role: z.enum(TOKEN_ROLES),
    territoryId: z.number().int().positive().nullable().optional(),
  })
  .strict();

/** API tokens, for admins: parse → domain/tokens.ts → JSON. */
export function tokenRoutes(s: Services) {
  const r = new Router();

  r.get('/tokens', async (ctx) => {
    const p = requireRole(ctx, 'admin');
    const rows = await listPage<TokenRow>(ctx, s.db, 'tokens', TOKEN_LIST, {
      territoryIds: p.territoryIds,
      readsPersonal: false,
    });
    ctx.body = presentTokens(p, rows);
  });

  r.get('/tokens/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin');
    ctx.body = await getToken(s.db, p, parse(id, ctx.params.id, 'id'));
  });

  r.post('/tokens', async (ctx) => {
    const p = requireRole(ctx, 'admin');
    const b = parse(tokenBody, ctx.request.body);
    const issued = await issueToken(s.db, p, b);
    ctx.status = 201;
    // The plain token is in this answer only: no cache may keep it.
    ctx.set('Cache-Control', 'no-store');
    ctx.body = issued;
  });

  r.delete('/tokens/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin');
    ctx.body = await revokeToken(s.db, p, parse(id, ctx.params.id, 'id'));
  });

  return r;
}
