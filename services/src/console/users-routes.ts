import type Router from '@koa/router';
import { z } from 'zod';
import { requireRole } from '../auth/principal.ts';
import type { Services } from '../context.ts';
import { checkEmailFree, deleteUser, loadUser, presentUser, saveUser, userList, USER_ROLES, type UserRow } from '../domain/users.ts';
import { badRequest } from '../http/errors.ts';
import { listPage } from '../http/simple-rest.ts';
import { id, parse } from '../http/validate.ts';
import { auditEvent } from '../audit/audit.ts';
import { MIN_PASSWORD_LENGTH } from './passwords.ts';

const body = z.object({
  email: z.string().trim().toLowerCase().email('expected an e-mail address').max(200),
  displayName: z.string().trim().max(200).nullable().optional(),
  role: z.enum(USER_ROLES),
  territoryIds: z.array(z.number().int().positive()).max(200).default([]),
  active: z.boolean().default(true),
  password: z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(1000).optional(),
});

/** Accounts, for admins only. */
export function userRoutes(api: Router, s: Services): void {
  const load = async (uid: number) => presentUser(await loadUser(s.db, uid));

  api.get('/users', async (ctx) => {
    requireRole(ctx, 'admin');
    const rows = await listPage<UserRow>(ctx, s.db, 'users', userList, { territoryIds: null, readsPersonal: true });
    ctx.body = rows.map(presentUser);
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
      await checkEmailFree(tx, b.email);
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
      await checkEmailFree(tx, b.email, uid);
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
      await deleteUser(tx, uid);
      await auditEvent(tx, { actor: p.actor, actorRole: p.role, action: 'user_delete', subjectType: 'user', subjectId: uid });
    });
    ctx.body = before;
  });
}
