import type Router from '@koa/router';
import { z } from 'zod';
import { requireRole } from '../auth/principal.ts';
import type { Services } from '../context.ts';
import type { Queryable } from '../db/index.ts';
import { badRequest, conflict, notFound } from '../http/errors.ts';
import { filterBy, listParams, setContentRange, Where } from '../http/simple-rest.ts';
import { id, parse } from '../http/validate.ts';
import { auditEvent } from './events.ts';
import { hashPassword, MIN_PASSWORD_LENGTH } from './passwords.ts';

export const USER_ROLES = ['admin', 'coordinator', 'viewer'] as const;

const body = z.object({
  email: z.string().trim().toLowerCase().email('expected an e-mail address').max(200),
  displayName: z.string().trim().max(200).nullable().optional(),
  role: z.enum(USER_ROLES),
  territoryIds: z.array(z.number().int().positive()).max(200).default([]),
  active: z.boolean().default(true),
  password: z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(1000).optional(),
});

const SELECT = `SELECT u.id, u.email, u.display_name, u.role, u.active, u.last_login_at, u.created_at, u.updated_at,
  ARRAY(SELECT territory_id FROM user_territories ut WHERE ut.user_id = u.id ORDER BY territory_id) AS territory_ids
  FROM users u`;

const present = (r: Record<string, any>) => ({
  id: r.id,
  email: r.email,
  displayName: r.display_name,
  role: r.role,
  territoryIds: (r.territory_ids as number[]).map(Number),
  active: r.active,
  lastLoginAt: r.last_login_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Creates or updates an account (bootstrap and admin routes share it); the password is stored hashed only. */
export async function saveUser(
  tx: Queryable,
  u: { id?: number; email: string; displayName?: string | null; role: string; territoryIds: number[]; active: boolean; password?: string },
): Promise<number> {
  const hash = u.password ? await hashPassword(u.password) : null;
  let uid = u.id;
  if (uid === undefined) {
    if (!hash) throw badRequest('password', 'required for a new account');
    const { rows } = await tx.query<{ id: number }>(
      'INSERT INTO users (email, display_name, password_hash, role, active) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [u.email, u.displayName ?? null, hash, u.role, u.active],
    );
    uid = rows[0].id;
  } else {
    const { rowCount } = await tx.query(
      `UPDATE users SET email = $2, display_name = $3, password_hash = COALESCE($4, password_hash), role = $5, active = $6,
         updated_at = now() WHERE id = $1`,
      [uid, u.email, u.displayName ?? null, hash, u.role, u.active],
    );
    if (!rowCount) throw notFound('user', uid);
    // A new password or a disabled account ends the sessions opened with the old one.
    if (hash || !u.active) await tx.query('DELETE FROM sessions WHERE user_id = $1', [uid]);
  }
  await tx.query('DELETE FROM user_territories WHERE user_id = $1', [uid]);
  if (u.role !== 'admin' && u.territoryIds.length) {
    const known = await tx.query<{ id: number }>('SELECT id FROM territories WHERE id = ANY($1::int[])', [u.territoryIds]);
    const missing = u.territoryIds.filter((t) => !known.rows.some((k) => k.id === t));
    if (missing.length) throw badRequest('territoryIds', `unknown territories: ${missing.join(', ')}`);
    await tx.query('INSERT INTO user_territories (user_id, territory_id) SELECT $1, unnest($2::int[]) ON CONFLICT DO NOTHING', [uid, u.territoryIds]);
  }
  return uid;
}

/** Accounts, for admins only. */
export function userRoutes(api: Router, s: Services): void {
  const spec = {
    sortable: { id: 'u.id', email: 'u.email', role: 'u.role', lastLoginAt: 'u.last_login_at', createdAt: 'u.created_at' },
    filters: {
      q: (w: Where, v: unknown) => {
        filterBy.text('u.email', 'q')(w, v);
        const last = w.parts.pop()!;
        w.raw(`(${last} OR u.display_name ILIKE $${w.params.length})`);
      },
      role: filterBy.oneOf('u.role', 'role', USER_ROLES),
      active: filterBy.bool('u.active', 'active'),
      territoryId: (w: Where, v: unknown) => {
        const ids = (Array.isArray(v) ? v : [v]).map(Number);
        if (!ids.every(Number.isInteger)) throw badRequest('filter.territoryId', 'must be an integer');
        w.add((p) => `EXISTS (SELECT 1 FROM user_territories ut WHERE ut.user_id = u.id AND ut.territory_id = ANY(${p}::int[]))`, ids);
      },
    },
  };
  const load = async (uid: number) => {
    const { rows } = await s.db.query(`${SELECT} WHERE u.id = $1`, [uid]);
    if (!rows[0]) throw notFound('user', uid);
    return present(rows[0]);
  };

  api.get('/users', async (ctx) => {
    requireRole(ctx, 'admin');
    const where = new Where();
    const lp = listParams(ctx, spec, where);
    const [rows, total] = await Promise.all([
      s.db.query(`${SELECT} ${where} ORDER BY ${lp.orderBy} LIMIT ${lp.limit} OFFSET ${lp.offset}`, where.params),
      s.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM users u ${where}`, where.params),
    ]);
    setContentRange(ctx, 'users', lp.offset, rows.rows.length, total.rows[0].n);
    ctx.body = rows.rows.map(present);
  });

  api.get('/users/:id', async (ctx) => {
    requireRole(ctx, 'admin');
    ctx.body = await load(parse(id, ctx.params.id, 'id'));
  });

  api.post('/users', async (ctx) => {
    const p = requireRole(ctx, 'admin');
    const b = parse(body, ctx.request.body);
    if (!b.password) throw badRequest('password', `required, at least ${MIN_PASSWORD_LENGTH} characters`);
    const uid = await s.db.transaction(async (tx) => {
      const exists = await tx.query('SELECT 1 FROM users WHERE email = $1', [b.email]);
      if (exists.rows[0]) throw conflict('an account with this e-mail already exists', 'email');
      const created = await saveUser(tx, b);
      await auditEvent(tx, { actor: p.actor, actorRole: p.role, action: 'user_create', subjectType: 'user', subjectId: created, fields: ['role', 'territoryIds'] });
      return created;
    });
    ctx.status = 201;
    ctx.body = await load(uid);
  });

  api.put('/users/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin');
    const uid = parse(id, ctx.params.id, 'id');
    const before = await load(uid);
    const raw = { ...before, ...(ctx.request.body as object) } as Record<string, unknown>;
    if (raw.password === '' || raw.password === null) delete raw.password;
    const b = parse(body, raw);
    if (p.actor === `user:${uid}` && (b.role !== 'admin' || !b.active)) {
      throw badRequest('role', 'an admin cannot demote or disable their own account');
    }
    await s.db.transaction(async (tx) => {
      const dup = await tx.query('SELECT 1 FROM users WHERE email = $1 AND id <> $2', [b.email, uid]);
      if (dup.rows[0]) throw conflict('an account with this e-mail already exists', 'email');
      await saveUser(tx, { ...b, id: uid });
      const changed = Object.keys(b).filter((k) => k === 'password' || JSON.stringify((b as any)[k]) !== JSON.stringify((before as any)[k]));
      await auditEvent(tx, { actor: p.actor, actorRole: p.role, action: 'user_update', subjectType: 'user', subjectId: uid, fields: changed });
    });
    ctx.body = await load(uid);
  });

  api.delete('/users/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin');
    const uid = parse(id, ctx.params.id, 'id');
    if (p.actor === `user:${uid}`) throw badRequest('id', 'an admin cannot delete their own account');
    const before = await load(uid);
    await s.db.transaction(async (tx) => {
      await tx.query('DELETE FROM users WHERE id = $1', [uid]);
      await auditEvent(tx, { actor: p.actor, actorRole: p.role, action: 'user_delete', subjectType: 'user', subjectId: uid });
    });
    ctx.body = before;
  });
}
