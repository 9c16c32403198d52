import type { Context } from 'koa';
import type { Queryable } from '@comobi/db';
import { badRequest, invalidFields } from './errors.ts';
import { firstBadValue, ID_RANGE_REASON, INT4_MAX } from './input-guard.ts';

/** WHERE clause builder with numbered parameters. */
export class Where {
  readonly parts: string[] = [];
  readonly params: unknown[] = [];

  /** `sql` receives the placeholder of `value` (e.g. "$3"). */
  add(sql: (placeholder: string) => string, value: unknown): this {
    this.params.push(value);
    this.parts.push(sql(`$${this.params.length}`));
    return this;
  }

  raw(sql: string): this {
    this.parts.push(sql);
    return this;
  }

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  toString(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : '';
  }
}

export interface ListSpec extends ListRules {
  /** `SELECT … FROM …` with the joins the columns need, without WHERE. */
  select: string;
  /** `SELECT count(*)::int AS n FROM …` with the joins the filters need. */
  count: string;
  /** The territory of a row: every list is limited to the reader's territories (null: a list of no territory). */
  territoryColumn: string | null;
  /** Filters that search personal fields: only for readers who see them. */
  personalFilters?: string[];
}

/** What a list may be sorted and filtered by. */
export interface ListRules {
  /** API field → SQL expression allowed in ORDER BY. */
  sortable: Record<string, string>;
  /** API filter field → adds its condition; unknown filter fields are a 400. */
  filters: Record<string, (where: Where, value: unknown) => void>;
}

export interface ListParams {
  orderBy: string;
  offset: number;
  limit: number;
  filter: Record<string, unknown>;
}

function jsonParam<T>(ctx: Context, name: string, fallback: T): T {
  const raw = ctx.query[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string') throw badRequest(name, 'must be given once');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw badRequest(name, 'must be JSON');
  }
  // The query guard saw only the JSON text: an escaped \u0000 or a huge id appears once it is parsed.
  const issue = firstBadValue(value, [name]);
  if (issue) throw invalidFields([issue]);
  return value as T;
}

/** Own keys only: `__proto__`, `constructor` or `toString` are not sortable fields nor filters of any list. */
const own = <V>(table: Record<string, V>, key: string): V | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;

/** Integers as PostgreSQL `integer` takes them (ids and other int columns of the filters). */
function integers(v: unknown, field: string, what: string): number[] {
  const ids = (Array.isArray(v) ? v : [v]).map(Number);
  if (!ids.every(Number.isInteger)) throw badRequest(field, what);
  if (ids.some((n) => Math.abs(n) > INT4_MAX)) throw badRequest(field, ID_RANGE_REASON);
  return ids;
}

/** react-admin ra-data-simple-rest: ?sort=["field","ASC"]&range=[0,24]&filter={...} */
export function listParams(ctx: Context, spec: ListRules, where: Where): ListParams {
  const sort = jsonParam<unknown>(ctx, 'sort', ['id', 'ASC']);
  if (
    !Array.isArray(sort) ||
    sort.length !== 2 ||
    typeof sort[0] !== 'string' ||
    !['ASC', 'DESC'].includes(String(sort[1]).toUpperCase())
  ) {
    throw badRequest('sort', 'expected ["field","ASC"|"DESC"]');
  }
  const expr = own(spec.sortable, sort[0]);
  if (!expr) throw badRequest('sort', `cannot sort by ${sort[0]}; sortable: ${Object.keys(spec.sortable).join(', ')}`);
  const range = jsonParam<unknown>(ctx, 'range', [0, 24]);
  if (
    !Array.isArray(range) ||
    range.length !== 2 ||
    !range.every((n) => Number.isInteger(n) && n >= 0) ||
    range[1] < range[0]
  ) {
    throw badRequest('range', 'expected [start, end] with 0 <= start <= end');
  }
  const limit = Math.min(range[1] - range[0] + 1, 1000);
  // The record id, qualified by the list's own table where the query joins others (`id` alone would be ambiguous).
  const idColumn = own(spec.sortable, 'id') ?? 'id';
  const filter = jsonParam<unknown>(ctx, 'filter', {});
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter))
    throw badRequest('filter', 'expected a JSON object');
  for (const [k, v] of Object.entries(filter)) {
    if (v === undefined || v === null || v === '') continue;
    const apply = k === 'id' ? (w: Where, ids: unknown) => idFilter(w, ids, idColumn) : own(spec.filters, k);
    if (!apply) throw badRequest(`filter.${k}`, `unknown filter; allowed: id, ${Object.keys(spec.filters).join(', ')}`);
    apply(where, v);
  }
  return {
    orderBy: `${expr} ${String(sort[1]).toUpperCase()}, ${idColumn} ${String(sort[1]).toUpperCase()}`,
    offset: range[0],
    limit,
    filter: filter as Record<string, unknown>,
  };
}

