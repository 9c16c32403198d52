import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';

// The matching service configured with OSRM_URL, talking HTTP to an OSRM-shaped server (the embedded router served
// under OSRM's API by another service instance), through a loopback proxy that counts the calls.
let routerHost: TestServer;
let srv: TestServer;
let proxy: http.Server;
const calls: string[] = [];

beforeAll(async () => {
  routerHost = await startServer();
  const target = new URL(routerHost.url);
  proxy = http.createServer((req, res) => {
    calls.push(req.url ?? '');
    const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const osrmUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/osrm`;
  srv = await startServer({ env: { OSRM_URL: osrmUrl } });
});
afterAll(async () => {
  await srv?.close();
  await routerHost?.close();
  proxy?.close();
});

describe('matching through a real OSRM HTTP API', () => {
  it('asks one table for all candidates of a request', async () => {
    expect(srv.booted.services.router.name).toBe('osrm');
    const t = (await srv.api('POST', '/api/territories', { slug: 'osrm-test', name: 'OSRM' })).body.id;
    const origins = [
      { lng: 1.3832, lat: 44.7373 }, // Gourdon
      { lng: 1.4018, lat: 44.7002 },
      { lng: 1.4651, lat: 44.6513 },
    ];
    for (const origin of origins) {
      const d = (await srv.api('POST', '/api/people', { territoryId: t, isDriver: true })).body.id;
      const trip = await srv.api('POST', '/api/trips', {
        territoryId: t, driverId: d, kind: 'regular', weekdays: [1, 2, 3, 4, 5], departureTime: '07:30',
        origin, destination: { lng: 1.4419, lat: 44.4475 },
      });
      expect(trip.status).toBe(201);
      expect(trip.body.routeApproximate).toBe(false);
    }
    calls.length = 0;
    const r = await srv.api('POST', '/api/match', {
      territoryId: t, from: { lng: 1.5296, lat: 44.5911 }, to: { lng: 1.4419, lat: 44.4475 }, date: '2026-12-07', time: '07:55',
    });
    expect(r.status).toBe(200);
    expect(r.body.approximate).toBe(false);
    expect(r.body.stats.routed).toBeGreaterThanOrEqual(2);
    expect(r.body.proposals.length).toBeGreaterThanOrEqual(1);
    const tables = calls.filter((c) => c.startsWith('/osrm/table/v1/driving/'));
    expect(tables).toHaveLength(1);
    expect(calls).toHaveLength(1);
    expect(tables[0]).toMatch(/annotations=duration(%2C|,)distance/);
  });
});
