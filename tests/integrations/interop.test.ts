import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../services/src/domain/tokens.ts';
import { importBnlc } from '../../services/src/bnlc/import.ts';
import { bnlcPlugin } from '../../services/src/bnlc/plugin.ts';
import { interopPlugin } from '../../services/src/interop/plugin.ts';
import { publicPlugin } from '../../services/src/public/plugin.ts';
import { decodePolyline } from '../../services/src/routing/osrm-endpoints.ts';
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
  const body = text ? JSON.parse(text) : undefined;
  // Every answer of an operation of the standard, errors included, is one its document describes.
  const op = oas.operationOf(method, p);
  if (op) expectValid(oas.answer(op, method.toLowerCase(), res.status, body), `${method} ${p} → ${res.status} ${text}`);
  return { status: res.status, headers: res.headers, body };
};
const qs = (o: Record<string, unknown>) => `?${new URLSearchParams(Object.entries(o).map(([k, v]): [string, string] => [k, String(v)]))}`;
const expectValid = (errors: string[], what = '') => expect(errors, `${what}\n${errors.join('\n')}`).toEqual([]);

beforeAll(async () => {
  srv = await startServer({
    demo: true,
    plugins: () => [interopPlugin({ INTEROP_OPERATOR: 'lot.comobi.example.org', INTEROP_RATE_LIMIT: '1000' }), bnlcPlugin(), publicPlugin({ RETENTION_JOB: 'off' })],
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

describe('optional journey fields: distance, duration, polyline, deep link, price', () => {
  // Exact places and the polyline are shown for drivers who consented to partner apps only (interop-privacy.test.ts).
  const everyDriver = (granted: boolean) =>
    srv.booted.services.db.query(`INSERT INTO consents (person_id, kind, granted, text_version, source)
      SELECT id, 'partner_apps', $1, 'test', 'test' FROM people WHERE is_driver`, [granted]);
  beforeAll(() => everyDriver(true));
  afterAll(() => everyDriver(false));
  const metres = (a: [number, number], b: [number, number]) => {
    const k = Math.PI / 180, x = (b[0] - a[0]) * k * Math.cos(((a[1] + b[1]) / 2) * k), y = (b[1] - a[1]) * k;
    return Math.hypot(x, y) * 6_371_000;
  };
  /** The passenger's part: routed pickup → drop-off, its polyline from one to the other, a link our page accepts. */
  const checkPassage = async (j: any, expectDate: string | null) => {
    const pickup: [number, number] = [j.passengerPickupLng, j.passengerPickupLat], drop: [number, number] = [j.passengerDropLng, j.passengerDropLat];
    const direct = await srv.booted.services.router.route([pickup, drop]);
    expect(j.distance).toBe(Math.round(direct.distanceM));
    expect(j.duration).toBe(Math.round(direct.durationS));
    expect(j.distance).toBeGreaterThanOrEqual(Math.floor(metres(pickup, drop)));
    const line = decodePolyline(j.journeyPolyline);
    expect(line.length).toBeGreaterThan(1);
    expect(metres(line[0], pickup)).toBeLessThan(500);
    expect(metres(line[line.length - 1], drop)).toBeLessThan(500);
    const url = new URL(j.webUrl);
    expect(url.origin).toBe('https://lot.comobi.example.org');
    expect(url.pathname).toBe('/t/lot/chercher');
    expect(url.searchParams.get('date')).toBe(expectDate);
    expect(url.searchParams.get('sens')).toBe('depart');
    expect(url.searchParams.get('heure')).toMatch(/^\d{2}:\d{2}$/);
    // The link lands on our public form, whose commune list holds the pickup's and drop-off's communes.
    const page = await fetch(`${srv.url}${url.pathname}${url.search}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Je cherche un trajet');
    for (const k of ['depart', 'arrivee']) expect(html).toContain(`value="${url.searchParams.get(k)}"`);
  };

  it('fills them on driver journeys, valid against the standard, price FREE', async () => {
    const res = await call('GET', `/driver_journeys${qs({
      departureLng: trip.from[0], departureLat: trip.from[1], arrivalLng: trip.to[0], arrivalLat: trip.to[1],
      departureDate: toUnix(trip.date, trip.timeMin, TZ), timeDelta: 900, departureRadius: 50, count: 3,
    })}`);
    expect(res.status).toBe(200);
    expectValid(oas.response('/driver_journeys', 'get', 200, res.body));
    expect(res.headers.get('x-approximate')).toBe('false');
    expect(res.body.length).toBeGreaterThan(0);
    for (const j of res.body) {
      expect(j.price).toEqual({ type: 'FREE' });
      expectValid(oas.schema('Price', j.price));
      await checkPassage(j, trip.date);
    }
  });

  it('fills them on driver regular trips (no date in the link, no price: DriverTrip has none)', async () => {
    const day = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'][trip.weekday - 1];
    const hh = String(Math.floor(trip.timeMin / 60)).padStart(2, '0'), mm = String(trip.timeMin % 60).padStart(2, '0');
    const res = await call('GET', `/driver_regular_trips${qs({
      departureLng: trip.from[0], departureLat: trip.from[1], arrivalLng: trip.to[0], arrivalLat: trip.to[1],
      departureTimeOfDay: `${hh}:${mm}:00`, departureWeekdays: day, count: 2,
    })}`);
    expect(res.status).toBe(200);
    expectValid(oas.response('/driver_regular_trips', 'get', 200, res.body));
    expect(res.body.length).toBeGreaterThan(0);
    for (const j of res.body) {
      expect(j.price).toBeUndefined();
      await checkPassage(j, null);
    }
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
    expect((await call('GET', `/bookings/${id}`, { key: otherKey })).status).toBe(404);
    const c = await call('PATCH', `/bookings/${id}?status=CANCELLED`);
    expect(c.body.status).toBe('CANCELLED');
    // A cancelled booking does not come back: 400 with the reason (the document keeps 409 for status_already_set).
    const back = await call('PATCH', `/bookings/${id}?status=CONFIRMED`);
    expect(back.status).toBe(400);
    expect(back.body).toMatchObject({ error: 'status_not_allowed', fields: [{ field: 'status' }] });
    expect((await call('PATCH', `/bookings/${id}?status=CANCELLED`)).body.error).toBe('status_already_set');
    const unknown = await call('GET', `/bookings/${crypto.randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('missing_booking');
  });
});

describe('keys and rate limits', () => {
  it('needs an integration key; /status is open', async () => {
    expect((await call('GET', '/status', { key: null })).status).toBe(200);
    expect((await call('GET', '/driver_journeys', { key: null })).status).toBe(401);
    expect((await call('GET', '/driver_journeys', { key: 'cmb_wrong' })).status).toBe(401);
    const viewer = (await createToken(srv.booted.services.db, { label: 'v', role: 'viewer', territoryId: trip.territoryId })).token;
    // Another role's key is no key here: 401, the status the document has for it (it lists no 403).
    const asViewer = await call('GET', '/driver_journeys', { key: viewer });
    expect(asViewer.status).toBe(401);
    expect(asViewer.body.message).toMatch(/integration/);
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

describe('booking events (POST /booking_events) mapped onto matches', () => {
  const db = () => srv.booted.services.db;
  const newBooking = async () => {
    const id = crypto.randomUUID();
    const res = await call('POST', '/bookings', { body: {
      id, passenger: { id: 'u-7', operator: 'maas.example.net', alias: 'Dominique' }, price: { type: 'FREE' },
      passengerPickupDate: toUnix(trip.date, trip.timeMin, TZ), passengerPickupLat: trip.from[1], passengerPickupLng: trip.from[0],
      passengerDropLat: trip.to[1], passengerDropLng: trip.to[0], driverJourneyId: `${trip.tripId}-outbound-${trip.date}`,
    } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return id;
  };
  /** A CarpoolBookingEvent carrying a PassengerCarpoolBooking, checked against the document before it is sent. */
  const event = (bookingId: string, status: string, id: string = crypto.randomUUID()) => {
    const body = {
      id, idToken: 'eyJhbGciOiJSUzI1NiJ9.e30.sig',
      data: {
        id: bookingId, status, webUrl: `https://maas.example.net/bookings/${bookingId}`,
        passengerPickupDate: toUnix(trip.date, trip.timeMin, TZ), passengerPickupLat: trip.from[1], passengerPickupLng: trip.from[0],
        passengerDropLat: trip.to[1], passengerDropLng: trip.to[0],
        passenger: { id: 'u-7', operator: 'maas.example.net', alias: 'Dominique' },
      },
    };
    expectValid(oas.request('/booking_events', 'post', body));
    return body;
  };
  const matchOf = async (bookingId: string) =>
    (await db().query<any>('SELECT m.id, m.status, m.status_reason FROM interop_bookings b JOIN matches m ON m.id = b.match_id WHERE b.id = $1', [bookingId])).rows[0];
  const eventsOf = async (matchId: number) =>
    (await db().query<any>('SELECT to_status, reason, note FROM match_events WHERE match_id = $1 ORDER BY id', [matchId])).rows;
  const outcome = async (operator: string, id: string) =>
    (await db().query<any>('SELECT outcome, booking_id, match_id FROM interop_booking_events WHERE operator = $1 AND id = $2', [operator, id])).rows[0];

  it('moves the match through the workflow, answers a bare 200, and a replay changes nothing', async () => {
    const bid = await newBooking();
    const confirm = event(bid, 'CONFIRMED');
    const res = await call('POST', '/booking_events', { body: confirm });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toBeUndefined();
    const m = await matchOf(bid);
    expect(m.status).toBe('confirmed');
    expect((await eventsOf(m.id)).map((e) => e.to_status)).toEqual(['accepted', 'confirmed']);
    expect((await eventsOf(m.id))[1].note).toContain(confirm.id);
    expect(await outcome('maas.example.net', confirm.id)).toMatchObject({ outcome: 'applied', booking_id: bid, match_id: m.id });

    // The same event again (a new ID token is allowed): same answer, no second move.
    expect((await call('POST', '/booking_events', { body: { ...confirm, idToken: 'renewed' } })).status).toBe(200);
    expect(await eventsOf(m.id)).toHaveLength(2);
    // The same id with another content is refused.
    const reused = await call('POST', '/booking_events', { body: { ...confirm, data: { ...confirm.data, status: 'CANCELLED' } } });
    expect(reused.status).toBe(400);
    expect(reused.body.fields[0].field).toBe('id');
    expectValid(oas.response('/booking_events', 'post', 400, reused.body));
    expect((await matchOf(bid)).status).toBe('confirmed');

    // An older status arriving late is acknowledged and recorded as stale.
    const late = event(bid, 'WAITING_CONFIRMATION');
    expect((await call('POST', '/booking_events', { body: late })).status).toBe(200);
    expect((await outcome('maas.example.net', late.id)).outcome).toBe('stale');
    expect((await matchOf(bid)).status).toBe('confirmed');

    for (const status of ['COMPLETED_PENDING_VALIDATION', 'VALIDATED']) expect((await call('POST', '/booking_events', { body: event(bid, status) })).status).toBe(200);
    expect((await matchOf(bid)).status).toBe('done');
    expect((await call('GET', `/bookings/${bid}`)).body.status).toBe('VALIDATED');

    // Cancelling a trip done is not a move the workflow allows: 400, the same on a replay, nothing changes.
    const cancel = event(bid, 'CANCELLED');
    for (let i = 0; i < 2; i++) {
      const r = await call('POST', '/booking_events', { body: cancel });
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('status_not_allowed');
      expect(r.body.fields[0].field).toBe('data.status');
      expectValid(oas.response('/booking_events', 'post', 400, r.body));
    }
    expect((await outcome('maas.example.net', cancel.id)).outcome).toBe('refused');
    expect((await matchOf(bid)).status).toBe('done');
  });

  it('cancels with the coded reason, and applies one event once when it is delivered many times at once', async () => {
    const bid = await newBooking();
    const confirm = event(bid, 'CONFIRMED');
    const answers = await Promise.all(Array.from({ length: 6 }, () => call('POST', '/booking_events', { body: confirm })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const m = await matchOf(bid);
    expect((await eventsOf(m.id)).map((e) => e.to_status)).toEqual(['accepted', 'confirmed']);
    expect((await call('POST', '/booking_events', { body: event(bid, 'CANCELLED') })).status).toBe(200);
    const after = await matchOf(bid);
    expect(after).toMatchObject({ status: 'cancelled', status_reason: 'passenger_cancelled' });
    expect((await call('GET', `/bookings/${bid}`)).body.status).toBe('CANCELLED');
  });

  it('acknowledges events about bookings it does not hold (other operators included) without touching matches', async () => {
    const bid = await newBooking();
    const foreign = event(bid, 'CANCELLED');
    expect((await call('POST', '/booking_events', { body: foreign, key: otherKey })).status).toBe(200);
    expect((await outcome('other.example.net', foreign.id)).outcome).toBe('unknown_booking');
    expect((await matchOf(bid)).status).toBe('proposed');
    // A DriverCarpoolBooking with the operator's own booking id (not a UUID): recorded, nothing to map.
    const driverSide = { ...event(bid, 'CONFIRMED'), data: { ...event(bid, 'CONFIRMED').data, id: 'ext-booking-981', passenger: undefined,
      driver: { id: 'd-1', operator: 'maas.example.net', alias: 'Claude' }, price: { type: 'PAYING', amount: 3.5, currency: 'EUR' } } };
    expectValid(oas.request('/booking_events', 'post', driverSide));
    expect((await call('POST', '/booking_events', { body: driverSide })).status).toBe(200);
    expect((await outcome('maas.example.net', driverSide.id)).outcome).toBe('unknown_booking');
  });

  it('validates the event as the document does: 400 naming the field', async () => {
    const bid = await newBooking();
    const good = event(bid, 'CONFIRMED');
    const cases: [unknown, string][] = [
      [{ ...good, idToken: undefined }, 'idToken'],
      [{ ...good, id: 'not-a-uuid' }, 'id'],
      [{ ...good, data: { ...good.data, webUrl: undefined } }, 'data.webUrl'],
      [{ ...good, data: { ...good.data, status: 'DONE' } }, 'data.status'],
      // Both a driver booking (driver, price) and a passenger booking: the document's oneOf refuses it.
      [{ ...good, data: { ...good.data, driver: { id: 'd', operator: 'maas.example.net', alias: 'D' }, price: { type: 'FREE' } } }, 'data'],
    ];
    for (const [body, field] of cases) {
      expect(oas.request('/booking_events', 'post', body).length, field).toBeGreaterThan(0);
      const r = await call('POST', '/booking_events', { body });
      expect(r.status, field).toBe(400);
      expect(r.body.fields.map((f: any) => f.field), field).toContain(field);
    }
    expect((await matchOf(bid)).status).toBe('proposed');
    expect((await call('POST', '/booking_events', { body: good, key: null })).status).toBe(401);
  });
});

describe('messages (POST /messages) for the coordinators', () => {
  const db = () => srv.booted.services.db;
  const OP = 'lot.comobi.example.org';
  const from = { id: 'u-42', operator: 'maas.example.net', alias: 'Camille', firstName: 'Camille' };
  let coordinator: string;
  let bookingId: string;
  let driverId: number;
  let matchId: number;

  beforeAll(async () => {
    coordinator = (await createToken(db(), { label: 'coord', role: 'coordinator', territoryId: trip.territoryId })).token;
    bookingId = crypto.randomUUID();
    const res = await call('POST', '/bookings', { body: {
      id: bookingId, passenger: from, price: { type: 'FREE' },
      passengerPickupDate: toUnix(trip.date, trip.timeMin, TZ), passengerPickupLat: trip.from[1], passengerPickupLng: trip.from[0],
      passengerDropLat: trip.to[1], passengerDropLng: trip.to[0], driverJourneyId: `${trip.tripId}-outbound-${trip.date}`,
    } });
    expect(res.status).toBe(201);
    driverId = Number(res.body.driver.id.replace('driver-', ''));
    matchId = (await db().query<any>('SELECT match_id FROM interop_bookings WHERE id = $1', [bookingId])).rows[0].match_id;
  });
  const message = (over: Record<string, unknown> = {}): Record<string, unknown> => {
    const body = { from, to: { id: `driver-${driverId}`, operator: OP, alias: `Conducteur ${driverId}` }, message: 'Bonjour, je serai à l’arrêt à 7 h 30. 06 00 00 00 00',
      recipientCarpoolerType: 'DRIVER', bookingId, ...over };
    return body;
  };

  it('stores a message about a booking (201, no body) and shows it to the territory’s coordinators by match, audited', async () => {
    const body = message();
    expectValid(oas.request('/messages', 'post', body));
    const res = await call('POST', '/messages', { body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toBeUndefined();

    const before = (await db().query<any>(`SELECT count(*)::int AS n FROM audit_log WHERE subject_type = 'interop_message'`)).rows[0].n;
    const list = await srv.api('GET', `/api/interop-messages?filter=${encodeURIComponent(JSON.stringify({ matchId }))}`, undefined, coordinator);
    expect(list.status).toBe(200);
    expect(list.headers.get('content-range')).toBe('interop-messages 0-0/1');
    expect(list.body[0]).toMatchObject({ matchId, bookingId, tripId: trip.tripId, recipientType: 'DRIVER', recipientPersonId: driverId,
      operator: 'maas.example.net', message: body.message, from });
    const audit = (await db().query<any>(`SELECT actor_role, subject_id, fields, territory_id FROM audit_log WHERE subject_type = 'interop_message' ORDER BY id`)).rows;
    expect(audit).toHaveLength(before + 1);
    expect(audit.at(-1)).toMatchObject({ actor_role: 'coordinator', subject_id: list.body[0].id, territory_id: trip.territoryId });
    const one = await srv.api('GET', `/api/interop-messages/${list.body[0].id}`, undefined, coordinator);
    expect(one.body.message).toBe(body.message);
    expect((await db().query<any>(`SELECT count(*)::int AS n FROM audit_log WHERE subject_type = 'interop_message'`)).rows[0].n).toBe(before + 2);
  });

  it('is readable by coordinators only, and only in their territory', async () => {
    expect((await srv.api('GET', '/api/interop-messages')).status).toBe(403);
    const integration = (await createToken(db(), { label: 'int', role: 'integration', territoryId: trip.territoryId })).token;
    expect((await srv.api('GET', '/api/interop-messages', undefined, integration)).status).toBe(403);
    const other = (await db().query<any>(`INSERT INTO territories (slug, name) VALUES ('ailleurs', 'Ailleurs') RETURNING id`)).rows[0].id;
    const stranger = (await createToken(db(), { label: 'coord2', role: 'coordinator', territoryId: other })).token;
    const seen = await srv.api('GET', `/api/interop-messages?filter=${encodeURIComponent(JSON.stringify({ matchId }))}`, undefined, stranger);
    expect(seen.status).toBe(200);
    expect(seen.body).toEqual([]);
    const id = (await db().query<any>('SELECT id FROM interop_messages ORDER BY id LIMIT 1')).rows[0].id;
    expect((await srv.api('GET', `/api/interop-messages/${id}`, undefined, stranger)).status).toBe(404);
    expect((await srv.api('GET', '/api/interop-messages?filter={"nope":1}', undefined, coordinator)).status).toBe(400);
  });

  it('links a message to a driver journey or a passenger journey', async () => {
    const byJourney = message({ bookingId: undefined, driverJourneyId: `${trip.tripId}-outbound-${trip.date}` });
    expect((await call('POST', '/messages', { body: byJourney })).status).toBe(201);
    const list = await srv.api('GET', `/api/interop-messages?filter=${encodeURIComponent(JSON.stringify({ tripId: trip.tripId }))}&sort=["id","DESC"]`, undefined, coordinator);
    expect(list.body[0]).toMatchObject({ tripId: trip.tripId, matchId: null, driverJourneyId: byJourney.driverJourneyId });

    const r = (await db().query<any>(`SELECT id, passenger_id FROM requests WHERE status = 'open' AND passenger_id IS NOT NULL AND territory_id = $1 ORDER BY id LIMIT 1`, [trip.territoryId])).rows[0];
    const toPassenger = message({ bookingId: undefined, recipientCarpoolerType: 'PASSENGER', passengerJourneyId: `request-${r.id}`,
      to: { id: `passenger-${r.passenger_id}`, operator: OP, alias: `Passager ${r.passenger_id}` } });
    expectValid(oas.request('/messages', 'post', toPassenger));
    expect((await call('POST', '/messages', { body: toPassenger })).status).toBe(201);
    const byRequest = await srv.api('GET', `/api/interop-messages?filter=${encodeURIComponent(JSON.stringify({ requestId: r.id }))}`, undefined, coordinator);
    expect(byRequest.body).toHaveLength(1);
    expect(byRequest.body[0]).toMatchObject({ recipientType: 'PASSENGER', recipientPersonId: r.passenger_id });
  });

  it('answers 404 for a person, journey or booking that is not ours, 400 naming the field otherwise; stores nothing then', async () => {
    const count = async () => (await db().query<any>('SELECT count(*)::int AS n FROM interop_messages')).rows[0].n;
    const n = await count();
    const notFound: [Record<string, unknown>, string][] = [
      [{ to: { id: 'driver-99999999', operator: OP, alias: 'x' }, bookingId: undefined }, 'missing_user'],
      [{ bookingId: crypto.randomUUID() }, 'missing_booking'],
      [{ bookingId: undefined, driverJourneyId: '999999-outbound-2026-09-07' }, 'missing_journey'],
    ];
    for (const [over, code] of notFound) {
      const r = await call('POST', '/messages', { body: message(over) });
      expect(r.status, code).toBe(404);
      expect(r.body.error).toBe(code);
    }
    // The booking belongs to maas.example.net: another operator cannot write about it.
    expect((await call('POST', '/messages', { body: message({ from: { ...from, operator: 'other.example.net' } }), key: otherKey })).body.error).toBe('missing_booking');
    const bad: [Record<string, unknown>, string][] = [
      [{ message: 'x'.repeat(501) }, 'message'],
      [{ message: '  ' }, 'message'],
      [{ recipientCarpoolerType: undefined }, 'recipientCarpoolerType'],
      [{ recipientCarpoolerType: 'PASSENGER' }, 'recipientCarpoolerType'],
      [{ from: { ...from, operator: 'someone-else.example.com' } }, 'from.operator'],
      [{ to: { id: `driver-${driverId}`, operator: 'elsewhere.example.com', alias: 'x' } }, 'to.operator'],
    ];
    for (const [over, field] of bad) {
      const r = await call('POST', '/messages', { body: message(over) });
      expect(r.status, field).toBe(400);
      expect(r.body.fields[0].field, field).toBe(field);
      expectValid(oas.response('/messages', 'post', 400, r.body));
    }
    expect(await count()).toBe(n);
  });
});

describe('conformance with operators’ tools (issue 18)', () => {
  const db = () => srv.booted.services.db;
  /** The trip's day `weeks` later: bookings of each test hold seats on a day of their own. */
  const weeksLater = (weeks: number) => {
    const d = new Date(`${trip.date}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 7 * weeks);
    return d.toISOString().slice(0, 10);
  };
  const bookingOn = (date: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
    id: crypto.randomUUID(),
    passenger: { id: 'u-9', operator: 'maas.example.net', alias: 'Sacha' },
    status: 'WAITING_CONFIRMATION',
    price: { type: 'FREE' },
    passengerPickupDate: toUnix(date, trip.timeMin, TZ),
    passengerPickupLat: trip.from[1], passengerPickupLng: trip.from[0],
    passengerDropLat: trip.to[1], passengerDropLng: trip.to[0],
    driverJourneyId: `${trip.tripId}-outbound-${date}`,
    ...over,
  });
  const matchStatus = async (bookingId: string) =>
    (await db().query<any>('SELECT m.id, m.status FROM interop_bookings b JOIN matches m ON m.id = b.match_id WHERE b.id = $1', [bookingId])).rows[0];
  const walked = async (matchId: number) =>
    (await db().query<any>('SELECT to_status FROM match_events WHERE match_id = $1 ORDER BY id', [matchId])).rows.map((e) => e.to_status);

  it('accepts booking ids of any 8-4-4-4-12 hexadecimal shape (no RFC 4122 version or variant bits) and refuses anything else', async () => {
    const date = weeksLater(1);
    // Version nibble 0 and variant nibble 0: not an RFC 4122 UUID, what operators' tooling produces all the same.
    const id = 'abcdef01-2345-0789-0abc-def012345678';
    const created = await call('POST', '/bookings', { body: bookingOn(date, { id }) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.id).toBe(id);
    expect((await call('GET', `/bookings/${id}`)).status).toBe(200);
    expect((await call('GET', `/bookings/${id.toUpperCase()}`)).body.id).toBe(id);
    expect((await call('PATCH', `/bookings/${id}?status=CONFIRMED`)).body.status).toBe('CONFIRMED');
    // A booking event about it (data.id) is applied to the match, and a message may name it.
    const event = {
      id: 'fedcba98-7654-0321-0fed-cba987654321', idToken: 'eyJhbGciOiJSUzI1NiJ9.e30.sig',
      data: { ...bookingOn(date, { id }), driverJourneyId: undefined, price: undefined, webUrl: `https://maas.example.net/b/${id}`, status: 'CANCELLED' },
    };
    expect((await call('POST', '/booking_events', { body: event })).status).toBe(200);
    expect((await matchStatus(id)).status).toBe('cancelled');
    const driver = created.body.driver;
    const msg = await call('POST', '/messages', { body: {
      from: { id: 'u-9', operator: 'maas.example.net', alias: 'Sacha' }, to: driver, message: 'Bonjour', recipientCarpoolerType: 'DRIVER', bookingId: id,
    } });
    expect(msg.status, JSON.stringify(msg.body)).toBe(201);

    for (const bad of ['not-a-uuid', 'abcdef0123450789abcdef012345678a', '{abcdef01-2345-0789-0abc-def012345678}', 'abcdef01-2345-0789-0abc-def01234567g']) {
      const post = await call('POST', '/bookings', { body: bookingOn(date, { id: bad }) });
      expect(post.status, bad).toBe(400);
      expect(post.body.fields.map((f: any) => f.field), bad).toContain('id');
      for (const method of ['GET', 'PATCH']) {
        const r = await call(method, `/bookings/${encodeURIComponent(bad)}${method === 'PATCH' ? '?status=CONFIRMED' : ''}`);
        expect(r.status, `${method} ${bad}`).toBe(400);
        expect(r.body.fields[0].field).toBe('bookingId');
      }
      const ev = await call('POST', '/booking_events', { body: { ...event, id: bad } });
      expect(ev.status, bad).toBe(400);
      expect(ev.body.fields[0].field).toBe('id');
    }
  });

  it('allows every status change the standard allows, walking the match workflow: WAITING_CONFIRMATION → COMPLETED_PENDING_VALIDATION, → VALIDATED', async () => {
    const date = weeksLater(2);
    const completed = bookingOn(date);
    expect((await call('POST', '/bookings', { body: completed })).status).toBe(201);
    const done = await call('PATCH', `/bookings/${completed.id}?status=COMPLETED_PENDING_VALIDATION`);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.status).toBe('COMPLETED_PENDING_VALIDATION');
    const m = await matchStatus(completed.id as string);
    expect(m.status).toBe('done');
    expect(await walked(m.id)).toEqual(['accepted', 'confirmed', 'done']);

    const validated = bookingOn(date);
    expect((await call('POST', '/bookings', { body: validated })).status).toBe(201);
    const v = await call('PATCH', `/bookings/${validated.id}?status=VALIDATED`);
    expect(v.status, JSON.stringify(v.body)).toBe(200);
    expect(v.body.status).toBe('VALIDATED');
    expect(await walked((await matchStatus(validated.id as string)).id)).toEqual(['accepted', 'confirmed', 'done']);

    // The same moves told by a booking event.
    const told = bookingOn(date);
    expect((await call('POST', '/bookings', { body: told })).status).toBe(201);
    const event = { id: crypto.randomUUID(), idToken: 't', data: { ...told, driverJourneyId: undefined, price: undefined, webUrl: 'https://maas.example.net/b', status: 'VALIDATED' } };
    expectValid(oas.request('/booking_events', 'post', event));
    expect((await call('POST', '/booking_events', { body: event })).status).toBe(200);
    expect((await call('GET', `/bookings/${told.id}`)).body.status).toBe('VALIDATED');
  });

  it('answers POST /bookings with the statuses the document lists for it: 400 with the code for a duplicate id, a journey gone or no longer fitting', async () => {
    const date = weeksLater(3);
    const first = bookingOn(date);
    expect((await call('POST', '/bookings', { body: first })).status).toBe(201);
    const twice = await call('POST', '/bookings', { body: first });
    expect(twice.status).toBe(400);
    expect(twice.body).toMatchObject({ error: 'booking_exists', fields: [{ field: 'id' }] });
    // Five hours later, the driver is long gone.
    const late = await call('POST', '/bookings', { body: bookingOn(date, { passengerPickupDate: toUnix(date, trip.timeMin + 300, TZ) }) });
    expect(late.status).toBe(400);
    expect(late.body).toMatchObject({ error: 'journey_unavailable', fields: [{ field: 'driverJourneyId' }] });
    const gone = await call('POST', '/bookings', { body: bookingOn(date, { driverJourneyId: `999999-outbound-${date}` }) });
    expect(gone.status).toBe(400);
    expect(gone.body).toMatchObject({ error: 'missing_journey', fields: [{ field: 'driverJourneyId' }] });
    expect((await call('POST', '/bookings', { body: bookingOn(date, { driverJourneyId: 'elsewhere-42' }) })).body.error).toBe('missing_journey');
    // Every operation's statuses, as the document lists them (the call helper checks each answer against it).
    expect(Object.keys(oas.doc.paths['/bookings'].post.responses)).not.toContain('409');
  });

  it('books without driverJourneyId (optional in the standard) by matching the passenger’s points and time', async () => {
    const date = weeksLater(4);
    const driverId = (await db().query<any>('SELECT driver_id FROM trips WHERE id = $1', [trip.tripId])).rows[0].driver_id;
    const body = bookingOn(date, { driverJourneyId: undefined, driver: { id: `driver-${driverId}`, operator: 'lot.comobi.example.org', alias: 'x' } });
    expectValid(oas.request('/bookings', 'post', body));
    const res = await call('POST', '/bookings', { body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.driver.id).toBe(`driver-${driverId}`);
    expect(res.body.driverJourneyId).toMatch(new RegExp(`^\\d+-(outbound|return)-${date}$`));
    const anyDriver = await call('POST', '/bookings', { body: bookingOn(date, { driverJourneyId: undefined }) });
    expect(anyDriver.status).toBe(201);
    // Nobody drives there at 3 a.m.: the answer says what to send.
    const none = await call('POST', '/bookings', { body: bookingOn(date, { driverJourneyId: undefined, passengerPickupDate: toUnix(date, 180, TZ) }) });
    expect(none.status).toBe(400);
    expect(none.body.error).toBe('journey_unavailable');
    expect(none.body.message).toMatch(/driverJourneyId.*GET \/driver_journeys/);
  });

  it('accepts the empty strings and zeros generated clients and the standard’s examples put in optional fields', async () => {
    const date = weeksLater(5);
    const blank = { firstName: '', lastName: '', picture: '', gender: '', grade: 0 };
    const body = bookingOn(date, {
      passenger: { id: 'u-10', operator: 'maas.example.net', alias: 'Lou', ...blank },
      passengerPickupAddress: '', passengerDropAddress: '', driverJourneyId: '', passengerJourneyId: '', webUrl: '',
      distance: 0, duration: 0, price: { type: 'FREE', amount: 0, currency: '' }, car: { model: '', brand: '' },
    });
    const res = await call('POST', '/bookings', { body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.passengerPickupAddress).toBeUndefined();
    expect(res.body.passengerJourneyId).toBeUndefined();
    expect(res.body.price.type).toBe('FREE');

    const event = { id: crypto.randomUUID(), idToken: 't', data: {
      id: res.body.id, status: 'CONFIRMED', webUrl: '', passengerPickupDate: body.passengerPickupDate, passengerPickupLat: trip.from[1],
      passengerPickupLng: trip.from[0], passengerDropLat: trip.to[1], passengerDropLng: trip.to[0], passengerPickupAddress: '', passengerDropAddress: '',
      distance: 0, duration: 0, passenger: { id: 'u-10', operator: 'maas.example.net', alias: 'Lou', ...blank }, driver: '', price: '', car: '',
    } };
    const ev = await call('POST', '/booking_events', { body: event });
    expect(ev.status, JSON.stringify(ev.body)).toBe(200);
    expect((await matchStatus(res.body.id)).status).toBe('confirmed');

    const msg = await call('POST', '/messages', { body: {
      from: { id: 'u-10', operator: 'maas.example.net', alias: 'Lou', ...blank }, to: res.body.driver, message: 'Bonjour',
      recipientCarpoolerType: 'DRIVER', bookingId: '', driverJourneyId: '', passengerJourneyId: '',
    } });
    expect(msg.status, JSON.stringify(msg.body)).toBe(201);
    // Empty is absent, not anything: a value that is there is still checked.
    const wrong = await call('POST', '/bookings', { body: { ...body, id: crypto.randomUUID(), price: { type: 'CHEAP' } } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.fields[0].field).toBe('price.type');
  });

  it('takes departureRadius=0, timeDelta=0 (the document sets no minimum) and departureWeekdays in both OpenAPI forms', async () => {
    const base = { departureLng: trip.from[0], departureLat: trip.from[1], arrivalLng: trip.to[0], arrivalLat: trip.to[1] };
    for (const path of ['/driver_journeys', '/passenger_journeys']) {
      const r = await call('GET', `${path}${qs({ ...base, departureDate: toUnix(trip.date, trip.timeMin, TZ), departureRadius: 0, arrivalRadius: 0, timeDelta: 0 })}`);
      expect(r.status, `${path} ${JSON.stringify(r.body)}`).toBe(200);
    }
    const wide = await call('GET', `/driver_journeys${qs({ ...base, departureDate: toUnix(trip.date, trip.timeMin, TZ), departureRadius: 50.5 })}`);
    expect(wide.status).toBe(400);
    expect(wide.body.fields[0].field).toBe('departureRadius');

    const day = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'][trip.weekday - 1];
    const other = day === 'SUN' ? 'SAT' : 'SUN';
    const hh = String(Math.floor(trip.timeMin / 60)).padStart(2, '0'), mm = String(trip.timeMin % 60).padStart(2, '0');
    const common = qs({ ...base, departureTimeOfDay: `${hh}:${mm}:00` });
    const exploded = await call('GET', `/driver_regular_trips${common}&departureWeekdays=${other}&departureWeekdays=${day}`);
    const joined = await call('GET', `/driver_regular_trips${common}&departureWeekdays=${other},${day}`);
    expect(exploded.status, JSON.stringify(exploded.body)).toBe(200);
    expect(joined.status).toBe(200);
    expect(exploded.body.length).toBeGreaterThan(0);
    expect(exploded.body).toEqual(joined.body);
    const passengers = await call('GET', `/passenger_regular_trips${common}&departureWeekdays=MON&departureWeekdays=TUE`);
    expect(passengers.status).toBe(200);
    const bad = await call('GET', `/driver_regular_trips${common}&departureWeekdays=MON&departureWeekdays=XYZ`);
    expect(bad.status).toBe(400);
    expect(bad.body.fields[0].field).toMatch(/^departureWeekdays/);
  });
});

describe('the interoperability API’s own OpenAPI document (/interop/v1/openapi.json)', () => {
  it('ships the standard’s document unchanged (the copy the service reads is the reference’s)', async () => {
    const shipped = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../services/src/interop/standard/openapi.json'), 'utf8'));
    expect(shipped).toEqual(oas.doc);
  });

  it('serves the standard’s document with this server’s URL, keys and limits, linked from /api/openapi.json', async () => {
    const res = await call('GET', '/openapi.json', { key: null });
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.servers).toEqual([{ url: `${srv.url}/interop/v1`, description: 'lot.comobi.example.org' }]);
    expect(Object.keys(doc.paths).sort()).toEqual(Object.keys(oas.doc.paths).sort());
    // The standard's schemas, word for word but for the booking id's note on what this server accepts.
    expect({ ...doc.components.schemas, bookingId: undefined }).toEqual({ ...oas.doc.components.schemas, bookingId: undefined });
    expect(doc.components.schemas.bookingId.description).toMatch(/8-4-4-4-12/);
    expect(doc.components.parameters.departureRadius.schema).toMatchObject({ type: 'number', minimum: 0, maximum: 50 });
    expect(doc.components.parameters.timeDelta.schema).toMatchObject({ minimum: 0, maximum: 86400 });
    // The standard's default for this array is a string (openapi-spec-validator refuses it): served as an array.
    expect(doc.components.parameters.departureWeekdays.schema.default).toEqual(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN']);
    expect(doc.components.responses.TooManyRequests.description).toContain('1000 requests per minute');
    expect(doc.components.securitySchemes.apiKey).toEqual({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    // It is a document a client can be built from: every answer of this file is valid against it as well.
    const served = openapiValidator(doc);
    const journeys = await call('GET', `/driver_journeys${qs({
      departureLng: trip.from[0], departureLat: trip.from[1], arrivalLng: trip.to[0], arrivalLat: trip.to[1], departureDate: toUnix(trip.date, trip.timeMin, TZ),
    })}`);
    expectValid(served.answer('/driver_journeys', 'get', journeys.status, journeys.body));
    // The limits it publishes are the ones enforced.
    const at = async (departureRadius: number) => (await call('GET', `/driver_journeys${qs({
      departureLng: trip.from[0], departureLat: trip.from[1], arrivalLng: trip.to[0], arrivalLat: trip.to[1], departureDate: toUnix(trip.date, trip.timeMin, TZ), departureRadius,
    })}`)).status;
    expect(await at(doc.components.parameters.departureRadius.schema.maximum)).toBe(200);
    expect(await at(doc.components.parameters.departureRadius.schema.maximum + 0.1)).toBe(400);

    const api = await srv.api('GET', '/api/openapi.json', undefined, null);
    expect(api.body.paths['/interop/v1/openapi.json'].get.externalDocs.url).toBe('/interop/v1/openapi.json');
  });
});

describe('documented answers when the workflow says no', () => {
  it('answers PATCH with 400 and the reason when the last seat is taken (409 is for status_already_set only)', async () => {
    const db = srv.booted.services.db;
    const seats = (await db.query<any>('SELECT seats FROM trips WHERE id = $1', [trip.tripId])).rows[0].seats as number;
    const d = new Date(`${trip.date}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 7 * 6);
    const date = d.toISOString().slice(0, 10);
    // One booking more than seats, all proposed while the seats are free; then each confirmed in turn.
    const ids: string[] = [];
    for (let i = 0; i <= seats; i++) {
      const id = crypto.randomUUID();
      const res = await call('POST', '/bookings', { body: {
        id, passenger: { id: `u-s${i}`, operator: 'maas.example.net', alias: 'S' }, status: 'WAITING_CONFIRMATION', price: { type: 'FREE' },
        passengerPickupDate: toUnix(date, trip.timeMin, TZ), passengerPickupLat: trip.from[1], passengerPickupLng: trip.from[0],
        passengerDropLat: trip.to[1], passengerDropLng: trip.to[0], driverJourneyId: `${trip.tripId}-outbound-${date}`,
      } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      ids.push(id);
    }
    for (const id of ids.slice(0, seats)) expect((await call('PATCH', `/bookings/${id}?status=CONFIRMED`)).status).toBe(200);
    const full = await call('PATCH', `/bookings/${ids[seats]}?status=CONFIRMED`);
    expect(full.status).toBe(400);
    expect(full.body.error).toBe('status_not_allowed');
    expect(full.body.message).toMatch(/no free seat/);
    expect((await call('GET', `/bookings/${ids[seats]}`)).body.status).toBe('WAITING_CONFIRMATION');
  });
});
