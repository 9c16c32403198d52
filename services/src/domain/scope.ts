import type { Principal } from '../auth/principal.ts';

/**
 * Who a domain call acts for: the label kept in history and audit, and the territories it may touch (null: all).
 * API principals are scopes; the public pages and the interoperability API build their own.
 */
export interface Scope {
  actor: string;
  territoryIds: number[] | null;
}

/**
 * How much of a person a reader may see. Coordinators and admins handle people: everything, audited. Viewers get
 * counts and coarse places (the README's promise). An integration sees only what it wrote itself.
 */
export type Visibility = 'personal' | 'coarse';

export const visibilityOf = (p: Principal): Visibility =>
  p.role === 'admin' || p.role === 'coordinator' ? 'personal' : 'coarse';

export const inScope = (s: Scope, territoryId: number) => s.territoryIds === null || s.territoryIds.includes(territoryId);
