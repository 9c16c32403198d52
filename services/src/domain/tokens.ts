import crypto from 'node:crypto';
import { auditEvent } from '../audit/audit.ts';
import type { Principal, Role } from '../auth/principal.ts';
import type { Db, Queryable } from '@comobi/db';
import { badRequest, forbidden, notFound } from '../http/errors.ts';
import { filterBy, type ListParams, type ListSpec, Where } from '../http/simple-rest.ts';

/**
 * API tokens: bearer credentials for scripts, operators (role `integration`) and deployments. The plain token is
 * returned once, when it is made; only its SHA-256 is stored, so a leaked table leaks no usable token.
 */

// Every role can be given to a token; `satisfies` makes a role added to Role without being listed here a type error.
const ROLE_SET = { admin: true, coordinator: true, viewer: true, integration: true } as const satisfies Record<Role, true>;
export const TOKEN_ROLES = Object.keys(ROLE_SET) as [Role, ...Role[]];

/** How often last_used_at is refreshed: a key used many times a second costs one write a minute, not one per call. */
export const LAST_USED_RESOLUTION = '1 minute';

export const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

export interface TokenRow {
  id: number;
  label: string;
  role: Role;
  territory_id: number | null;
  created_at: Date;
  created_by: string | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  revoked_by: string | null;
}

/** What the API shows of a token: never the secret, nor its hash. */
export interface TokenView {
  id: number;
  label: string;
  role: Role;
  /** null: an admin token for every territory. */
  territoryId: number | null;
  createdAt: string;
  /** The actor who made it ("user:5", "token:3", "admin-token"); null for tokens made before this was recorded. */
  createdBy: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

/** The answer to a creation: the view plus the plain token, shown this once. */
export interface IssuedToken extends TokenView {
  token: string;
}

/** A live token found from its plain value, as the resolvers need it. */
export interface ResolvedToken {
  id: number;
  role: Role;
  territoryId: number | null;
  label: string;
}

export interface TokenInput {
  label: string;
  role: Role;
  /** Omitted: the principal's only territory, else (admin tokens of an all-territories admin) every territory. */
  territoryId?: number | null;
}

const COLUMNS = 'id, label, role, territory_id, created_at, created_by, last_used_at, revoked_at, revoked_by';

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

export const presentToken = (r: TokenRow): TokenView => ({
  id: r.id,
  label: r.label,
  role: r.role,
  territoryId: r.territory_id,
  createdAt: iso(r.created_at)!,
  createdBy: r.created_by,
  lastUsedAt: iso(r.last_used_at),
  revokedAt: iso(r.revoked_at),
  revokedBy: r.revoked_by,
});

/** Returns the plain token once; only its hash is stored. No checks: boot and tests call it; the API goes through issueToken. */
export async function createToken(
  db: Queryable,
  t: { label: string; role: Role; territoryId: number | null; createdBy?: string | null },
): Promise<{ id: number; token: string }> {
  const token = `cmb_${crypto.randomBytes(24).toString('base64url')}`;
  const { rows } = await db.query<{ id: number }>(
    'INSERT INTO api_tokens (token_hash, label, role, territory_id, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [hashToken(token), t.label, t.role, t.territoryId, t.createdBy ?? null],
  );
  return { id: rows[0].id, token };
}

/**
 * The live (not revoked) token behind a plain value, or null. Read from the database on every call, so a revocation
 * holds at once on every replica; last_used_at is refreshed when older than LAST_USED_RESOLUTION.
 */
export async function resolveToken(db: Queryable, plain: string): Promise<ResolvedToken | null> {
  const { rows } = await db.query<{ id: number; role: Role; territory_id: number | null; label: string; stale: boolean }>(
    `SELECT id, role, territory_id, label,
       (last_used_at IS NULL OR last_used_at < now() - interval '${LAST_USED_RESOLUTION}') AS stale
     FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
    [hashToken(plain)],
  );
  const r = rows[0];
  if (!r) return null;
  if (r.stale) {
    // Conditional, so that replicas racing on the same key write once.
    await db.query(
      `UPDATE api_tokens SET last_used_at = now()
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '${LAST_USED_RESOLUTION}')`,
      [r.id],
    );
  }
  return { id: r.id, role: r.role, territoryId: r.territory_id, label: r.label };
}

/** Tokens are managed by admins; one bound to territories manages only the tokens of those territories. */
function assertManager(p: Principal): void {
  if (p.role !== 'admin') throw forbidden('requires role admin');
}

/** api_tokens is read as the service itself (never as comobi_scoped): the territory filter is applied here. */
function scope(where: Where, p: Principal): Where {
  if (p.territoryIds !== null) where.add((ph) => `territory_id = ANY(${ph}::int[])`, p.territoryIds);
  return where;
}

export const TOKEN_LIST: ListSpec = {
  select: `SELECT ${COLUMNS} FROM api_tokens`,
  count: 'SELECT count(*)::int AS n FROM api_tokens',
  // api_tokens is read as the service itself (never as comobi_scoped): the list helper applies the territories.
  territoryColumn: 'territory_id',
  sortable: {
    id: 'id',
    label: 'label',
    role: 'role',
    territoryId: 'territory_id',
    createdAt: 'created_at',
    lastUsedAt: 'last_used_at',
    revokedAt: 'revoked_at',
  },
  filters: {
    q: filterBy.text('label', 'q'),
    role: filterBy.oneOf('role', 'role', TOKEN_ROLES),
    territoryId: filterBy.int('territory_id', 'territoryId'),
    revoked: (w: Where, v: unknown) => {
      if (typeof v !== 'boolean') throw badRequest('filter.revoked', 'must be true or false');
      w.raw(v ? 'revoked_at IS NOT NULL' : 'revoked_at IS NULL');
    },
  },
};

/** Tokens as the API shows them, never with their hash. */
export const presentTokens = (p: Principal, rows: TokenRow[]): TokenView[] => {
  assertManager(p);
  return rows.map(presentToken);
};

async function loadRow(db: Queryable, p: Principal, id: number): Promise<TokenRow> {
  const where = scope(new Where().add((ph) => `id = ${ph}`, id), p);
  const { rows } = await db.query<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens ${where}`, where.params);
  // Another territory's token is "not found", as the other resources answer: its existence is not disclosed.
  if (!rows[0]) throw notFound('token', id);
  return rows[0];
}

