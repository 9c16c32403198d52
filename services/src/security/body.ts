import type { Context } from 'koa';
import { badRequest, HttpError } from '../http/errors.ts';
import { NUL_REASON } from '../http/input-guard.ts';

/** Public forms are small: a few fields of short text. */
export const FORM_LIMIT_BYTES = 16 * 1024;
export const MAX_FIELDS = 60;

/**
 * Reads an application/x-www-form-urlencoded body (the app's body parser only takes JSON), with limits on size and
 * number of fields. Repeated fields become arrays.
 */
export async function readForm(ctx: Context): Promise<Record<string, string | string[]>> {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw new HttpError(415, 'unsupported_media_type', 'expected a form (application/x-www-form-urlencoded)');
  }
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > FORM_LIMIT_BYTES) throw new HttpError(413, 'payload_too_large', 'form too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > FORM_LIMIT_BYTES) throw new HttpError(413, 'payload_too_large', 'form too large');
    chunks.push(chunk as Buffer);
  }
  const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  const out: Record<string, string | string[]> = {};
  let n = 0;
  for (const [k, v] of params) {
    if (++n > MAX_FIELDS) throw new HttpError(413, 'payload_too_large', 'too many fields');
    // PostgreSQL text cannot hold a NUL: refused here, before any write, rather than failing in the insert.
    if (k.includes('\u0000') || v.includes('\u0000')) throw badRequest(k.replace(/\u0000/g, '\\u0000'), NUL_REASON);
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}
