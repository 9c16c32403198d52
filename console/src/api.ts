import { HttpError } from 'react-admin';
import { takeEarly } from './early.ts';

/** The session's CSRF token (from /auth/me or /auth/login): sent on every write, as the server requires. */
let csrfToken = '';
export const setCsrfToken = (t: string) => {
  csrfToken = t;
};

/** Why personal data is shown: the request being handled, else the screen ("console:#/people/3/show"). */
export const defaultReason = () => `console:${window.location.hash.split('?')[0] || '#/'}`;

export interface ApiOptions {
  method?: string;
  body?: unknown;
  reason?: string;
  headers?: Record<string, string>;
}

/** fetch on the same origin with the session cookie; errors become react-admin HttpErrors with the API's body. */
export async function api<T = any>(path: string, o: ApiOptions = {}): Promise<{ status: number; json: T; headers: Headers }> {
  const method = o.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json', 'X-Access-Reason': o.reason ?? defaultReason(), ...o.headers };
  if (o.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  // A GET that boot.ts asked before the app started is answered from there (once).
  const early = method === 'GET' ? await takeEarly(path) : undefined;
  const res = early ?? (await fetch(path, { method, headers, credentials: 'same-origin', body: o.body === undefined ? undefined : JSON.stringify(o.body) }));
  const json = await answerOf<T>(res);
  return { status: res.status, json, headers: res.headers };
}

/** The answer's JSON (or its text when it is not JSON); an error status throws with the API's reason. */
async function answerOf<T>(res: Response): Promise<T> {
  const text = await res.text();
  let json: any = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  if (!res.ok) throw new HttpError(messageOf(json, res.status), res.status, json);
  return json;
}

/** The API answers {error, message, fields:[{field, reason}]}: show the fields when there are some. */
export function messageOf(body: any, status: number): string {
  if (body?.fields?.length) return body.fields.map((f: { field: string; reason: string }) => `${f.field} : ${f.reason}`).join(' ; ');
  if (status === 401) return 'ra.notification.logged_out';
  if (status === 403) return 'comobi.errors.forbidden';
  if (status === 404) return 'comobi.errors.not_found';
  if (status === 429) return 'comobi.errors.too_many';
  return body?.message ?? `Erreur ${status}`;
}

/** A file sent as it is (the commune file of the territory wizard): the body is not JSON-encoded again. */
export async function upload<T = any>(path: string, file: Blob, type: string): Promise<{ status: number; json: T }> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': type, 'X-CSRF-Token': csrfToken, 'X-Access-Reason': defaultReason() },
    credentials: 'same-origin',
    body: file,
  });
  return { status: res.status, json: await answerOf<T>(res) };
}