export async function getToken(db: Db, p: Principal, id: number): Promise<TokenView> {
  assertManager(p);
  return presentToken(await loadRow(db, p, id));
}

/** The territory a new token is bound to, from what was asked and who asks. */
async function territoryOf(db: Queryable, p: Principal, t: TokenInput): Promise<number | null> {
  let territoryId = t.territoryId;
  if (territoryId === undefined) {
    if (p.territoryIds?.length === 1) territoryId = p.territoryIds[0];
    else if (p.territoryIds === null && t.role === 'admin') territoryId = null;
    else throw badRequest('territoryId', `required for a ${t.role} token`);
  }
  if (territoryId === null) {
    if (t.role !== 'admin') throw badRequest('territoryId', `required for a ${t.role} token: only admin tokens span every territory`);
    if (p.territoryIds !== null) throw forbidden('an admin bound to territories cannot make a token for every territory');
    return null;
  }
  if (p.territoryIds !== null && !p.territoryIds.includes(territoryId)) {
    throw forbidden('territory not allowed for these credentials');
  }
  const { rows } = await db.query('SELECT 1 FROM territories WHERE id = $1', [territoryId]);
  if (!rows[0]) throw badRequest('territoryId', `unknown territory ${territoryId}`);
  return territoryId;
}

/** Makes a token for an admin, audited (who, which token, its role and territory; never the secret). */
export async function issueToken(db: Db, p: Principal, t: TokenInput): Promise<IssuedToken> {
  assertManager(p);
  return db.transaction(async (tx) => {
    const territoryId = await territoryOf(tx, p, t);
    const { id, token } = await createToken(tx, { label: t.label, role: t.role, territoryId, createdBy: p.actor });
    await auditEvent(tx, {
      actor: p.actor,
      actorRole: p.role,
      territoryId,
      action: 'token_create',
      subjectType: 'api_token',
      subjectId: id,
      fields: ['label', 'role', 'territoryId'],
    });
    return { ...presentToken(await loadRow(tx, p, id)), token };
  });
}

/**
 * Revokes at once: the resolvers read api_tokens on every request, so the next call with this token gets 401 on
 * every replica. Revoking a revoked token changes nothing (and is not audited twice).
 */
export async function revokeToken(db: Db, p: Principal, id: number): Promise<TokenView> {
  assertManager(p);
  return db.transaction(async (tx) => {
    const before = await loadRow(tx, p, id);
    if (before.revoked_at !== null) return presentToken(before);
    const { rows } = await tx.query<TokenRow>(
      `UPDATE api_tokens SET revoked_at = now(), revoked_by = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
      [id, p.actor],
    );
    // A concurrent revocation got there first: the token is revoked all the same.
    if (!rows[0]) return presentToken(await loadRow(tx, p, id));
    await auditEvent(tx, {
      actor: p.actor,
      actorRole: p.role,
      territoryId: before.territory_id,
      action: 'token_revoke',
      subjectType: 'api_token',
      subjectId: id,
    });
    return presentToken(rows[0]);
  });
}
