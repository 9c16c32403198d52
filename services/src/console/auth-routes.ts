import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { territoryNames } from '../domain/territories.ts';
import type { Services } from '../context.ts';
import { unauthorized } from '../http/errors.ts';
import { parse } from '../http/validate.ts';
import { auditEvent } from '../audit/audit.ts';
import { countLoginAttempt, loginSucceeded } from './login-limit.ts';
import type { ConsoleOptions } from './options.ts';
import { dummyHash, verifyPassword } from './passwords.ts';
import { checkCsrf, createSession, loadSession, SESSION_COOKIE, setSessionCookies, type SessionUser, type UserRole } from './sessions.ts';

const loginBody = z.object({
  email: z.string().trim().min(1, 'required').max(200),
  password: z.string().min(1, 'required').max(1000),
});

const territoriesOf = (s: Services, ids: number[] | null) => territoryNames(s.db, ids);

async function me(s: Services, u: SessionUser) {
  return {
    id: u.userId,
    email: u.email,
    displayName: u.displayName,
    role: u.role,
    territoryIds: u.role === 'admin' ? null : u.territoryIds,
    territories: await territoriesOf(s, u.role === 'admin' ? null : u.territoryIds),
    csrfToken: u.csrfToken,
  };
}

export function authRoutes(root: Router, s: Services, o: ConsoleOptions): void {
  root.post('/auth/login', async (ctx) => {
    const b = parse(loginBody, ctx.request.body);
    const email = b.email.toLowerCase();
    const ip = ctx.ip || 'unknown';
    const attempt = await countLoginAttempt(s.db, o, email, ip);
    const { rows } = await s.db.query<{ id: number; password_hash: string; role: UserRole }>(
      'SELECT id, password_hash, role FROM users WHERE email = $1 AND active',
      [email],
    );
    const user = rows[0];
    const ok = user ? await verifyPassword(b.password, user.password_hash) : (await verifyPassword(b.password, await dummyHash()), false);
    if (!ok || !user) throw unauthorized('invalid e-mail or password');
    await loginSucceeded(s.db, attempt);
    const { token } = await createSession(s.db, user.id, o);
    await s.db.query('UPDATE users SET last_login_at = now() WHERE id = $1', [user.id]);
    await auditEvent(s.db, { actor: `user:${user.id}`, actorRole: user.role, action: 'login', subjectType: 'user', subjectId: user.id });
    const session = (await loadSession(s.db, token, o))!;
    setSessionCookies(ctx, token, session.csrfToken, o);
    ctx.body = await me(s, session);
  });

  const current = async (ctx: Context) => {
    const token = ctx.cookies.get(SESSION_COOKIE);
    return token ? loadSession(s.db, token, o) : null;
  };

  root.get('/auth/me', async (ctx) => {
    const session = await current(ctx);
    if (!session) throw unauthorized('not logged in');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await me(s, session);
  });

  root.post('/auth/logout', async (ctx) => {
    const session = await current(ctx);
    if (session) {
      checkCsrf(ctx, session);
      await s.db.query('DELETE FROM sessions WHERE id = $1', [session.sessionId]);
      await auditEvent(s.db, { actor: `user:${session.userId}`, actorRole: session.role, action: 'logout', subjectType: 'user', subjectId: session.userId });
    }
    setSessionCookies(ctx, null, null, o);
    ctx.status = 204;
  });
}
