import crypto from 'node:crypto';
import type { Context } from 'koa';
import type { Principal, PrincipalResolver } from '../auth/principal.ts';
import { hashToken } from '../domain/tokens.ts';
import type { Queryable } from '@comobi/db';
import { HttpError } from '../http/errors.ts';
import type { ConsoleOptions } from './options.ts';

export const SESSION_COOKIE = 'comobi_session';
export const CSRF_COOKIE = 'comobi_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type UserRole = 'admin' | 'coordinator' | 'viewer';

export interface SessionUser {
  sessionId: number;
  userId: number;
  email: string;
  displayName: string | null;
  role: UserRole;
  territoryIds: number[];
  csrfToken: string;
}

export const principalOfUser = (u: { userId: number; role: UserRole; territoryIds: number[] }): Principal => ({
  actor: `user:${u.userId}`,
  role: u.role,
  // Admins see every territory; coordinators and viewers only theirs (none when none is assigned).
  territoryIds: u.role === 'admin' ? null : u.territoryIds,
});

export const csrfError = () => new HttpError(403, 'csrf', 'missing or invalid X-CSRF-Token header');

function sameSecret(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/** Double submit: the header must equal the script-readable cookie, and both the session's token. */
export function checkCsrf(ctx: Context, session: SessionUser): void {
  const header = ctx.get(CSRF_HEADER);
  const cookie = ctx.cookies.get(CSRF_COOKIE) ?? '';
  if (!header || !sameSecret(header, cookie) || !sameSecret(header, session.csrfToken)) throw csrfError();
}

export async function createSession(db: Queryable, userId: number, o: ConsoleOptions): Promise<{ token: string; csrfToken: string }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const csrfToken = crypto.randomBytes(24).toString('base64url');
  await db.query(
    `INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, absolute_expires_at)
     VALUES ($1, $2, $3, now() + make_interval(mins => $4), now() + make_interval(hours => $5))`,
    [hashToken(token), userId, csrfToken, o.sessionIdleMin, o.sessionMaxHours],
  );
  // Expired sessions are dropped as new ones are made: no timer needed.
  await db.query(`DELETE FROM sessions WHERE expires_at < now() - interval '1 day'`);
  return { token, csrfToken };
}

/** The live session behind a cookie value, its idle expiry pushed forward (at most once a minute). */
export async function loadSession(db: Queryable, token: string, o: ConsoleOptions): Promise<SessionUser | null> {
  const { rows } = await db.query<{ id: number; user_id: number; email: string; display_name: string | null; role: UserRole; csrf_token: string; territory_ids: number[]; stale: boolean }>(
    `SELECT s.id, s.user_id, u.email, u.display_name, u.role, s.csrf_token,
       ARRAY(SELECT territory_id FROM user_territories ut WHERE ut.user_id = u.id ORDER BY territory_id) AS territory_ids,
       s.last_seen_at < now() - interval '1 minute' AS stale
     FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = $1 AND s.expires_at > now() AND s.absolute_expires_at > now() AND u.active`,
    [hashToken(token)],
  );
  const r = rows[0];
  if (!r) return null;
  if (r.stale) {
    await db.query(
      `UPDATE sessions SET last_seen_at = now(), expires_at = least(now() + make_interval(mins => $2), absolute_expires_at) WHERE id = $1`,
      [r.id, o.sessionIdleMin],
    );
  }
  return {
    sessionId: r.id,
    userId: r.user_id,
    email: r.email,
    displayName: r.display_name,
    role: r.role,
    territoryIds: r.territory_ids.map(Number),
    csrfToken: r.csrf_token,
  };
}

export function setSessionCookies(ctx: Context, token: string | null, csrfToken: string | null, o: ConsoleOptions): void {
  const base = { path: '/', sameSite: 'strict' as const, secure: ctx.secure, overwrite: true };
  const maxAge = o.sessionMaxHours * 3600_000;
  ctx.cookies.set(SESSION_COOKIE, token ?? '', { ...base, httpOnly: true, ...(token ? { maxAge } : { expires: new Date(0) }) });
  // Readable by the console's scripts (never by another site's): the double-submit half of the CSRF check.
  ctx.cookies.set(CSRF_COOKIE, csrfToken ?? '', { ...base, httpOnly: false, ...(csrfToken ? { maxAge } : { expires: new Date(0) }) });
}

/**
 * Session cookies for the API: bearer credentials take precedence; an expired or unknown cookie is a 401; a write
 * without the CSRF token is a 403.
 */
export function sessionResolver(db: Queryable, o: ConsoleOptions): PrincipalResolver {
  return async (ctx) => {
    if (ctx.get('authorization')) return undefined;
    const token = ctx.cookies.get(SESSION_COOKIE);
    if (!token) return undefined;
    const session = await loadSession(db, token, o);
    if (!session) return null;
    if (!SAFE_METHODS.has(ctx.method)) checkCsrf(ctx, session);
    ctx.state.session = session;
    return principalOfUser(session);
  };
}
