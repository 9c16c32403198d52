import type { Queryable } from '@comobi/db';
import { badRequest, conflict, notFound } from '../http/errors.ts';
import { filterBy, type ListSpec, type Where } from '../http/simple-rest.ts';
import { hashPassword } from '../console/passwords.ts';

/** Console accounts: e-mail and password (stored hashed), a role, the territories they work on. */
export const USER_ROLES = ['admin', 'coordinator', 'viewer'] as const;

export type UserRole = (typeof USER_ROLES)[number];

export interface UserRow {
  id: number;
  email: string;
  display_name: string | null;
  role: UserRole;
  active: boolean;
  last_login_at: Date | null;
  created_at: Date;
  updated_at: Date;
  territory_ids: number[];
}

export interface UserInput {
  id?: number;
  email: string;
  displayName?: string | null;
  role: UserRole;
  territoryIds: number[];
  active: boolean;
  password?: string;
}

const SELECT = `SELECT u.id, u.email, u.display_name, u.role, u.active, u.last_login_at, u.created_at, u.updated_at,
  ARRAY(SELECT territory_id FROM user_territories ut WHERE ut.user_id = u.id ORDER BY territory_id) AS territory_ids
  FROM users u`;

export const presentUser = (r: UserRow) => ({
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
  u: UserInput,
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


export const userList: ListSpec = {
  select: SELECT,
  count: 'SELECT count(*)::int AS n FROM users u',
  // Accounts are the admins' business: no territory limit on the list.
  territoryColumn: null,
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

export async function loadUser(tx: Queryable, id: number): Promise<UserRow> {
  const { rows } = await tx.query<UserRow>(`${SELECT} WHERE u.id = $1`, [id]);
  if (!rows[0]) throw notFound('user', id);
  return rows[0];
}

/** E-mails are unique: one account per person. */
export async function checkEmailFree(tx: Queryable, email: string, exceptId?: number) {
  const dup = await tx.query('SELECT 1 FROM users WHERE email = $1 AND id <> $2', [email, exceptId ?? 0]);
  if (dup.rows[0]) throw conflict('an account with this e-mail already exists', 'email');
}

export async function deleteUser(tx: Queryable, id: number) {
  await tx.query('DELETE FROM users WHERE id = $1', [id]);
}
