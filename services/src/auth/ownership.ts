import type { Principal } from './principal.ts';
import { notFound } from '../http/errors.ts';

/** Readers of requests and matches: the console's roles, and integrations for what they made themselves. */
export const READERS = ['admin', 'coordinator', 'viewer', 'integration'] as const;

/**
 * An integration key reaches only the records it created (its own requests and their matches); the console's
 * roles reach their whole territory. Others' records are "not found", as another territory's are.
 */
export function ownedBy(p: Principal, createdBy: string | null, what: string, id: number) {
  if (p.role === 'integration' && createdBy !== p.actor) throw notFound(what, id);
}
