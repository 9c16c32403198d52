import crypto from 'node:crypto';
import type { Context } from 'koa';
import type { Db, Queryable } from '@comobi/db';
import { HttpError } from '../http/errors.ts';

export const SESSION_COOKIE = 'comobi_citoyen';
const CSRF_COOKIE = 'comobi_public_csrf';

const sha256 = (v: string) => crypto.createHash('sha256').update(v).digest('hex');
const cookieOptions = (ctx: Context) => ({ httpOnly: true, sameSite: 'lax' as const, secure: ctx.secure, path: '/', overwrite: true });

export interface Citizen {
  accountId: number;
  personId: number | null;
  firstName: string | null;
  idToken: string | null;
}

/** Opens a session for a FranceConnect account: a random token in the cookie, its hash in the database. */
export async function openSession(db: Queryable, ctx: Context, accountId: number, idToken: string, hours: number) {
  const token = crypto.randomBytes(32).toString('base64url');
  await db.query(
    `INSERT INTO citizen_sessions (token_hash, account_id, id_token, expires_at) VALUES ($1, $2, $3, now() + make_interval(hours => $4))`,
    [sha256(token), accountId, idToken, hours],
  );
  ctx.cookies.set(SESSION_COOKIE, token, { ...cookieOptions(ctx), maxAge: hours * 3_600_000 });
}

export async function currentCitizen(db: Db, ctx: Context): Promise<Citizen | null> {
  const token = ctx.cookies.get(SESSION_COOKIE);
  if (!token || token.length > 100) return null;
  const { rows } = await db.query<{ account_id: number; person_id: number | null; first_name: string | null; id_token: string | null }>(
    `SELECT s.account_id, a.person_id, i.first_name, s.id_token FROM citizen_sessions s
     JOIN citizen_accounts a ON a.id = s.account_id LEFT JOIN person_identities i ON i.person_id = a.person_id
     WHERE s.token_hash = $1 AND s.expires_at > now()`,
    [sha256(token)],
  );
  const r = rows[0];
  return r ? { accountId: r.account_id, personId: r.person_id, firstName: r.first_name, idToken: r.id_token } : null;
}

export async function closeSession(db: Queryable, ctx: Context) {
  const token = ctx.cookies.get(SESSION_COOKIE);
  if (token) await db.query('DELETE FROM citizen_sessions WHERE token_hash = $1', [sha256(token)]);
  ctx.cookies.set(SESSION_COOKIE, '', { ...cookieOptions(ctx), maxAge: 0 });
}

/** Double-submit token against cross-site form posts (on top of SameSite cookies). */
export function csrfToken(ctx: Context): string {
  let t = ctx.cookies.get(CSRF_COOKIE);
  if (!t || !/^[\w-]{43}$/.test(t)) {
    t = crypto.randomBytes(32).toString('base64url');
    ctx.cookies.set(CSRF_COOKIE, t, { ...cookieOptions(ctx), sameSite: 'strict' });
  }
  return t;
}

export function checkCsrf(ctx: Context, form: Record<string, unknown>) {
  const cookie = ctx.cookies.get(CSRF_COOKIE);
  const sent = form.csrf;
  if (!cookie || typeof sent !== 'string' || sent.length !== cookie.length ||
      !crypto.timingSafeEqual(Buffer.from(sent), Buffer.from(cookie))) {
    throw new HttpError(403, 'forbidden', 'le formulaire a expiré, rechargez la page');
  }
}
