import { publicPlugin } from '../../services/src/public/plugin.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

export interface PublicServer extends TestServer {
  logs: string[];
}

/** The real service with the public plugin only; every service log line is captured (to check it holds no personal data). */
export async function startPublic(opts: { demo?: boolean; env?: Record<string, string> } = {}): Promise<PublicServer> {
  const logs: string[] = [];
  const srv = await startServer({
    demo: opts.demo,
    plugins: (b) => {
      b.services.log = (m, extra) => logs.push(JSON.stringify({ message: m, ...extra }));
      return [publicPlugin({ RETENTION_JOB: 'off', ...opts.env })];
    },
  });
  return Object.assign(srv, { logs });
}

/** A tiny cookie jar over fetch, as a browser would keep it (no redirects followed unless asked). */
export class Browser {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  private store(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const k = pair.slice(0, i);
      const v = pair.slice(i + 1);
      if (v === '' || /max-age=0|expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
  }

  async fetch(url: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    const full = url.startsWith('http') ? url : this.base + url;
    const sameOrigin = full.startsWith(this.base);
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (sameOrigin && this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(full, { ...init, headers, redirect: 'manual' });
    if (sameOrigin) this.store(res);
    // Always read the body: an unread body keeps the connection busy and the server could not close.
    const buf = await res.arrayBuffer();
    return new Response(buf.byteLength ? buf : null, { status: res.status, headers: res.headers });
  }

  async get(url: string) {
    const res = await this.fetch(url);
    return { res, text: await res.text() };
  }

  /** Posts a form with this browser's CSRF token (read from the page's hidden field). */
  async post(url: string, fields: Record<string, string | string[]>, csrf?: string) {
    const body = new URLSearchParams();
    if (csrf !== undefined) body.append('csrf', csrf);
    for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    const res = await this.fetch(url, { method: 'POST', body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    return { res, text: await res.text() };
  }
}

export const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
