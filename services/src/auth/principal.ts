import type { Context } from 'koa';
import { forbidden, unauthorized } from '../http/errors.ts';

export type Role = 'admin' | 'coordinator' | 'integration' | 'viewer';

export interface Principal {
  /** Stable label for audit and match history ("token:12", "user:5"). */
  actor: string;
  role: Role;
  /** Territories this principal may see; null means all (admins). */
  territoryIds: number[] | null;
}

/** Resolves credentials of one kind (bearer token, session cookie…): undefined when absent, null when wrong. */
export type PrincipalResolver = (ctx: Context) => Promise<Principal | null | undefined>;

export function principalOf(ctx: Context): Principal {
  const p = ctx.state.principal as Principal | undefined;
  if (!p) throw unauthorized();
  return p;
}

export function requireRole(ctx: Context, ...roles: Role[]): Principal {
  const p = principalOf(ctx);
  if (!roles.includes(p.role)) throw forbidden(`requires role ${roles.join(' or ')}`);
  return p;
}

export function canSeeTerritory(p: Principal, territoryId: number): boolean {
  return p.territoryIds === null || p.territoryIds.includes(territoryId);
}

export function assertTerritory(p: Principal, territoryId: number): void {
  if (!canSeeTerritory(p, territoryId)) throw forbidden('territory not allowed for these credentials');
}

/** Personal fields (names, phone, email, address) only for the roles that handle people. */
export const seesPersonalData = (p: Principal) => p.role === 'admin' || p.role === 'coordinator';

/**
 * The territory a write goes to: the one given if allowed, else the principal's only territory.
 */
export function writeTerritory(p: Principal, requested: number | undefined): number {
  if (requested !== undefined) {
    assertTerritory(p, requested);
    return requested;
  }
  if (p.territoryIds && p.territoryIds.length === 1) return p.territoryIds[0];
  throw forbidden('territoryId is required');
}
