import type { Context, Next } from 'koa';
import { unauthorized } from '../http/errors.ts';
import type { PrincipalResolver } from './principal.ts';

/**
 * Tries each resolver in turn. A resolver answering null saw credentials of its kind that are wrong: the request
 * is rejected rather than tried as anonymous.
 */
export function authenticate(resolvers: PrincipalResolver[]) {
  return async (ctx: Context, next: Next) => {
    for (const resolve of resolvers) {
      const p = await resolve(ctx);
      if (p === null) throw unauthorized('invalid or revoked credentials');
      if (p) {
        ctx.state.principal = p;
        return next();
      }
    }
    throw unauthorized();
  };
}
