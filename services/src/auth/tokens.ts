import crypto from 'node:crypto';
import type { Context } from 'koa';
import type { Queryable } from '../db/index.ts';
import type { Principal, PrincipalResolver, Role } from './principal.ts';

export const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

/** Returns the plain token once; only its hash is stored. */
export async function createToken(
  db: Queryable,
  t: { label: string; role: Role; territoryId: number | null },
): Promise<{ id: number; token: string }> {
  const token = `cmb_${crypto.randomBytes(24).toString('base64url')}`;
  const { rows } = await db.query<{ id: number }>(
    'INSERT INTO api_tokens (token_hash, label, role, territory_id) VALUES ($1, $2, $3, $4) RETURNING id',
    [hashToken(token), t.label, t.role, t.territoryId],
  );
  return { id: rows[0].id, token };
}

function constantTimeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

export function bearerResolver(db: Queryable, adminToken?: string): PrincipalResolver {
  return async (ctx: Context): Promise<Principal | null | undefined> => {
    const header = ctx.get('authorization');
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) return undefined;
    const token = m[1];
    if (adminToken && constantTimeEqual(token, adminToken)) {
      return { actor: 'admin-token', role: 'admin', territoryIds: null };
    }
    const { rows } = await db.query<{ id: number; role: Role; territory_id: number | null }>(
      'SELECT id, role, territory_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL',
      [hashToken(token)],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      actor: `token:${row.id}`,
      role: row.role,
      territoryIds: row.role === 'admin' && row.territory_id === null ? null : [row.territory_id!],
    };
  };
}
