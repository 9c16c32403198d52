import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../services/src/domain/tokens.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// Two villages on the D653 north of Cahors and Cahors itself: a real axis of the Lot road graph.
const CAHORS = { lng: 1.4419, lat: 44.4475 };
const LABASTIDE = { lng: 1.5296, lat: 44.5911 }; // Labastide-du-Vert area, towards Gourdon
const GOURDON = { lng: 1.3832, lat: 44.7373 };

let srv: TestServer;
let territoryId: number;
let other: number;

const nextMonday = () => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7 || 7));
  return d.toISOString().slice(0, 10);
};

beforeAll(async () => {
  srv = await startServer();
  const t = await srv.api('POST', '/api/territories', { slug: 'lot-test', name: 'Lot (test)' });
  expect(t.status).toBe(201);
  territoryId = t.body.id;
  other = (await srv.api('POST', '/api/territories', { slug: 'other', name: 'Ailleurs' })).body.id;
});
afterAll(async () => srv?.close());

async function driver(tid = territoryId, extra: object = {}) {
  const r = await srv.api('POST', '/api/people', { territoryId: tid, isDriver: true, firstName: 'Inventé', lastName: 'Conducteur', ...extra });
  expect(r.status).toBe(201);
  return r.body.id as number;
}

describe('health and auth', () => {
  it('answers health once the index is loaded', async () => {
    const r = await srv.api('GET', '/health', undefined, null);
    expect(r).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('refuses the API without a token, with a wrong token, and stores tokens hashed', async () => {
    expect((await srv.api('GET', '/api/trips', undefined, null)).status).toBe(401);
    const bad = await srv.api('GET', '/api/trips', undefined, 'nope');
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ error: 'unauthorized' });
    const { token } = await createToken(srv.booted.services.db, { label: 't', role: 'coordinator', territoryId });
    const stored = await srv.booted.services.db.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
    expect(stored.rows.map((r) => r.token_hash)).not.toContain(token);
    expect((await srv.api('GET', '/api/trips', undefined, token)).status).toBe(200);
  });

  it('serves an OpenAPI document', async () => {
    const r = await srv.api('GET', '/api/openapi.json', undefined, null);
    expect(r.status).toBe(200);
    expect(r.body.openapi).toMatch(/^3\./);
    expect(Object.keys(r.body.paths)).toContain('/api/match');
  });
});

