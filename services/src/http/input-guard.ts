import type { Context, Next } from 'koa';
import { badRequest, invalidFields, type FieldIssue } from './errors.ts';

/** PostgreSQL `integer` (int4): the type of every id column. */
export const INT4_MAX = 2_147_483_647;
export const NUL_REASON = 'must not contain a NUL character';
export const ID_RANGE_REASON = `out of range: ids go from 1 to ${INT4_MAX}`;

/** `id`, `ids`, `driverId`, `territoryIds`…: the API's names for references to records. */
const ID_KEY = /^(ids?|.*[a-z0-9]Ids?)$/;

const hasNul = (s: string) => s.includes('\u0000');
/** A path as the API names fields (`to.id`, `needs.1`); cut short when absurd (a body nested thousands deep). */
function fieldName(path: readonly string[]): string {
  const name = path.map((k) => k.replace(/\u0000/g, '\\u0000')).join('.');
  return name.length > 200 ? `${name.slice(0, 200)}…` : name;
}
const isIntOutOfRange = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) > INT4_MAX;

/** A value met while walking a document; its path is rebuilt from the parents only for the one reported. */
interface Node {
  v: unknown;
  key: string | null;
  parent: Node | null;
}

/** Under a key naming ids (`driverId`, `territoryIds.2`…); asked only of numbers out of range, so rarely. */
function idLike(n: Node): boolean {
  for (let x: Node | null = n; x && x.key !== null; x = x.parent) {
    if (!Array.isArray(x.parent?.v)) return ID_KEY.test(x.key);
  }
  return false;
}

function pathOf(n: Node): string[] {
  const keys: string[] = [];
  for (let x: Node | null = n; x && x.key !== null; x = x.parent) keys.push(x.key);
  return keys.reverse();
}

/**
 * The first value of a JSON document, in document order, for which `found` holds. Walked without recursion and
 * without copying paths: a body nested thousands of levels deep must cost neither the stack nor quadratic time.
 */
function walk(value: unknown, found: (n: Node) => boolean): Node | undefined {
  const stack: Node[] = [{ v: value, key: null, parent: null }];
  while (stack.length) {
    const n = stack.pop()!;
    if (found(n)) return n;
    const v = n.v;
    // Children pushed in reverse: the first one is looked at first.
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], key: String(i), parent: n });
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--)
        stack.push({ v: (v as Record<string, unknown>)[keys[i]], key: keys[i], parent: n });
    }
  }
  return undefined;
}

const nulIn = (n: Node) => (n.key !== null && hasNul(n.key)) || (typeof n.v === 'string' && hasNul(n.v));

/**
 * The first value of a parsed JSON document that PostgreSQL would refuse: a NUL character in a string or a key
 * (text cannot hold it), or an id beyond `integer`. `prefix` is the field's name so far (e.g. ['filter']).
 */
export function firstBadValue(value: unknown, prefix: string[] = [], ours = true): FieldIssue | undefined {
  const n = walk(value, (x) => nulIn(x) || (ours && isIntOutOfRange(x.v) && idLike(x)));
  if (!n) return undefined;
  return { field: fieldName([...prefix, ...pathOf(n)]) || '(body)', reason: nulIn(n) ? NUL_REASON : ID_RANGE_REASON };
}

/**
 * The first field of the request (JSON body, query string, route parameters) whose value satisfies `test`: the error
 * middleware names with it the field behind a database error that does not say which parameter it was.
 */
export function findInRequest(ctx: Context, test: (v: unknown) => boolean): string | undefined {
  for (const source of [ctx.request.body, ctx.query, (ctx as { params?: unknown }).params]) {
    const n = walk(source, (x) => test(x.v));
    if (n) return fieldName(pathOf(n)) || '(body)';
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
      // Ids are ours (PostgreSQL integers) only under /api: a provider's webhook or a partner names its own ids.
      const issue = firstBadValue(ctx.request.body, [], ctx.path.startsWith('/api/'));
      if (issue) throw invalidFields([issue]);
    }
    await next();
  };
}
