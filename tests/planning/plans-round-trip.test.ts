import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';

// On the D653 north of Cahors (the Lot road graph): Gourdon – Labastide-du-Vert – Cahors, and back.
const CAHORS = { lng: 1.4419, lat: 44.4475 };
const LABASTIDE = { lng: 1.5296, lat: 44.5911 };
const GOURDON = { lng: 1.3832, lat: 44.7373 };

let srv: TestServer;
let territoryId: number;
let morning: number;
let evening: number;
const day = (() => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7 || 7));
  return d.toISOString().slice(0, 10);
})();

async function trip(origin: object, destination: object, departureTime: string, seats: number) {
  const driver = await srv.api('POST', '/api/people', {
    territoryId,
    isDriver: true,
    firstName: 'Inventé',
    lastName: 'Conducteur',
  });
  expect(driver.status).toBe(201);
  const r = await srv.api('POST', '/api/trips', {
    territoryId,
    driverId: driver.body.id,
    kind: 'regular',
    weekdays: [1, 2, 3, 4, 5],
    departureTime,
    origin,
    destination,
    seats,
  });
  expect(r.status).toBe(201);
  return r.body.id as number;
}

beforeAll(async () => {
  srv = await startServer();
  territoryId = (await srv.api('POST', '/api/territories', { slug: 'lot-plan-rt', name: 'Lot (allers-retours)' })).body
    .id;
  // Two seats to Cahors in the morning, one seat back in the evening.
  morning = await trip(GOURDON, CAHORS, '07:30', 2);
  evening = await trip(CAHORS, GOURDON, '17:00', 1);
});
afterAll(async () => srv?.close());

describe('POST /api/plans with round trips', () => {
  it('assigns both legs of a round trip, and leaves the second one unserved without holding a morning seat', async () => {
    const ask = { territoryId, from: LABASTIDE, to: CAHORS, date: day, time: '07:45', returnTime: '17:00' };
    const a = await srv.api('POST', '/api/requests', ask);
    expect(a.status).toBe(201);
    const b = await srv.api('POST', '/api/requests', ask);
    expect(b.status).toBe(201);
    const r = await srv.api('POST', '/api/plans', { territoryId, from: day, to: day });
    expect(r.status).toBe(201);
    // Both have their morning seat, only one the evening seat: one round trip served, the other not at all.
    expect(r.body).toMatchObject({ openRequests: 2, served: 1, greedyServed: 1 });
    expect(r.body.servedBound).toBe(1);
    const served = r.body.assignments.map((x: any) => x.requestId)[0];
    expect([a.body.id, b.body.id]).toContain(served);
    expect(r.body.assignments.map((x: any) => [x.requestId, x.requestLeg, x.tripId])).toEqual([
      [served, 'return', evening],
      [served, 'outbound', morning],
    ]);
    const other = served === a.body.id ? b.body.id : a.body.id;
    expect(r.body.unserved).toEqual([other]);

    // Confirming the request confirms both legs: two proposed matches, the return one as the return leg.
    const c = await srv.api('POST', `/api/plans/${r.body.id}/confirm`, { requestIds: [served] });
    expect(c.status).toBe(200);
    expect(c.body.stale).toEqual([]);
    expect(c.body.confirmed.map((x: any) => x.requestLeg).sort()).toEqual(['outbound', 'return']);
    for (const x of c.body.confirmed) {
      const m = await srv.api('GET', `/api/matches/${x.matchId}`);
      expect(m.status).toBe(200);
      expect(m.body).toMatchObject({
        requestId: served,
        requestLeg: x.requestLeg,
        tripId: x.requestLeg === 'return' ? evening : morning,
      });
    }
  });
});
