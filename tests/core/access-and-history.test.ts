import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../services/src/domain/tokens.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// Holes found by probing the service (issue 12): what viewers and integration keys reach, and history kept.
const CAHORS = { lng: 1.4419, lat: 44.4475 };
const LABASTIDE = { lng: 1.5296, lat: 44.5911 };
const GOURDON = { lng: 1.3832, lat: 44.7373 };
const HOME = { lng: 1.531234, lat: 44.592345 };

let srv: TestServer;
let territoryId: number;
let driverId: number;
let tripId: number;
let viewer: string;
let integration: string;

const nextMonday = () => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7 || 7));
  return d.toISOString().slice(0, 10);
};

async function request(extra: object = {}, token?: string) {
  const r = await srv.api(
    'POST',
    '/api/requests',
    { territoryId, from: HOME, to: CAHORS, date: nextMonday(), time: '07:45', purpose: 'health', ...extra },
    token,
  );
  expect(r.status).toBe(201);
  return r.body;
}

beforeAll(async () => {
  srv = await startServer();
  territoryId = (await srv.api('POST', '/api/territories', { slug: 'lot-acces', name: 'Lot (accès)' })).body.id;
  driverId = (
    await srv.api('POST', '/api/people', {
      territoryId,
      isDriver: true,
      firstName: 'Inventé',
      lastName: 'Conducteur',
      home: GOURDON,
    })
  ).body.id;
  const trip = await srv.api('POST', '/api/trips', {
    territoryId,
    driverId,
    kind: 'regular',
    weekdays: [1, 2, 3, 4, 5],
    departureTime: '07:30',
    origin: { lng: 1.383456, lat: 44.737321 },
    destination: CAHORS,
    originLabel: '3 chemin inventé, Gourdon',
    destinationLabel: 'Cahors',
    seats: 3,
  });
  expect(trip.status).toBe(201);
  tripId = trip.body.id;
  const db = srv.booted.services.db;
  viewer = (await createToken(db, { label: 'viewer', role: 'viewer', territoryId })).token;
  integration = (await createToken(db, { label: 'partner', role: 'integration', territoryId })).token;
});
afterAll(async () => srv?.close());

describe('personal data by role', () => {
  it('gives a viewer coarse places and no note, labels, needs or route; the coordinator everything', async () => {
    const made = await request({
      note: 'dialyse 3x/semaine, fauteuil',
      fromLabel: '12 rue inventée, Labastide',
      needs: ['wheelchair'],
    });
    expect(made.proposals.length).toBeGreaterThan(0);
    const asAdmin = (await srv.api('GET', `/api/requests/${made.id}`)).body;
    expect(asAdmin.from).toEqual(HOME);
    expect(asAdmin.note).toBe('dialyse 3x/semaine, fauteuil');

    const r = await srv.api('GET', `/api/requests/${made.id}`, undefined, viewer);
    expect(r.status).toBe(200);
    expect(r.body.note).toBeNull();
    expect(r.body.fromLabel).toBeNull();
    expect(r.body.needs).toEqual([]);
    expect(r.body.from).not.toEqual(HOME);
    expect(Math.abs(r.body.from.lng - HOME.lng)).toBeLessThan(0.01);
    expect(r.body.from.lng * 100).toBeCloseTo(Math.round(r.body.from.lng * 100), 6);
    const pickup = r.body.proposals[0].pickup;
    expect(pickup.lng * 100).toBeCloseTo(Math.round(pickup.lng * 100), 6);
    const listed = (await srv.api('GET', '/api/requests', undefined, viewer)).body;
    expect(listed.every((x: { note: unknown }) => x.note === null)).toBe(true);

    const trip = (await srv.api('GET', `/api/trips/${tripId}`, undefined, viewer)).body;
    expect(trip.origin).toEqual({ lng: 1.38, lat: 44.74 });
    expect(trip.originLabel).toBeNull();
    expect(trip).not.toHaveProperty('route');
    const person = (await srv.api('GET', `/api/people/${driverId}`, undefined, viewer)).body;
    expect(person.home).toEqual({ lng: 1.38, lat: 44.74 });
    expect(person).not.toHaveProperty('lastName');
    expect((await srv.api('GET', `/api/matches/${made.proposals[0].id}/directions`, undefined, viewer)).status).toBe(403);
  });
});

