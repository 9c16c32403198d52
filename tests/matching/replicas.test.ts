import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { ADMIN_TOKEN, startServer, type TestServer } from '../helpers/server.ts';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.ts';

// Two service processes on one real PostgreSQL: a write through one is matched by the other within a second.
// The same behind a real load balancer, and a replica killed mid-burst: balancer.test.ts.
let db: TestDb;
let local: TestServer;
let child: ServiceProcess;
let childUrl: string;

beforeAll(async () => {
  db = await createTestDb('postgres');
  local = await startServer({ testDb: db });
  child = await startServiceProcess(db.url!);
  childUrl = child.url;
});
afterAll(async () => {
  await child?.stop();
  await local?.close();
  await db?.drop();
});

const post = (base: string, p: string, body: unknown) =>
  fetch(base + p, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

describe('replicas', () => {
  it('sees a trip written by another process within 1 s', async () => {
    const territory = await post(childUrl, '/api/territories', { slug: 'replicas', name: 'Réplicas' });
    const driver = await post(childUrl, '/api/people', { territoryId: territory.body.id, isDriver: true });
    const match = {
      territoryId: territory.body.id,
      from: { lng: 1.5296, lat: 44.5911 },
      to: { lng: 1.4419, lat: 44.4475 },
      date: '2026-12-07',
      time: '07:45',
    };
    expect((await post(local.url, '/api/match', match)).body.proposals).toEqual([]);
    const trip = await post(childUrl, '/api/trips', {
      territoryId: territory.body.id,
      driverId: driver.body.id,
      kind: 'regular',
      weekdays: [1],
      departureTime: '07:30',
      origin: { lng: 1.3832, lat: 44.7373 },
      destination: { lng: 1.4419, lat: 44.4475 },
    });
    expect(trip.status).toBe(201);
    const written = Date.now();
    let proposals: any[] = [];
    while (Date.now() - written < 1000) {
      proposals = (await post(local.url, '/api/match', match)).body.proposals;
      if (proposals.length) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(proposals.map((p) => p.tripId)).toEqual([trip.body.id]);
  });
});
