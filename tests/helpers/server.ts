import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type Koa from 'koa';
import { createApp } from '../../services/src/app.ts';
import type { Plugin } from '../../services/src/context.ts';
import { boot, type Booted } from '../../services/src/boot.ts';
import { loadConfig, type Config } from '../../services/src/config.ts';
import type { Router } from '../../services/src/routing/types.ts';
import { createTestDb, type TestDb } from './db.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestServer {
  url: string;
  /** The Koa app served: its routers can be walked (tests of the OpenAPI documents). */
  app: Koa;
  booted: Booted;
  testDb: TestDb;
  config: Config;
  /** fetch with the admin token unless `token` is given (null: no Authorization header). */
  api(
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/**
 * The real service on loopback: a fresh database (TEST_DB back end), the embedded router on the Lot roads (graph
 * cached across test files), the demo only when asked.
 */
export async function startServer(
  opts: {
    demo?: boolean;
    env?: Record<string, string>;
    router?: Router;
    plugins?: (b: Booted) => Promise<Plugin[]> | Plugin[];
    testDb?: TestDb;
  } = {},
): Promise<TestServer> {
  const testDb = opts.testDb ?? (await createTestDb());
  const config = loadConfig({
    ADMIN_TOKEN,
    DATA_DIR: path.join(os.tmpdir(), 'comobi-test-data'),
    DEMO: opts.demo ? 'auto' : 'off',
    LOG_LEVEL: 'silent',
    // Test clients play the reverse proxy: they name the client's address in X-Forwarded-For, as nginx does.
    TRUSTED_PROXIES: '127.0.0.1',
    ...opts.env,
  });
  const booted = await boot(config, { db: testDb.db, router: opts.router });
  const app = createApp(booted.services, opts.plugins ? await opts.plugins(booted) : []);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  booted.startJobs();
  // The demo's requests are matched by a job once the service listens: tests read the demo as it is after that.
  if (opts.demo) await booted.services.jobs?.idle();
  return {
    url,
    app,
    booted,
    testDb,
    config,
    async api(method, p, body, token = ADMIN_TOKEN) {
      const headers: Record<string, string> = {};
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(url + p, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close() {
      await new Promise((r) => server.close(r));
      await booted.close();
      if (!opts.testDb) await testDb.drop();
    },
  };
}
