import type { Context, Next } from 'koa';
import { HttpError } from './errors.ts';
import { containsNul, findInRequest, NUL_REASON } from './input-guard.ts';

interface PgError {
  code?: string;
  constraint?: string;
  column?: string;
  table?: string;
  detail?: string;
  message?: string;
}

const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * The API field behind a database error. Under row-level security PostgreSQL leaves the key out of the detail
 * ("Key is still referenced…"), so the constraint's name (`people_commune_insee_fkey`) is read as table + column.
 */
function fieldOf(e: PgError): string {
  const column =
    e.column ??
    e.detail?.match(/Key \(([^)]+)\)/)?.[1] ??
    (e.constraint && e.table && e.constraint.startsWith(`${e.table}_`)
      ? e.constraint.slice(e.table.length + 1).replace(/_(fkey|key|check|not_null)$/, '')
      : e.constraint);
  return column ? camel(column) : '(body)';
}

/** Why a record cannot be deleted, by its table: what still refers to it, and what to do instead. */
const STILL_REFERRED = new Map([
  ['people', 'this person still has trips or requests: deactivate or erase instead'],
  ['trips', 'this trip still has matches: deactivate it instead'],
  ['requests', 'this request still has matches or messages: cancel it instead'],
  ['matches', 'this match still has bookings or messages: cancel it instead'],
  ['territories', 'this territory still has people, trips, requests or keys: it cannot be deleted'],
]);

/**
 * A foreign key broken by a DELETE (or an update of a key) means the record is still referred to: a conflict with the
 * state of the data, not an unknown reference in the request. PostgreSQL and PGlite say it in the same words.
 */
function stillReferred(e: PgError): HttpError | undefined {
  const deleted = e.message?.match(/^update or delete on table "([^"]+)"/)?.[1];
  if (!deleted && !/is still referenced from table/.test(e.detail ?? '')) return undefined;
  const by = e.detail?.match(/referenced from table "([^"]+)"/)?.[1] ?? e.table ?? 'another record';
  const reason = (deleted && STILL_REFERRED.get(deleted)) ?? `is still referred to by ${by}`;
  return new HttpError(409, 'conflict', `cannot delete: ${reason}`, [{ field: 'id', reason }]);
}

/** Database errors that are the client's fault become 4xx; anything else is a 500 without details. */
function fromDatabase(e: PgError, ctx: Context): HttpError | undefined {
  switch (e.code) {
    case '23505':
      return new HttpError(409, 'conflict', `already exists (${fieldOf(e)})`, [
        { field: fieldOf(e), reason: 'already exists' },
      ]);
    case '23503':
      return (
        stillReferred(e) ??
        new HttpError(400, 'invalid_reference', `unknown reference (${fieldOf(e)})`, [
          { field: fieldOf(e), reason: 'refers to a record that does not exist' },
        ])
      );
    // Invalid byte sequence, untranslatable character: a NUL the input guard did not see (it checks every body,
    // query and form it knows of); the field is found in the request.
    case '22021':
    case '22P05': {
      const field = findInRequest(ctx, containsNul) ?? '(body)';
      return new HttpError(400, 'invalid_input', `${field}: ${NUL_REASON}`, [{ field, reason: NUL_REASON }]);
    }
    case '22003': {
      // "value "99999999999" is out of range for type integer": the field is the one holding that value.
      const value = e.message?.match(/^value "([^"]+)" is out of range/)?.[1];
      const field =
        value === undefined
          ? undefined
          : findInRequest(ctx, (v) => (typeof v === 'number' || typeof v === 'string') && String(v) === value);
      if (field)
        return new HttpError(400, 'invalid_input', `${field}: out of range`, [
          { field, reason: e.message ?? 'out of range' },
        ]);
      return new HttpError(400, 'invalid_input', e.message ?? 'invalid value', [
        { field: fieldOf(e), reason: e.message ?? 'invalid value' },
      ]);
    }
    case '23514':
    case '23502':
    case '22P02':
    case '22007':
    case '22008':
      return new HttpError(400, 'invalid_input', e.message ?? 'invalid value', [
        { field: fieldOf(e), reason: e.message ?? 'invalid value' },
      ]);
    case '57P01':
    case '57P03':
    case '08006':
    case '08003':
    case '08001':
      return new HttpError(503, 'unavailable', 'database unavailable', [], { 'Retry-After': '2' });
  }
  return undefined;
}

function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(
      String((e as Error)?.message),
    )
  );
}

export function errorMiddleware(log: (msg: string, extra?: object) => void) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError(404, 'not_found', `no route for ${ctx.method} ${ctx.path}`);
      }
      if (ctx.status === 405 && ctx.body === undefined) {
        throw new HttpError(
          405,
          'method_not_allowed',
          `${ctx.method} is not allowed here; allowed: ${ctx.response.get('Allow')}`,
          [],
          { Allow: ctx.response.get('Allow') },
        );
      }
    } catch (err) {
      let e: HttpError | undefined;
      if (err instanceof HttpError) e = err;
      else if (isConnectionError(err))
        e = new HttpError(503, 'unavailable', 'database unavailable', [], { 'Retry-After': '2' });
      else if ((err as PgError)?.code && /^[0-9A-Z]{5}$/.test((err as PgError).code!))
        e = fromDatabase(err as PgError, ctx);
      else {
        // Body parser and Koa errors carry an HTTP status of their own.
        const status = (err as { status?: number }).status;
        if (status && status >= 400 && status < 500) {
          const code =
            status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'invalid_input';
          e = new HttpError(status, code, (err as Error).message, [
            { field: '(body)', reason: (err as Error).message },
          ]);
        }
      }
      if (!e) {
        // Never log request bodies: they may hold personal data.
        log('unhandled error', { method: ctx.method, path: ctx.path, error: (err as Error)?.stack ?? String(err) });
        e = new HttpError(500, 'internal_error', 'internal error');
      }
      ctx.status = e.status;
      for (const [k, v] of Object.entries(e.headers)) ctx.set(k, v);
      ctx.body = { error: e.code, message: e.message, fields: e.fields };
    }
  };
}
