import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathShape, registeredRoutes, type RouteEntry } from '../../services/src/http/routes.ts';
import { plugins } from '../../services/src/plugins.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

/** `get /api/people/{}`: an operation whatever its parameters are named. */
const key = (r: RouteEntry) => `${r.method} ${pathShape(r.path)}`;
const operationsOf = (doc: { paths: Record<string, Record<string, unknown>> }): RouteEntry[] =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ path, method })));

let full: TestServer;
let bare: TestServer;

beforeAll(async () => {
  // The service as main.ts mounts it (console, interoperability, carpool areas, proof registry, public side), and bare.
  full = await startServer({ plugins: (b) => plugins(b.services) });
  bare = await startServer({ testDb: full.testDb });
});
afterAll(async () => {
  await bare?.close();
  await full?.close();
});

describe('/api/openapi.json documents every route of the service', () => {
  it('has an entry for every route the routers register under /api, and no entry without a route', async () => {
    const routes = registeredRoutes(full.app);
    // The walk sees the routers: a route of each of them is there.
    for (const r of ['get /api/people/{}', 'post /api/requests/{}/match', 'get /api/stats', 'get /api/communes', 'post /interop/v1/bookings', 'get /health'])
      expect(routes.map(key)).toContain(r);
    const res = await full.api('GET', '/api/openapi.json', undefined, null);
    expect(res.status).toBe(200);
    const documented = new Set(operationsOf(res.body).map(key));
    const missing = routes.filter((r) => r.path.startsWith('/api/') && !documented.has(key(r))).map(key);
    expect(missing, `routes without an entry in /api/openapi.json:\n${missing.join('\n')}`).toEqual([]);
    const registered = new Set(routes.map(key));
    const phantom = operationsOf(res.body).filter((o) => !registered.has(key(o))).map(key);
    expect(phantom, `documented operations without a route:\n${phantom.join('\n')}`).toEqual([]);
  });

  it('lists only what the server mounts: without the plugins, none of their routes', async () => {
    const doc = (await bare.api('GET', '/api/openapi.json', undefined, null)).body;
    const registered = new Set(registeredRoutes(bare.app).map(key));
    const phantom = operationsOf(doc).filter((o) => !registered.has(key(o))).map(key);
    expect(phantom).toEqual([]);
    expect(doc.paths['/api/people']).toBeDefined();
    for (const p of ['/api/users', '/api/interop-messages', '/interop/v1/openapi.json', '/api/stats']) expect(doc.paths[p], p).toBeUndefined();
  });

  it('links the interoperability API’s own document, which is served there', async () => {
    const doc = (await full.api('GET', '/api/openapi.json', undefined, null)).body;
    expect(doc.externalDocs.url).toBe('/interop/v1/openapi.json');
    const interop = await fetch(`${full.url}${doc.externalDocs.url}`);
    expect(interop.status).toBe(200);
    expect(((await interop.json()) as any).paths['/bookings/{bookingId}']).toBeDefined();
  });
});
