import type { Context, Next } from 'koa';
import { badRequest, invalidFields, type FieldIssue } from './errors.ts';

/** PostgreSQL `integer` (int4): the type of every id column. */
export const INT4_MAX = 2_147_483_647;
export const NUL_REASON = 'must not contain a NUL character';
export const ID_RANGE_REASON = `out of range: ids go from 1 to ${INT4_MAX}`;

/** `id`, `ids`, `driverId`, `territoryIds`…: the API's names for references to records. */
const ID_KEY = /^(ids?|.*[a-z0-9]Ids?)$/;

const hasNul = (s: string) => s.includes('\u0000');
const fieldName = (path: readonly string[]) => path.map((k) => k.replace(/\u0000/g, '\\u0000')).join('.');
const isIntOutOfRange = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) > INT4_MAX;

/**
 * The first value of a parsed JSON document that PostgreSQL would refuse: a NUL character in a string or a key
 * (text cannot hold it), or an id beyond `integer`. Walked without recursion: a deeply nested body must not
 * overflow the stack. `path` is the field's name so far (e.g. ['filter']).
 */
export function firstBadValue(value: unknown, path: string[] = []): FieldIssue | undefined {
  const stack: { v: unknown; path: string[]; idLike: boolean }[] = [{ v: value, path, idLike: false }];
  while (stack.length) {
    const { v, path: p, idLike } = stack.pop()!;
    if (typeof v === 'string') {
      if (hasNul(v)) return { field: fieldName(p) || '(body)', reason: NUL_REASON };
    } else if (idLike && isIntOutOfRange(v)) {
      return { field: fieldName(p) || '(body)', reason: ID_RANGE_REASON };
    } else if (Array.isArray(v)) {
      // Pushed in reverse: the first element is looked at first, so the first bad field is the one reported.
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...p, String(i)], idLike });
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (const [k] of entries) if (hasNul(k)) return { field: fieldName([...p, k]), reason: NUL_REASON };
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, child] = entries[i];
        stack.push({ v: child, path: [...p, k], idLike: ID_KEY.test(k) });
      }
    }
  }
  return undefined;
}

/**
 * The first field of the request (JSON body, query string, route parameters) whose value satisfies `test`: the error
 * middleware names with it the field behind a database error that does not say which parameter it was.
 */
export function findInRequest(ctx: Context, test: (v: unknown) => boolean): string | undefined {
  for (const source of [ctx.request.body, ctx.query, (ctx as { params?: unknown }).params]) {
    const stack: { v: unknown; path: string[] }[] = [{ v: source, path: [] }];
    while (stack.length) {
      const { v, path } = stack.pop()!;
      if (test(v)) return fieldName(path) || '(body)';
      if (v !== null && typeof v === 'object') {
        const entries = Object.entries(v);
        for (let i = entries.length - 1; i >= 0; i--) stack.push({ v: entries[i][1], path: [...path, entries[i][0]] });
      }
    }
  }
  return undefined;
}
export const containsNul = (v: unknown) => typeof v === 'string' && hasNul(v);

const isPlainObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Checks every request before any handler: a NUL in the path or the query string, a JSON body that is not an object
 * (every route reads named fields: an array used to be spread into one), and the values `firstBadValue` refuses.
 * Runs after the body parser; the answer is a 400 naming the field, and nothing has been written.
 */
export function inputGuard() {
  return async (ctx: Context, next: Next) => {
    if (/%00/.test(ctx.path) || hasNul(ctx.path)) throw badRequest('(path)', NUL_REASON);
    for (const [k, v] of Object.entries(ctx.query)) {
      if (hasNul(k) || (Array.isArray(v) ? v : [v ?? '']).some(hasNul)) throw badRequest(fieldName([k]), NUL_REASON);
    }
    // rawBody is set only when the parser read a JSON body.
    if (ctx.request.rawBody !== undefined) {
      const body: unknown = ctx.request.body;
      // The parser is not strict (so that scalars get the same answer as arrays): an empty body stays an empty object.
      if (body === '' && ctx.request.rawBody === '') ctx.request.body = {};
      else if (!isPlainObject(body)) throw badRequest('(body)', 'expected a JSON object');
      const issue = firstBadValue(ctx.request.body);
      if (issue) throw invalidFields([issue]);
    }
    await next();
  };
}