describe('trips, index and matching', () => {
  let driverId: number;
  let tripId: number;

  it('computes the route of a new trip with the router and indexes it at once', async () => {
    driverId = await driver(territoryId, { directContactConsent: true });
    const r = await srv.api('POST', '/api/trips', {
      territoryId, driverId, kind: 'regular', weekdays: [1, 2, 3, 4, 5], departureTime: '07:30', returnTime: '17:30',
      origin: GOURDON, destination: CAHORS, originLabel: 'Gourdon', destinationLabel: 'Cahors', seats: 1,
    });
    expect(r.status).toBe(201);
    tripId = r.body.id;
    expect(r.body.distanceM).toBeGreaterThan(30_000);
    expect(r.body.durationS).toBeGreaterThan(1200);
    expect(r.body.route.type).toBe('LineString');
    expect(r.body.route.coordinates.length).toBeGreaterThan(5);
    expect(r.body.returnRoute.type).toBe('LineString');
    expect(srv.booted.services.index.legs.size).toBe(2);
  });

  it('finds the driver for a short passenger trip on a long commute, with pickup, drop-off and detour', async () => {
    const r = await srv.api('POST', '/api/match', {
      from: LABASTIDE, to: CAHORS, date: nextMonday(), time: '07:45', timeKind: 'depart', territoryId,
    });
    expect(r.status).toBe(200);
    expect(r.body.approximate).toBe(false);
    expect(r.body.proposals).toHaveLength(1);
    const p = r.body.proposals[0];
    expect(p).toMatchObject({ tripId, driverId, leg: 'outbound', directContact: true });
    expect(p.pickup.time).toMatch(/^0[78]:\d\d$/);
    expect(p.dropoff.time > p.pickup.time).toBe(true);
    expect(p.detourS).toBeGreaterThanOrEqual(0);
    expect(p.detourS).toBeLessThanOrEqual(15 * 60);
    expect(p.score).toBeGreaterThan(0);
  });

  it('offers the nearest carpool areas as meeting points beside door-to-door pickup', async () => {
    await srv.booted.services.db.query(
      `INSERT INTO carpool_areas (id, name, insee, type, updated_on, open, geom)
       VALUES ('test-aire-1', 'Aire inventée du Vert', '46138', 'Aire de covoiturage', '2026-01-01', true,
               ST_SetSRID(ST_MakePoint($1, $2), 4326)),
              ('test-aire-far', 'Aire lointaine', '46102', 'Aire de covoiturage', '2026-01-01', true,
               ST_SetSRID(ST_MakePoint(2.03, 44.6), 4326))`,
      [LABASTIDE.lng + 0.01, LABASTIDE.lat],
    );
    const r = await srv.api('POST', '/api/match', { from: LABASTIDE, to: CAHORS, date: nextMonday(), time: '07:45', territoryId });
    expect(r.body.meetingPoints.pickup.map((a: any) => a.id)).toEqual(['test-aire-1']);
    expect(r.body.meetingPoints.pickup[0].distanceM).toBeGreaterThan(500);
    expect(r.body.meetingPoints.pickup[0].distanceM).toBeLessThan(1200);
    expect(r.body.meetingPoints.dropoff).toEqual([]);
  });

  it('matches the return leg in the evening and never the wrong direction', async () => {
    const evening = await srv.api('POST', '/api/match', { from: CAHORS, to: LABASTIDE, date: nextMonday(), time: '17:40', territoryId });
    expect(evening.body.proposals.map((p: any) => [p.tripId, p.leg])).toEqual([[tripId, 'return']]);
    const morningWrongWay = await srv.api('POST', '/api/match', { from: CAHORS, to: LABASTIDE, date: nextMonday(), time: '07:40', territoryId });
    expect(morningWrongWay.body.proposals).toEqual([]);
  });

  it('filters by day and time window', async () => {
    const monday = nextMonday();
    const sunday = new Date(Date.parse(monday) - 86_400_000).toISOString().slice(0, 10);
    const onSunday = await srv.api('POST', '/api/match', { from: LABASTIDE, to: CAHORS, date: sunday, time: '07:45', territoryId });
    expect(onSunday.body.proposals).toEqual([]);
    const atNoon = await srv.api('POST', '/api/match', { from: LABASTIDE, to: CAHORS, date: monday, time: '12:00', territoryId });
    expect(atNoon.body.proposals).toEqual([]);
    const arriveBy = await srv.api('POST', '/api/match', { from: LABASTIDE, to: CAHORS, date: monday, time: '08:30', timeKind: 'arrive', territoryId });
    expect(arriveBy.body.proposals).toHaveLength(1);
  });

  it('keeps another territory out of the answer and out of reach of its tokens', async () => {
    const { token } = await createToken(srv.booted.services.db, { label: 'other', role: 'integration', territoryId: other });
    const r = await srv.api('POST', '/api/match', { from: LABASTIDE, to: CAHORS, date: nextMonday(), time: '07:45' }, token);
    expect(r.status).toBe(200);
    expect(r.body.proposals).toEqual([]);
    const { token: viewer } = await createToken(srv.booted.services.db, { label: 'other viewer', role: 'viewer', territoryId: other });
    expect((await srv.api('GET', `/api/trips/${tripId}`, undefined, viewer)).status).toBe(404);
    const list = await srv.api('GET', '/api/trips', undefined, viewer);
    expect(list.body).toEqual([]);
    expect(list.headers.get('content-range')).toBe('trips 0-0/0');
    const forced = await srv.api('POST', '/api/match', { from: LABASTIDE, to: CAHORS, date: nextMonday(), time: '07:45', territoryId }, token);
    expect(forced.status).toBe(403);
  });

  it('hides personal fields from integrations and audits coordinator reads', async () => {
    const { token: integ } = await createToken(srv.booted.services.db, { label: 'i', role: 'integration', territoryId });
    // Integrations use the interoperability API; people are not theirs to read.
    expect((await srv.api('GET', `/api/people/${driverId}`, undefined, integ)).status).toBe(403);
    const { token: viewer } = await createToken(srv.booted.services.db, { label: 'v', role: 'viewer', territoryId });
    const asViewer = await srv.api('GET', `/api/people/${driverId}`, undefined, viewer);
    expect(asViewer.status).toBe(200);
    expect(asViewer.body).not.toHaveProperty('lastName');
    expect(asViewer.body).not.toHaveProperty('phone');
    const { token: coord } = await createToken(srv.booted.services.db, { label: 'c', role: 'coordinator', territoryId });
    const res = await fetch(`${srv.url}/api/people/${driverId}`, { headers: { authorization: `Bearer ${coord}`, 'x-access-reason': 'request:7' } });
    expect(((await res.json()) as { lastName: string }).lastName).toBe('Conducteur');
    const audit = await srv.booted.services.db.query<any>("SELECT * FROM audit_log WHERE subject_id = $1 AND reason = 'request:7'", [driverId]);
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]).toMatchObject({ action: 'read_personal', subject_type: 'person', actor_role: 'coordinator' });
    expect(audit.rows[0].fields).toContain('phone');
  });

  it('stores proposals with a request and walks the match workflow, holding seats', async () => {
    const date = nextMonday();
    const passenger = (await srv.api('POST', '/api/people', { territoryId, isPassenger: true, firstName: 'Inventée', phone: '06 39 98 00 01' })).body.id;
    const req = await srv.api('POST', '/api/requests', { territoryId, passengerId: passenger, from: LABASTIDE, to: CAHORS, date, time: '07:45', purpose: 'health' });
    expect(req.status).toBe(201);
    expect(req.body.proposals).toHaveLength(1);
    const m = req.body.proposals[0];
    expect(m).toMatchObject({ status: 'proposed', tripId, requestId: req.body.id });

    const skip = await srv.api('PUT', `/api/matches/${m.id}`, { status: 'done' });
    expect(skip.status).toBe(409);
    expect(skip.body.fields[0].field).toBe('status');
    const declineNoReason = await srv.api('PUT', `/api/matches/${m.id}`, { status: 'declined' });
    expect(declineNoReason.status).toBe(400);
    expect(declineNoReason.body.fields[0].field).toBe('reason');

    for (const status of ['contacted', 'accepted', 'confirmed']) {
      const r = await srv.api('PUT', `/api/matches/${m.id}`, { status, note: `étape ${status}` });
      expect(r.status).toBe(200);
      expect(r.body.status).toBe(status);
      expect(r.body.statusChangedBy).toBe('admin-token');
    }
    const shown = await srv.api('GET', `/api/matches/${m.id}`);
    expect(shown.body.events.map((e: any) => e.to)).toEqual(['contacted', 'accepted', 'confirmed']);
    expect((await srv.api('GET', `/api/requests/${req.body.id}`)).body.status).toBe('matched');

    // The trip has one seat: it is now full for that date, so a second passenger finds nobody.
    const full = await srv.api('POST', '/api/match', { from: LABASTIDE, to: CAHORS, date, time: '07:45', territoryId });
    expect(full.body.proposals).toEqual([]);
    const req2 = await srv.api('POST', '/api/requests', { territoryId, from: LABASTIDE, to: CAHORS, date, time: '07:45', storeProposals: false });
    const m2 = await srv.booted.services.db.query<{ id: number }>(
      `INSERT INTO matches (territory_id, request_id, trip_id, date, pickup, dropoff, pickup_min, dropoff_min, detour_m, detour_s, score)
       SELECT territory_id, $1, $2, $3, pickup, dropoff, pickup_min, dropoff_min, 0, 0, 0.5 FROM matches WHERE id = $4 RETURNING id`,
      [req2.body.id, tripId, date, m.id],
    );
    const over = await srv.api('PUT', `/api/matches/${m2.rows[0].id}`, { status: 'accepted' });
    expect(over.status).toBe(409);
    expect(over.body.message).toMatch(/seat/);

    const done = await srv.api('PUT', `/api/matches/${m.id}`, { status: 'done' });
    expect(done.body.status).toBe('done');
    expect((await srv.api('GET', `/api/requests/${req.body.id}`)).body.status).toBe('served');
  });

  it("gives the driver's detour turn by turn in French", async () => {
    const { body: list } = await srv.api('GET', `/api/matches?filter=${encodeURIComponent(JSON.stringify({ tripId }))}`);
    const r = await srv.api('GET', `/api/matches/${list[0].id}/directions`);
    expect(r.status).toBe(200);
    expect(r.body.legs.map((l: any) => l.title)).toHaveLength(3);
    expect(r.body.geometry.coordinates.length).toBeGreaterThan(5);
    const all = r.body.legs.flatMap((l: any) => l.instructions).join(' ');
    expect(all).toMatch(/Vous êtes arrivé/);
    expect(r.body.legs[0].instructions[0]).toMatch(/^Se diriger vers le (nord|sud|est|ouest)/);
  });

  it('lets a coordinator pair a request with a trip, checked by the same rules, and delete it while proposed', async () => {
    const req = await srv.api('POST', '/api/requests', { territoryId, from: CAHORS, to: LABASTIDE, date: nextMonday(), time: '17:40', storeProposals: false });
    expect(req.body.proposals).toEqual([]);
    const m = await srv.api('POST', '/api/matches', { requestId: req.body.id, tripId });
    expect(m.status).toBe(201);
    expect(m.body).toMatchObject({ requestId: req.body.id, tripId, leg: 'return', status: 'proposed' });
    const wrongWay = await srv.api('POST', '/api/requests', { territoryId, from: CAHORS, to: GOURDON, date: nextMonday(), time: '07:40', storeProposals: false });
    const refused = await srv.api('POST', '/api/matches', { requestId: wrongWay.body.id, tripId });
    expect(refused.status).toBe(409);
    expect(refused.body.fields[0].field).toBe('tripId');
    expect((await srv.api('POST', '/api/matches', { requestId: 999999, tripId })).status).toBe(404);
    expect((await srv.api('DELETE', `/api/matches/${m.body.id}`)).status).toBe(200);
    expect((await srv.api('GET', `/api/matches/${m.body.id}`)).status).toBe(404);
  });

  it('lists with react-admin conventions', async () => {
    const r = await srv.api('GET', `/api/people?sort=${encodeURIComponent('["id","DESC"]')}&range=${encodeURIComponent('[0,1]')}&filter=${encodeURIComponent(JSON.stringify({ territoryId }))}`);
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(2);
    expect(r.body[0].id).toBeGreaterThan(r.body[1].id);
    expect(r.headers.get('content-range')).toMatch(/^people 0-1\/\d+$/);
    const byPhone = await srv.api('GET', `/api/people?filter=${encodeURIComponent('{"phone":"0639980001"}')}`);
    expect(byPhone.body.map((p: any) => p.firstName)).toEqual(['Inventée']);
    const dup = await srv.api('POST', '/api/people', { territoryId, isPassenger: true, phone: '06.39.98.00.01' });
    expect(dup.status).toBe(409);
    expect(dup.body.existingId).toBe(byPhone.body[0].id);
  });

  it("fetches records by id on every resource (react-admin's getMany), joined lists included", async () => {
    for (const resource of ['territories', 'people', 'trips', 'requests', 'matches']) {
      const all = await srv.api('GET', `/api/${resource}?range=${encodeURIComponent('[0,1]')}`);
      expect(all.status, resource).toBe(200);
      const ids = all.body.map((r: { id: number }) => r.id);
      expect(ids.length, resource).toBeGreaterThan(0);
      const some = await srv.api('GET', `/api/${resource}?filter=${encodeURIComponent(JSON.stringify({ id: ids }))}`);
      expect(some.status, resource).toBe(200);
      expect(some.body.map((r: { id: number }) => r.id).sort(), resource).toEqual([...ids].sort());
    }
  });

  it('removes a deleted trip from the index', async () => {
    const d = await driver();
    const t = await srv.api('POST', '/api/trips', { territoryId, driverId: d, kind: 'oneoff', date: nextMonday(), departureTime: '07:30', origin: GOURDON, destination: CAHORS });
    expect(srv.booted.services.index.legs.has(t.body.id * 2)).toBe(true);
    expect((await srv.api('DELETE', `/api/trips/${t.body.id}`)).status).toBe(200);
    expect(srv.booted.services.index.legs.has(t.body.id * 2)).toBe(false);
    expect((await srv.api('GET', `/api/trips/${t.body.id}`)).status).toBe(404);
  });
});

