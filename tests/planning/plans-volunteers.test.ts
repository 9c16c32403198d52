import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextWeekday } from '../../services/src/time/days.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// The Lot road graph north of Cahors: a commuter from Gourdon to Cahors passes near two hamlets 1.4 km apart (P above
// Q), each 1 to 2 km off the commuter's road: carrying a passenger from P down to Q costs them about 7 km of detour.
const CAHORS = { lng: 1.4419, lat: 44.4475 };
const GOURDON = { lng: 1.3832, lat: 44.7373 };
const P = { lng: 1.4865, lat: 44.6 };
const Q = { lng: 1.4865, lat: 44.59 };
const TUESDAY = nextWeekday(2);

let srv: TestServer;
let territoryId: number;
let tripId: number;
let volunteerId: number;
let down: number;
let up: number;
let planId: number;

async function person(firstName: string) {
  const r = await srv.api('POST', '/api/people', { territoryId, isDriver: true, firstName, lastName: 'Inventé' });
  expect(r.status).toBe(201);
  return r.body.id as number;
}
const ask = (from: object, to: object, extra: object = {}) =>
  srv.api('POST', '/api/requests', { territoryId, from, to, date: TUESDAY, time: '08:00', timeKind: 'depart', purpose: 'health', ...extra });
const kindsOf = (proposals: { kind: string; tripId: number | null; volunteerId?: number }[]) =>
  proposals.map((p) => (p.kind === 'volunteer' ? `volunteer ${p.volunteerId}` : `trip ${p.tripId}`));

beforeAll(async () => {
  srv = await startServer();
  territoryId = (await srv.api('POST', '/api/territories', { slug: 'lot-plan-vol', name: 'Lot (plan, bénévoles)' })).body.id;
  const trip = await srv.api('POST', '/api/trips', {
    territoryId, driverId: await person('Navetteur'), kind: 'regular', weekdays: [1, 2, 3, 4, 5], departureTime: '07:30',
    origin: GOURDON, destination: CAHORS, seats: 1,
  });
  expect(trip.status).toBe(201);
  tripId = trip.body.id;
  // A volunteer who lives at Q, available a quarter of an hour on Tuesdays: an outing Q → P → Q takes about 8
  // minutes, two do not fit, whatever the times within the requests' ±30 minutes.
  const v = await srv.api('POST', '/api/volunteers', {
    personId: await person('Odette'), home: Q, maxKm: 40, purposes: ['health'], slots: [{ weekday: 2, start: '07:50', end: '08:05' }],
  });
  expect(v.status, JSON.stringify(v.body)).toBe(201);
  volunteerId = v.body.id;
});
afterAll(async () => srv?.close());