/**
 * One page of a simple-rest list: the reader's territories, the filters and sort asked for, the Content-Range
 * header. `readsPersonal` says whether the reader may filter on personal fields.
 */
export async function listPage<R>(
  ctx: Context,
  db: Queryable,
  resource: string,
  spec: ListSpec,
  reader: { territoryIds: number[] | null; readsPersonal: boolean },
  extra?: (where: Where) => void,
): Promise<R[]> {
  const where = new Where();
  if (reader.territoryIds && spec.territoryColumn) where.add((ph) => `${spec.territoryColumn} = ANY(${ph}::int[])`, reader.territoryIds);
  extra?.(where);
  const lp = listParams(ctx, spec, where);
  if (!reader.readsPersonal) {
    const asked = (spec.personalFilters ?? []).find((k) => lp.filter[k] !== undefined && lp.filter[k] !== '');
    if (asked) throw badRequest(`filter.${asked}`, 'searching by name or phone requires a coordinator role');
  }
  const rows = await db.query<R>(
    `${spec.select} ${where} ORDER BY ${lp.orderBy} LIMIT ${lp.limit} OFFSET ${lp.offset}`,
    where.params,
  );
  const total = await db.query<{ n: number }>(`${spec.count} ${where}`, where.params);
  setContentRange(ctx, resource, lp.offset, rows.rows.length, total.rows[0].n);
  return rows.rows;
}

function idFilter(where: Where, v: unknown, column: string) {
  const ids = integers(v, 'filter.id', 'ids must be integers');
  where.add((p) => `${column} = ANY(${p}::int[])`, ids);
}

export function setContentRange(ctx: Context, resource: string, offset: number, count: number, total: number) {
  const end = count ? offset + count - 1 : offset;
  ctx.set('Content-Range', `${resource} ${offset}-${end}/${total}`);
  ctx.set('X-Total-Count', String(total));
  ctx.set('Access-Control-Expose-Headers', 'Content-Range, X-Total-Count');
}

/** Filter helpers shared by resources. */
export const filterBy = {
  int: (column: string, field: string) => (w: Where, v: unknown) => {
    const ids = integers(v, `filter.${field}`, 'must be an integer or a list of integers');
    w.add((p) => `${column} = ANY(${p}::int[])`, ids);
  },
  bool: (column: string, field: string) => (w: Where, v: unknown) => {
    if (typeof v !== 'boolean') throw badRequest(`filter.${field}`, 'must be true or false');
    w.add((p) => `${column} = ${p}`, v);
  },
  oneOf: (column: string, field: string, allowed: readonly string[]) => (w: Where, v: unknown) => {
    const vals = Array.isArray(v) ? v : [v];
    if (!vals.every((x) => typeof x === 'string' && allowed.includes(x))) {
      throw badRequest(`filter.${field}`, `must be one of ${allowed.join(', ')}`);
    }
    w.add((p) => `${column} = ANY(${p}::text[])`, vals);
  },
  date: (column: string, field: string, op: '=' | '>=' | '<=') => (w: Where, v: unknown) => {
    if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(v))
      throw badRequest(`filter.${field}`, 'expected a date YYYY-MM-DD');
    w.add((p) => `${column} ${op} ${p}::date`, v.slice(0, 10));
  },
  text: (column: string, field: string) => (w: Where, v: unknown) => {
    if (typeof v !== 'string') throw badRequest(`filter.${field}`, 'must be text');
    w.add((p) => `${column} ILIKE ${p}`, `%${v.replace(/[%_\\]/g, (c) => `\\${c}`)}%`);
  },
};
