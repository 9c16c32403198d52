import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Plugin } from '../../services/src/context.ts';
import { consolePlugin } from '../../services/src/console/plugin.ts';
import type { ConsoleOptions } from '../../services/src/console/options.ts';
import { saveUser } from '../../services/src/domain/users.ts';
import type { Queryable } from '@comobi/db';
import { startServer, type TestServer } from '../helpers/server.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
export const DIST = path.join(repoRoot, 'console', 'dist');

/** The console is built once per run by tests/helpers/global-setup.ts, before any test file starts. */
export function ensureConsoleBuilt(): void {
  if (!fs.existsSync(path.join(DIST, 'index.html')))
    throw new Error(`console not built: ${DIST} (see tests/helpers/global-setup.ts)`);
}

export async function startConsoleServer(
  opts: { demo?: boolean; options?: Partial<ConsoleOptions>; env?: Record<string, string> } = {},
): Promise<TestServer> {
  return startServer({
    demo: opts.demo,
    // Browser and service share the machine: the router's deadline must not turn answers approximate or empty.
    env: { MATCH_DEADLINE_MS: '30000', ...opts.env },
    // Test feed servers run on loopback: allowed here, refused by default (see public-host.ts).
    plugins: async (b): Promise<Plugin[]> => [
      await consolePlugin(b.services, { distDir: DIST, allowPrivateHosts: true, ...opts.options }),
    ],
  });
}

export async function addUser(
  db: Queryable,
  u: { email: string; password: string; role: 'admin' | 'coordinator' | 'viewer'; territoryIds?: number[] },
) {
  return saveUser(db, { ...u, territoryIds: u.territoryIds ?? [], active: true });
}

/** A browser-like client: keeps cookies, sends the CSRF token on writes unless told not to. */
export class Session {
  cookies = new Map<string, string>();
  csrf = '';
  constructor(
    readonly url: string,
    readonly ip = '127.0.0.1',
  ) {}

  private store(h: Headers) {
    for (const c of h.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const v = pair.slice(i + 1);
      if (v === '' || /expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(pair.slice(0, i));
      else this.cookies.set(pair.slice(0, i), v);
    }
  }

  async req(method: string, p: string, body?: unknown, o: { csrf?: boolean; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { 'x-forwarded-for': this.ip, ...o.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (o.csrf !== false && method !== 'GET' && this.csrf) headers['x-csrf-token'] = this.csrf;
    const res = await fetch(this.url + p, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
    this.store(res.headers);
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers, text };
  }

  async login(email: string, password: string) {
    const r = await this.req('POST', '/auth/login', { email, password });
    if (r.status === 200) this.csrf = r.body.csrfToken;
    return r;
  }
}

/** A Lot trip that the demo's drivers can take (Gramat → Cahors, arriving 08:15 on a coming day), found via /api/match. */
export async function proposalAsk(srv: TestServer) {
  const { rows } = await srv.booted.services.db.query<{ name: string; lng: number; lat: number }>(
    `SELECT name, ST_X(centroid) AS lng, ST_Y(centroid) AS lat FROM communes WHERE name IN ('Gramat', 'Cahors')`,
  );
  const at = (n: string) => rows.find((r) => r.name === n)!;
  const from = { lng: Number(at('Gramat').lng), lat: Number(at('Gramat').lat) };
  const to = { lng: Number(at('Cahors').lng), lat: Number(at('Cahors').lat) };
  for (let d = 1; d <= 14; d++) {
    const date = new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
    const ask = { from, to, date, time: '08:15', timeKind: 'arrive' as const, toleranceMin: 30 };
    const r = await srv.api('POST', '/api/match', ask);
    if (r.body.proposals?.length >= 2)
      return { ...ask, fromLabel: 'Gramat', toLabel: 'Cahors', proposals: r.body.proposals.length as number };
  }
  throw new Error('no demo driver from Gramat to Cahors in the coming two weeks');
}

/** A fresh browser context logged into the console (French locale, a wide screen): the home page shown. */
export async function openConsole(browser: Browser, url: string, email: string, password: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'fr-FR' });
  const page = await ctx.newPage();
  await page.goto(`${url}/console/`);
  await page.locator('input[name="username"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('button[type="submit"]').click();
  await page.getByText('Bonjour').waitFor();
  return page;
}

/**
 * Types into a MUI date or time picker as a coordinator does: the field's sections cleared, then the digits
 * ("12/08/2026" for a date in dd/mm/yyyy, "09:05" for a time), each section moving on to the next.
 */
export async function typeInPicker(page: Page, testId: string, text: string) {
  await page.getByTestId(testId).locator('[role="spinbutton"]').first().click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text.replace(/\D/g, ''));
  await page.keyboard.press('Tab');
}

/** What a picker shows, as typed ("12/08/2026", "09:05"). */
export const pickerValue = (page: Page, testId: string) => page.getByTestId(testId).locator('input').inputValue();

/** "2026-08-12" as a French date typed in a picker: "12/08/2026". */
export const frDate = (iso: string) => iso.split('-').reverse().join('/');
