import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../services/src/auth/tokens.ts';
import { importBnlc } from '../../services/src/bnlc/import.ts';
import { bnlcPlugin } from '../../services/src/bnlc/plugin.ts';
import { interopPlugin } from '../../services/src/interop/plugin.ts';
import { toUnix } from '../../services/src/interop/time.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { findServedTrip } from './journey-finder.ts';
import { openapiValidator } from './openapi.ts';

const SPEC = path.resolve(import.meta.dirname, '../../../shared/reference/standard-covoiturage/openapi.yaml');
const oas = openapiValidator(SPEC);
const TZ = 'Europe/Paris';

let srv: TestServer;
let key: string;
let otherKey: string;
let trip: Awaited<ReturnType<typeof findServedTrip>>;

const call = async (method: string, p: string, opts: { body?: unknown; key?: string | null } = {}) => {
  const headers: Record<string, string> = {};
  const k = opts.key === undefined ? key : opts.key;
  if (k) headers['x-api-key'] = k;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${srv.url}/interop/v1${p}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
};
const qs = (o: Record<string, unknown>) => `?${new URLSearchParams(Object.entries(o).map(([k, v]): [string, string] => [k, String(v)]))}`;
const expectValid = (errors: string[]) => expect(errors, errors.join('\n')).toEqual([]);

beforeAll(async () => {
  srv = await startServer({
    demo: true,
    plugins: () => [interopPlugin({ INTEROP_OPERATOR: 'lot.comobi.example.org', INTEROP_RATE_LIMIT: '1000' }), bnlcPlugin()],
  });
  const db = srv.booted.services.db;
  await importBnlc(db, fs.readFileSync(path.resolve(import.meta.dirname, '../../../shared/data/bnlc/bnlc-2026-08-18.csv'), 'utf8'));
  trip = await findServedTrip(srv.booted.services);
  key = (await createToken(db, { label: 'maas.example.net', role: 'integration', territoryId: trip.territoryId })).token;
  otherKey = (await createToken(db, { label: 'other.example.net', role: 'integration', territoryId: trip.territoryId })).token;
});
afterAll(async () => srv?.close());

describe('standard-covoiturage searches', () => {
  it('answers GET /driver_journeys from the matching core, valid against the standard', async () => {
    const res = await call('GET', `/driver_journeys${qs({
      departureLng: trip.from[0], departureLat: trip.from[1], arrivalLng: trip.to[0], arrivalLat: trip.to[1],
      departureDate: toUnix(trip.date, trip.timeMin, TZ), timeDelta: 900, departureRadius: 50,
    })}`);
    expect(res.status).toBe(200);
    expectValid(oas.response('/driver_journeys', 'get', 200, res.body));
    const j = res.body.find((x: any) => x.id.startsWith(`${trip.tripId}-outbound-`));
    expect(j).toBeDefined();
    expect(j.operator).toBe('lot.comobi.example.org');
    expect(j.driver.alias).not.toMatch(/@|\d{6,}/);
    expect(Math.abs(j.passengerPickupDate - toUnix(trip.date, trip.timeMin, TZ))).toBeLessThanOrEqual(900 + 60);
    expect(Array.isArray(j.meetingPoints)).toBe(true);
    expect(res.headers.get('x-approximate')).toMatch(/true|false/);
  });

  it('limits with count and validates its parameters (400 naming the field)', async () => {
    const base = { departureLng: trip.from[0], departureLat: trip.from[1], arrivalLng: trip.to[0], arrivalLat: trip.to[1], departureDate: toUnix(trip.date, trip.timeMin, TZ) };
    const one = await call('GET', `/driver_journeys${qs({ ...base, count: 1 })}`);
    expect(one.body).toHaveLength(1);
    const bad = await call('GET', `/driver_journeys${qs({ ...base, departureLat: 123 })}`);
    expect(bad.status).toBe(400);
    expect(bad.body.fields[0].field).toBe('departureLat');
    expectValid(oas.response('/driver_journeys', 'get', 400, bad.body));
    const missing = await call('GET', `/driver_journeys${qs({ departureLng: 1 })}`);
    expect(missing.status).toBe(400);
  });

  it('answers GET /driver_regular_trips with schedules', async () => {
    const day = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'][trip.weekday - 1];
    const hh = String(Math.floor(trip.timeMin / 60)).padStart(2, '0'), mm = String(trip.timeMin % 60).padStart(2, '0');
    const res = await call('GET', `/driver_regular_trips${qs({
      departureLng: trip.from[0], departureLat: trip.from[1], arrivalLng: trip.to[0], arrivalLat: trip.to[1],
      departureTimeOfDay: `${hh}:${mm}:00`, departureWeekdays: day,
    })}`);
    expect(res.status).toBe(200);
    expectValid(oas.response('/driver_regular_trips', 'get', 200, res.body));
    expect(res.body.length).toBeGreaterThan(0);
    expect(res.body[0].schedules[0].passengerPickupDay).toBe(day);
  });

  it('answers GET /passenger_journeys and /passenger_regular_trips with open requests near both ends', async () => {
    const db = srv.booted.services.db;
    const r = (await db.query<any>(`SELECT ST_X(from_point) AS fx, ST_Y(from_point) AS fy, ST_X(to_point) AS tx, ST_Y(to_point) AS ty, date::text AS date, time_min, weekdays
      FROM requests WHERE status = 'open' AND date IS NOT NULL ORDER BY id LIMIT 1`)).rows[0];
    const res = await call('GET', `/passenger_journeys${qs({ departureLng: r.fx, departureLat: r.fy, arrivalLng: r.tx, arrivalLat: r.ty, departureDate: toUnix(r.date, r.time_min, TZ) })}`);
    expect(res.status).toBe(200);
    expectValid(oas.response('/passenger_journeys', 'get', 200, res.body));
    expect(res.body.length).toBeGreaterThan(0);
    expect(res.body[0].passenger.alias).toMatch(/^Passager /);
    const reg = await call('GET', `/passenger_regular_trips${qs({ departureLng: r.fx, departureLat: r.fy, arrivalLng: r.tx, arrivalLat: r.ty, departureTimeOfDay: '08:00:00', timeDelta: 86400 })}`);
    expect(reg.status).toBe(200);
    expectValid(oas.response('/passenger_regular_trips', 'get', 200, reg.body));
  });
});

