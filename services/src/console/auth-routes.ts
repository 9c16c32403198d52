import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Services } from '../context.ts';
import { HttpError, unauthorized } from '../http/errors.ts';
import { parse } from '../http/validate.ts';
import { auditEvent } from './events.ts';
import type { ConsoleOptions } from './options.ts';
import { dummyHash, verifyPassword } from './passwords.ts';
import { checkCsrf, createSession, loadSession, SESSION_COOKIE, setSessionCookies, type SessionUser, type UserRole } from './sessions.ts';

const loginBody = z.object({
  email: z.string().trim().min(1, 'required').max(200),
  password: z.string().min(1, 'required').max(1000),
});

const tooMany = (retryAfterS: number) =>
  new HttpError(429, 'too_many_attempts', 'too many failed logins; try again later', [], { 'Retry-After': String(retryAfterS) });

/**
 * Failed attempts in the window, per account (since its last success) and per IP address. Counted in the database
 * so that every replica applies the same limit.
 */
async function checkAttempts(s: Services, o: ConsoleOptions, email: string, ip: string): Promise<void> {
  const { rows } = await s.db.query<{ account: number; ip: number }>(
    `SELECT
       (SELECT count(*)::int FROM login_attempts a WHERE a.email = $1 AND NOT a.success AND a.at > now() - make_interval(mins => $3)
          AND a.at > COALESCE((SELECT max(at) FROM login_attempts b WHERE b.email = $1 AND b.success), '-infinity')) AS account,
       (SELECT count(*)::int FROM login_attempts a WHERE a.ip = $2 AND NOT a.success AND a.at > now() - make_interval(mins => $3)) AS ip`,
    [email, ip, o.loginWindowMin],
  );
  if (rows[0].account >= o.loginMaxPerAccount || rows[0].ip >= o.loginMaxPerIp) throw tooMany(o.loginWindowMin * 60);
}

async function territoriesOf(s: Services, ids: number[] | null) {
  const { rows } = await s.db.query<{ id: number; slug: string; name: string }>(
    `SELECT id, slug, name FROM territories WHERE $1::int[] IS NULL OR id = ANY($1::int[]) ORDER BY name`,
    [ids],
  );
  return rows;
}

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
    await checkAttempts(s, o, email, ip);
    const { rows } = await s.db.query<{ id: number; password_hash: string; role: UserRole }>(
      'SELECT id, password_hash, role FROM users WHERE email = $1 AND active',
      [email],
    );
    const user = rows[0];
    const ok = user ? await verifyPassword(b.password, user.password_hash) : (await verifyPassword(b.password, await dummyHash()), false);
    await s.db.query('INSERT INTO login_attempts (email, ip, success) VALUES ($1, $2, $3)', [email, ip, ok]);
    if (!ok || !user) throw unauthorized('invalid e-mail or password');
    const { token } = await createSession(s.db, user.id, o);
    await s.db.query('UPDATE users SET last_login_at = now() WHERE id = $1', [user.id]);
    await s.db.query(`DELETE FROM login_attempts WHERE at < now() - interval '1 day'`);
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
