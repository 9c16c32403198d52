import crypto from 'node:crypto';
import type { Context } from 'koa';
import type { Queryable } from '@comobi/db';
import { resolveToken } from '../domain/tokens.ts';
import type { Principal, PrincipalResolver } from './principal.ts';

function constantTimeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/** `Authorization: Bearer …`: the deployment's ADMIN_TOKEN, else an API token (see domain/tokens.ts). */
export function bearerResolver(db: Queryable, adminToken?: string): PrincipalResolver {
  return async (ctx: Context): Promise<Principal | null | undefined> => {
    const header = ctx.get('authorization');
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) return undefined;
    const token = m[1];
    if (adminToken && constantTimeEqual(token, adminToken)) {
      return { actor: 'admin-token', role: 'admin', territoryIds: null };
    }
    const t = await resolveToken(db, token);
    if (!t) return null;
    return {
      actor: `token:${t.id}`,
      role: t.role,
      territoryIds: t.role === 'admin' && t.territoryId === null ? null : [t.territoryId!],
    };
  };
}