describe('bookings mapped onto matches', () => {
  const booking = (id: string, driverJourneyId: string) => ({
    id,
    driver: { id: 'x', operator: 'lot.comobi.example.org', alias: 'x' },
    passenger: { id: 'u-42', operator: 'maas.example.net', alias: 'Camille' },
    status: 'WAITING_CONFIRMATION',
    price: { type: 'FREE' },
    passengerPickupDate: toUnix(trip.date, trip.timeMin, TZ),
    passengerPickupLat: trip.from[1], passengerPickupLng: trip.from[0],
    passengerDropLat: trip.to[1], passengerDropLng: trip.to[0],
    driverJourneyId,
  });

  it('creates, reads, confirms, completes and validates a booking; each answer is a valid Booking', async () => {
    const id = crypto.randomUUID();
    const body = booking(id, `${trip.tripId}-outbound-${trip.date}`);
    expectValid(oas.request('/bookings', 'post', body));
    const created = await call('POST', '/bookings', { body });
    expect(created.status).toBe(201);
    expectValid(oas.response('/bookings', 'post', 201, created.body));
    expect(created.body.status).toBe('WAITING_CONFIRMATION');

    const match = (await srv.booted.services.db.query<any>('SELECT m.status FROM interop_bookings b JOIN matches m ON m.id = b.match_id WHERE b.id = $1', [id])).rows[0];
    expect(match.status).toBe('proposed');

    const got = await call('GET', `/bookings/${id}`);
    expect(got.status).toBe(200);
    expectValid(oas.response('/bookings/{bookingId}', 'get', 200, got.body));

    for (const status of ['CONFIRMED', 'COMPLETED_PENDING_VALIDATION', 'VALIDATED']) {
      const p = await call('PATCH', `/bookings/${id}?status=${status}&message=ok`);
      expect(p.status, JSON.stringify(p.body)).toBe(200);
      expect(p.body.status).toBe(status);
    }
    const again = await call('PATCH', `/bookings/${id}?status=VALIDATED`);
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('status_already_set');
    const events = await srv.booted.services.db.query<any>('SELECT to_status FROM match_events e JOIN interop_bookings b ON b.match_id = e.match_id WHERE b.id = $1 ORDER BY e.id', [id]);
    expect(events.rows.map((e) => e.to_status)).toEqual(['accepted', 'confirmed', 'done']);
  });

  it('cancels, refuses impossible moves, hides bookings from other operators, 404 on unknown ids', async () => {
    const id = crypto.randomUUID();
    expect((await call('POST', '/bookings', { body: booking(id, `${trip.tripId}-outbound-${trip.date}`) })).status).toBe(201);
    expect((await call('POST', '/bookings', { body: booking(id, `${trip.tripId}-outbound-${trip.date}`) })).status).toBe(409);
    expect((await call('PATCH', `/bookings/${id}?status=COMPLETED_PENDING_VALIDATION`)).status).toBe(409);
    expect((await call('GET', `/bookings/${id}`, { key: otherKey })).status).toBe(404);
    const c = await call('PATCH', `/bookings/${id}?status=CANCELLED`);
    expect(c.body.status).toBe('CANCELLED');
    const unknown = await call('GET', `/bookings/${crypto.randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('missing_booking');
    expect((await call('POST', '/bookings', { body: booking(crypto.randomUUID(), '999999-outbound-2026-09-07') })).body.error).toBe('missing_journey');
    const noJourney = await call('POST', '/bookings', { body: { ...booking(crypto.randomUUID(), 'x'), driverJourneyId: undefined } });
    expect(noJourney.status).toBe(400);
    expect(noJourney.body.fields[0].field).toBe('driverJourneyId');
  });
});

describe('keys and rate limits', () => {
  it('needs an integration key; /status is open', async () => {
    expect((await call('GET', '/status', { key: null })).status).toBe(200);
    expect((await call('GET', '/driver_journeys', { key: null })).status).toBe(401);
    expect((await call('GET', '/driver_journeys', { key: 'cmb_wrong' })).status).toBe(401);
    const viewer = (await createToken(srv.booted.services.db, { label: 'v', role: 'viewer', territoryId: trip.territoryId })).token;
    expect((await call('GET', '/driver_journeys', { key: viewer })).status).toBe(403);
  });

  it('answers 429 with Retry-After past the limit, counted in the database', async () => {
    const limited = await startServer({ testDb: srv.testDb, plugins: () => [interopPlugin({ INTEROP_RATE_LIMIT: '3' })] });
    try {
      const k = (await createToken(srv.booted.services.db, { label: 'burst.example.net', role: 'integration', territoryId: trip.territoryId })).token;
      const statuses: number[] = [];
      // Two servers on one database: the counter is shared, as between replicas.
      for (const url of [limited.url, limited.url, srv.url, limited.url, srv.url]) {
        const res = await fetch(`${url}/interop/v1/bookings/${crypto.randomUUID()}`, { headers: { 'x-api-key': k } });
        statuses.push(res.status);
        if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      // The two servers have different limits (3 and 1000): only the limited one refuses, once the shared count is past 3.
      expect(statuses.slice(0, 3)).toEqual([404, 404, 404]);
      expect(statuses[3]).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