describe('consent to partner apps', () => {
  it('is recorded when given or withdrawn through the people API, and unchanged when absent', async () => {
    const made = await srv.api('POST', '/api/people', { territoryId, isPassenger: true, firstName: 'Inventée', partnerAppsConsent: true });
    expect(made.status).toBe(201);
    expect(made.body.partnerAppsConsent).toBe(true);
    const id = made.body.id;
    expect((await srv.api('PUT', `/api/people/${id}`, { firstName: 'Renommée' })).body.partnerAppsConsent).toBe(true);
    expect((await srv.api('PUT', `/api/people/${id}`, { partnerAppsConsent: false })).body.partnerAppsConsent).toBe(false);
    expect((await srv.api('PUT', `/api/people/${id}`, { partnerAppsConsent: false })).status).toBe(200);
    const rows = await srv.booted.services.db.query<{ granted: boolean; source: string; text_version: string }>(
      "SELECT granted, source, text_version FROM consents WHERE person_id = $1 AND kind = 'partner_apps' ORDER BY id",
      [id],
    );
    expect(rows.rows.map((r) => r.granted)).toEqual([true, false]);
    expect(rows.rows[0].source).toBe('api:admin-token');
    expect(rows.rows[0].text_version).toMatch(/^applications-partenaires-/);
  });
});

describe('integration keys', () => {
  it('reach only the interoperability API, the search and their own requests and matches', async () => {
    const theirs = await request();
    const m = theirs.proposals[0];
    expect((await srv.api('PUT', `/api/matches/${m.id}`, { status: 'contacted' }, integration)).status).toBe(404);
    expect((await srv.api('PUT', `/api/requests/${theirs.id}`, { status: 'cancelled' }, integration)).status).toBe(404);
    expect((await srv.api('GET', `/api/requests/${theirs.id}`, undefined, integration)).status).toBe(404);
    expect((await srv.api('GET', '/api/trips', undefined, integration)).status).toBe(403);
    expect((await srv.api('GET', '/api/people', undefined, integration)).status).toBe(403);
    const unchanged = (await srv.api('GET', `/api/matches/${m.id}`)).body;
    expect(unchanged.status).toBe('proposed');
    expect((await srv.api('GET', `/api/requests/${theirs.id}`)).body.status).toBe('open');

    const own = await request({ territoryId: undefined }, integration);
    expect(own.createdBy).toMatch(/^token:/);
    const list = await srv.api('GET', '/api/requests', undefined, integration);
    expect(list.body.map((x: { id: number }) => x.id)).toEqual([own.id]);
    expect((await srv.api('PUT', `/api/requests/${own.id}`, { note: 'rappel' }, integration)).status).toBe(200);
    const ownMatch = own.proposals[0];
    const moved = await srv.api('PUT', `/api/matches/${ownMatch.id}`, { status: 'contacted' }, integration);
    expect(moved.status).toBe(200);
    const matches = await srv.api('GET', '/api/matches', undefined, integration);
    expect(matches.body.map((x: { id: number }) => x.id)).toEqual([ownMatch.id]);
    expect((await srv.api('POST', '/api/match', { from: LABASTIDE, to: CAHORS, date: nextMonday(), time: '07:45' }, integration)).status).toBe(200);
  });
});

describe('history is kept', () => {
  it('refuses to delete a request whose match went past proposed, and keeps the match and its events', async () => {
    const r = await request();
    const m = r.proposals[0];
    for (const status of ['contacted', 'accepted', 'confirmed', 'done'])
      expect((await srv.api('PUT', `/api/matches/${m.id}`, { status })).status).toBe(200);
    const del = await srv.api('DELETE', `/api/requests/${r.id}`);
    expect(del.status).toBe(409);
    expect(del.body.message).toMatch(/cancel/);
    const db = srv.booted.services.db;
    expect((await db.query('SELECT 1 FROM matches WHERE id = $1', [m.id])).rows).toHaveLength(1);
    expect((await db.query('SELECT 1 FROM match_events WHERE match_id = $1', [m.id])).rows).toHaveLength(4);
    expect((await db.query('SELECT 1 FROM requests WHERE id = $1', [r.id])).rows).toHaveLength(1);
  });

  it('deletes a request nobody acted on, with its proposals', async () => {
    const r = await request();
    expect((await srv.api('DELETE', `/api/requests/${r.id}`)).status).toBe(200);
    expect((await srv.api('GET', `/api/requests/${r.id}`)).status).toBe(404);
  });

  it('refuses to delete a driver who has trips, saying why, and changes nothing', async () => {
    const del = await srv.api('DELETE', `/api/people/${driverId}`);
    expect(del.status).toBe(409);
    expect(del.body.message).toMatch(/trip/);
    expect(del.body.message).not.toMatch(/does not exist/);
    expect((await srv.api('GET', `/api/people/${driverId}`)).status).toBe(200);
  });
});