describe('bad input', () => {
  const base = { from: LABASTIDE, to: CAHORS, date: '2026-12-07', time: '07:45' };
  const cases: [string, unknown, string][] = [
    ['latitude out of range', { ...base, from: { lng: 1.5, lat: 95 } }, 'from.lat'],
    ['longitude out of range', { ...base, to: { lng: 200, lat: 44 } }, 'to.lng'],
    ['impossible date', { ...base, date: '2026-02-30' }, 'date'],
    ['badly formed date', { ...base, date: '07/12/2026' }, 'date'],
    ['bad time', { ...base, time: '25:10' }, 'time'],
    ['unknown time kind', { ...base, timeKind: 'whenever' }, 'timeKind'],
    ['missing destination', { ...base, to: undefined }, 'to'],
    ['neither date nor weekdays', { ...base, date: undefined }, 'date'],
    ['text instead of number', { ...base, seats: 'two' }, 'seats'],
  ];
  for (const [name, body, field] of cases) {
    it(`400 naming ${field}: ${name}`, async () => {
      const r = await srv.api('POST', '/api/match', body);
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('invalid_input');
      expect(r.body.fields.map((f: any) => f.field)).toContain(field);
    });
  }

  it('rejects malformed JSON, huge bodies and wrong content types with JSON errors', async () => {
    const malformed = await srv.api('POST', '/api/match', '{"from": {"lng": 1,');
    expect(malformed.status).toBe(400);
    expect(malformed.body.fields[0].field).toBe('(body)');
    const huge = await srv.api('POST', '/api/match', JSON.stringify({ ...base, padding: 'x'.repeat(2_000_000) }));
    expect(huge.status).toBe(413);
    expect(huge.body.error).toBe('payload_too_large');
  });

  it('names unknown ids and invalid list parameters', async () => {
    expect((await srv.api('GET', '/api/trips/999999')).status).toBe(404);
    const wrongMethod = await srv.api('PATCH', '/api/trips');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body.error).toBe('method_not_allowed');
    expect((await srv.api('GET', '/api/nothing-here')).body.error).toBe('not_found');
    expect((await srv.api('GET', '/api/trips/abc')).body.fields[0].field).toBe('id');
    const badDriver = await srv.api('POST', '/api/trips', { territoryId, driverId: 999999, kind: 'oneoff', date: '2026-12-07', departureTime: '07:30', origin: GOURDON, destination: CAHORS });
    expect(badDriver.status).toBe(400);
    expect(badDriver.body.fields[0].field).toBe('driverId');
    expect((await srv.api('GET', '/api/trips?sort=["nope","ASC"]')).body.fields[0].field).toBe('sort');
    expect((await srv.api('GET', '/api/trips?range=[5,1]')).body.fields[0].field).toBe('range');
    expect((await srv.api('GET', '/api/trips?filter={"color":"red"}')).body.fields[0].field).toBe('filter.color');
    expect((await srv.api('GET', '/api/trips?filter=nope')).body.fields[0].field).toBe('filter');
    const badStatus = await srv.api('PUT', '/api/requests/999999', { status: 'unserved' });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.fields[0].field).toBe('unservedReason');
  });

  it('writes nothing when a request fails half-way', async () => {
    const before = await srv.booted.services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM requests');
    const r = await srv.api('POST', '/api/requests', { territoryId, passengerId: 999999, ...base });
    expect(r.status).toBe(400);
    expect(r.body.fields[0].field).toBe('passengerId');
    const after = await srv.booted.services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM requests');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });
});