describe('POST /api/plans with a volunteer', () => {
  it('gives the volunteer to the request the commuter cannot serve, where first come first served serves one', async () => {
    // The first caller goes down from P to Q at 08:00: the volunteer's whole trip (Q → P → Q, under 3 km) comes
    // before the commuter's 7 km detour in the ranked list; the commuter could take her too.
    const a = await ask(P, Q);
    expect(a.status).toBe(201);
    down = a.body.id;
    expect(kindsOf(a.body.proposals)).toEqual([`volunteer ${volunteerId}`, `trip ${tripId}`]);
    // The second goes up from Q to P at the same time: against the commuter's direction, the volunteer only.
    const b = await ask(Q, P);
    up = b.body.id;
    expect(kindsOf(b.body.proposals)).toEqual([`volunteer ${volunteerId}`]);
    const [va, vb] = [a.body.proposals[0].volunteerTrip, b.body.proposals[0].volunteerTrip];
    // The two outings (leaving home, back home) overlap: the volunteer can do one of them.
    expect(va.leaveHome < vb.backHome && vb.leaveHome < va.backHome, JSON.stringify([va, vb])).toBe(true);

    const r = await srv.api('POST', '/api/plans', { territoryId, from: TUESDAY, to: TUESDAY });
    expect(r.status).toBe(201);
    planId = r.body.id;
    expect(r.body).toMatchObject({ openRequests: 2, served: 2, greedyServed: 1, servedBound: 2, source: 'milp', unserved: [] });
    const byRequest = Object.fromEntries(r.body.assignments.map((x: any) => [x.requestId, x]));
    expect(byRequest[down]).toMatchObject({ kind: 'carpool', tripId, volunteerId: null, matchId: null });
    expect(byRequest[up]).toMatchObject({ kind: 'volunteer', tripId: null, volunteerId, matchId: null, fixed: false });
    expect(byRequest[up].leaveHome).toMatch(/^0[78]:\d\d$/);
    expect(byRequest[up].detourS).toBe(vb.durationS);
    // What it changes: the first caller goes from the volunteer to the commuter; the second keeps her best proposal.
    expect(r.body.changes).toEqual([
      { requestId: down, requestLeg: 'outbound', change: 'changed', before: { volunteerId, tripId: null, leg: 'outbound' }, after: { tripId, leg: 'outbound' } },
    ]);
    expect((await srv.api('GET', `/api/plans/${planId}`)).body).toEqual(r.body);
  });

  it('refuses to confirm when the volunteer was booked meanwhile (409), writing nothing; confirms once she is free', async () => {
    // Meanwhile a coordinator gives the volunteer a third passenger, Q → P at 07:55 sharp: she is out from 07:55 to
    // 08:03, and no other outing fits in her quarter of an hour.
    const other = await ask(Q, P, { time: '07:55', toleranceMin: 0 });
    expect(other.status).toBe(201);
    const proposed = await srv.api('POST', '/api/matches', { requestId: other.body.id, volunteerId });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
    const booking = proposed.body.id;
    expect((await srv.api('PUT', `/api/matches/${booking}`, { status: 'contacted' })).status).toBe(200);
    expect((await srv.api('PUT', `/api/matches/${booking}`, { status: 'accepted' })).status).toBe(200);

    const refused = await srv.api('POST', `/api/plans/${planId}/confirm`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.fields[0]).toMatchObject({ field: 'requestIds' });
    expect(refused.body.message).toContain('already has a trip');
    // Nothing half-written: the commuter's item, checked before, is not confirmed either.
    const after = (await srv.api('GET', `/api/plans/${planId}`)).body;
    expect(after.assignments.map((x: any) => x.matchId)).toEqual([null, null]);
    const matches = await srv.api('GET', `/api/matches?filter=${encodeURIComponent(JSON.stringify({ requestId: up }))}`);
    expect(matches.body.map((m: any) => m.status)).toEqual(['proposed']);

    // The third passenger cancels: the plan confirms both, the volunteer's as her proposed match, to call.
    expect((await srv.api('PUT', `/api/matches/${booking}`, { status: 'cancelled', reason: 'passenger_cancelled' })).status).toBe(200);
    const ok = await srv.api('POST', `/api/plans/${planId}/confirm`, {});
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.stale).toEqual([]);
    const byRequest = Object.fromEntries(ok.body.confirmed.map((c: any) => [c.requestId, c.matchId]));
    const m = await srv.api('GET', `/api/matches/${byRequest[up]}`);
    expect(m.body).toMatchObject({ requestId: up, kind: 'volunteer', volunteerId, tripId: null, status: 'proposed' });
    const c = await srv.api('GET', `/api/matches/${byRequest[down]}`);
    expect(c.body).toMatchObject({ requestId: down, kind: 'carpool', tripId, status: 'proposed' });
    // The workflow follows as for any volunteer proposal: she accepts.
    expect((await srv.api('PUT', `/api/matches/${byRequest[up]}`, { status: 'contacted' })).status).toBe(200);
    expect((await srv.api('PUT', `/api/matches/${byRequest[up]}`, { status: 'accepted' })).status).toBe(200);
    // The next plan keeps her outing where it is.
    const next = await srv.api('POST', '/api/plans', { territoryId, from: TUESDAY, to: TUESDAY });
    const kept = next.body.assignments.find((x: any) => x.requestId === up);
    expect(kept).toMatchObject({ kind: 'volunteer', volunteerId, fixed: true });
  });

  it('shifts a volunteer’s outings within the tolerance to take two passengers, and confirms them at those times', async () => {
    // Another territory: a volunteer free all morning, two passengers Q → P both at 08:00 (±30 min).
    const t = (await srv.api('POST', '/api/territories', { slug: 'lot-plan-vol2', name: 'Lot (plan, décalage)' })).body.id;
    const who = await srv.api('POST', '/api/people', { territoryId: t, isDriver: true, firstName: 'Yvette', lastName: 'Inventée' });
    const v = await srv.api('POST', '/api/volunteers', {
      personId: who.body.id, home: Q, maxKm: 40, purposes: ['health'], slots: [{ weekday: 2, start: '07:00', end: '12:00' }],
    });
    expect(v.status).toBe(201);
    const ids: number[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await srv.api('POST', '/api/requests', { territoryId: t, from: Q, to: P, date: TUESDAY, time: '08:00', purpose: 'health' });
      expect(r.body.proposals.map((p: any) => p.volunteerTrip.leaveHome)).toEqual(['08:00']);
      ids.push(r.body.id);
    }
    const plan = await srv.api('POST', '/api/plans', { territoryId: t, from: TUESDAY, to: TUESDAY });
    expect(plan.body).toMatchObject({ served: 2, greedyServed: 2, unserved: [] });
    const starts = plan.body.assignments.map((a: any) => a.leaveHome).sort();
    // One at the asked time, the other shifted by a quarter of an hour (the plan prefers the asked time).
    expect(starts.filter((x: string) => x === '08:00')).toHaveLength(1);
    expect(['07:45', '08:15']).toContain(starts.find((x: string) => x !== '08:00'));
    // Confirmed at the planned times: both can be accepted, one after the other (no 409 for overlapping hours).
    const c = await srv.api('POST', `/api/plans/${plan.body.id}/confirm`, {});
    expect(c.status).toBe(200);
    const leave: string[] = [];
    for (const { matchId } of c.body.confirmed) {
      expect((await srv.api('PUT', `/api/matches/${matchId}`, { status: 'contacted' })).status).toBe(200);
      const ok = await srv.api('PUT', `/api/matches/${matchId}`, { status: 'accepted' });
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      leave.push(ok.body.volunteerTrip.leaveHome);
    }
    expect(leave.sort()).toEqual(starts);
  });
});
