import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../services/src/domain/tokens.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// On the D653 north of Cahors (the Lot road graph): a trip from Gourdon passes Labastide-du-Vert on its way.
const CAHORS = { lng: 1.4419, lat: 44.4475 };
const LABASTIDE = { lng: 1.5296, lat: 44.5911 };
const GOURDON = { lng: 1.3832, lat: 44.7373 };

let srv: TestServer;
let territoryId: number;
let longTrip: number;
let shortTrip: number;
const day = (() => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7 || 7));
  return d.toISOString().slice(0, 10);
})();

async function driver() {
  const r = await srv.api('POST', '/api/people', { territoryId, isDriver: true, firstName: 'Inventé', lastName: 'Conducteur' });
  expect(r.status).toBe(201);
  return r.body.id as number;
}
async function trip(origin: object, departureTime: string) {
  const r = await srv.api('POST', '/api/trips', {
    territoryId, driverId: await driver(), kind: 'regular', weekdays: [1, 2, 3, 4, 5], departureTime,
    origin, destination: CAHORS, seats: 1,
  });
  expect(r.status).toBe(201);
  return r.body.id as number;
}

beforeAll(async () => {
  srv = await startServer();
  territoryId = (await srv.api('POST', '/api/territories', { slug: 'lot-plan', name: 'Lot (plan)' })).body.id;
  // One seat from Gourdon, one seat from Labastide a little later.
  longTrip = await trip(GOURDON, '07:30');
  shortTrip = await trip(LABASTIDE, '08:00');
});
afterAll(async () => srv?.close());

