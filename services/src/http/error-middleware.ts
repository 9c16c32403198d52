import type { Context, Next } from 'koa';
import { HttpError } from './errors.ts';

interface PgError {
  code?: string;
  constraint?: string;
  column?: string;
  detail?: string;
  message?: string;
}

const columnOf = (e: PgError) => e.column ?? e.detail?.match(/Key \(([^)]+)\)/)?.[1] ?? e.constraint ?? '(body)';

/** Database errors that are the client's fault become 4xx; anything else is a 500 without details. */
function fromDatabase(e: PgError): HttpError | undefined {
  switch (e.code) {
    case '23505':
      return new HttpError(409, 'conflict', `already exists (${columnOf(e)})`, [
        { field: columnOf(e), reason: 'already exists' },
      ]);
    case '23503':
      return new HttpError(400, 'invalid_reference', `unknown reference (${columnOf(e)})`, [
        { field: columnOf(e), reason: 'refers to a record that does not exist' },
      ]);
    case '23514':
    case '23502':
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
      return new HttpError(400, 'invalid_input', e.message ?? 'invalid value', [
        { field: columnOf(e), reason: e.message ?? 'invalid value' },
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
      else if ((err as PgError)?.code && /^[0-9A-Z]{5}$/.test((err as PgError).code!)) e = fromDatabase(err as PgError);
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