describe('POST /api/plans', () => {
  let first: number;
  let second: number;
  let planId: number;

  it('serves both callers where first come, first served leaves the second without a driver', async () => {
    // The first caller, at Labastide, is best served by the Gourdon driver passing by at 07:45, but could also ride
    // the later Labastide trip; the second, at Gourdon, has only the Gourdon driver.
    const a = await srv.api('POST', '/api/requests', { territoryId, from: LABASTIDE, to: CAHORS, date: day, time: '07:45' });
    expect(a.status).toBe(201);
    first = a.body.id;
    expect(a.body.proposals.map((p: any) => p.tripId)).toEqual([longTrip, shortTrip]);
    const b = await srv.api('POST', '/api/requests', { territoryId, from: GOURDON, to: CAHORS, date: day, time: '07:30' });
    second = b.body.id;
    expect(b.body.proposals.map((p: any) => p.tripId)).toEqual([longTrip]);

    const r = await srv.api('POST', '/api/plans', { territoryId, from: day, to: day });
    expect(r.status).toBe(201);
    planId = r.body.id;
    expect(r.body).toMatchObject({ territoryId, from: day, to: day, openRequests: 2, served: 2, greedyServed: 1, source: 'milp' });
    expect(r.body.gapPct).toBeGreaterThanOrEqual(0);
    expect(r.body.servedBound).toBe(2);
    const byRequest = Object.fromEntries(r.body.assignments.map((x: any) => [x.requestId, x]));
    expect(byRequest[first]).toMatchObject({ tripId: shortTrip, leg: 'outbound', date: day, fixed: false, matchId: null });
    expect(byRequest[second]).toMatchObject({ tripId: longTrip, leg: 'outbound', date: day });
    expect(byRequest[first].detourS).toBeGreaterThanOrEqual(0);
    // What it changes against the proposals each request had: the first caller goes to the Labastide driver.
    expect(r.body.changes).toEqual([
      { requestId: first, requestLeg: 'outbound', change: 'changed', before: { tripId: longTrip, leg: 'outbound' }, after: { tripId: shortTrip, leg: 'outbound' } },
    ]);
    expect((await srv.api('GET', `/api/plans/${planId}`)).body).toEqual(r.body);
  });

  it('confirms items as proposed matches to call, through the workflow, without touching the others', async () => {
    const bad = await srv.api('POST', `/api/plans/${planId}/confirm`, { requestIds: [999999] });
    expect(bad.status).toBe(400);
    expect(bad.body.fields[0].field).toBe('requestIds');

    const one = await srv.api('POST', `/api/plans/${planId}/confirm`, { requestIds: [first] });
    expect(one.status).toBe(200);
    expect(one.body.stale).toEqual([]);
    expect(one.body.confirmed).toHaveLength(1);
    const m = await srv.api('GET', `/api/matches/${one.body.confirmed[0].matchId}`);
    expect(m.body).toMatchObject({ requestId: first, tripId: shortTrip, status: 'proposed' });

    const all = await srv.api('POST', `/api/plans/${planId}/confirm`, {});
    expect(all.body.confirmed.map((c: any) => c.requestId)).toEqual([second]);
    const plan = (await srv.api('GET', `/api/plans/${planId}`)).body;
    expect(plan.assignments.every((x: any) => x.matchId !== null && x.confirmedAt !== null)).toBe(true);
    // Confirming again changes nothing.
    expect((await srv.api('POST', `/api/plans/${planId}/confirm`, {})).body).toEqual({ confirmed: [], stale: [] });
  });

  it('keeps an accepted match where it is in the next plan', async () => {
    const matches = (await srv.api('GET', `/api/matches?filter=${encodeURIComponent(JSON.stringify({ requestId: first }))}`)).body;
    const onLong = matches.find((x: any) => x.tripId === longTrip);
    expect((await srv.api('PUT', `/api/matches/${onLong.id}`, { status: 'accepted' })).status).toBe(200);
    const r = await srv.api('POST', '/api/plans', { territoryId, from: day, to: day });
    expect(r.status).toBe(201);
    const byRequest = Object.fromEntries(r.body.assignments.map((x: any) => [x.requestId, x]));
    expect(byRequest[first]).toMatchObject({ tripId: longTrip, fixed: true });
    // The Gourdon seat is taken: the second caller has nothing left.
    expect(r.body.unserved).toEqual([second]);
    expect(r.body.served).toBe(1);
  });

  it('refuses bad input with the fields, other roles and other territories', async () => {
    const backwards = await srv.api('POST', '/api/plans', { territoryId, from: day, to: '2020-01-01' });
    expect(backwards.status).toBe(400);
    expect(backwards.body.fields.map((f: any) => f.field)).toContain('to');
    const missing = await srv.api('POST', '/api/plans', { from: day });
    expect(missing.status).toBe(400);
    expect(missing.body.fields.map((f: any) => f.field)).toEqual(expect.arrayContaining(['territoryId', 'to']));
    const { token: viewer } = await createToken(srv.booted.services.db, { label: 'v', role: 'viewer', territoryId });
    expect((await srv.api('POST', '/api/plans', { territoryId, from: day, to: day }, viewer)).status).toBe(403);
    const other = (await srv.api('POST', '/api/territories', { slug: 'ailleurs-plan', name: 'Ailleurs' })).body.id;
    const { token: coordinator } = await createToken(srv.booted.services.db, { label: 'c', role: 'coordinator', territoryId: other });
    expect((await srv.api('POST', '/api/plans', { territoryId, from: day, to: day }, coordinator)).status).toBe(403);
    expect((await srv.api('GET', `/api/plans/${planId}`, undefined, coordinator)).status).toBe(404);
    expect((await srv.api('GET', '/api/plans/999999')).status).toBe(404);
    const wrongIds = await srv.api('POST', `/api/plans/${planId}/confirm`, { requestIds: ['x'] });
    expect(wrongIds.status).toBe(400);
    expect(wrongIds.body.fields[0].field).toMatch(/^requestIds/);
    const tooLong = await srv.api('POST', '/api/plans', { territoryId, from: day, to: '2099-12-31' });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.fields[0]).toMatchObject({ field: 'to' });
  });
});
