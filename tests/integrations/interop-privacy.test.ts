import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../services/src/domain/tokens.ts';
import { interopPlugin } from '../../services/src/interop/plugin.ts';
import { toUnix } from '../../services/src/interop/time.ts';
import { legKey } from '../../services/src/matching/legs.ts';
import { consenting, recordConsent } from '../../services/src/privacy/consents.ts';
import { exportPerson } from '../../services/src/privacy/export.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { findServedTrip } from './journey-finder.ts';
import { openapiValidator } from './openapi.ts';

const oas = openapiValidator(path.resolve(import.meta.dirname, '../../../shared/reference/standard-covoiturage/openapi.yaml'));
const TZ = 'Europe/Paris';

let srv: TestServer;
let key: string;
let trip: Awaited<ReturnType<typeof findServedTrip>>;
/** The driver of the served trip, her trip's ends, and a passenger with an open request. */
let driver: { id: number; origin: [number, number]; destination: [number, number]; legEnds: number[] };
let passenger: { id: number; request: number; from: [number, number]; to: [number, number]; date: string; timeMin: number };

const call = async (method: string, p: string, body?: unknown) => {
  const res = await fetch(`${srv.url}/interop/v1${p}`, {
    method,
    headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};
const qs = (o: Record<string, unknown>) => `?${new URLSearchParams(Object.entries(o).map(([k, v]): [string, string] => [k, String(v)]))}`;
const expectValid = (errors: string[]) => expect(errors, errors.join('\n')).toEqual([]);
const consent = (personId: number, granted: boolean) => recordConsent(srv.testDb.db, personId, 'partner_apps', granted, 'test');

/** Every number of an answer, however deep. */
const numbers = (v: unknown): number[] =>
  typeof v === 'number' ? [v] : Array.isArray(v) ? v.flatMap(numbers) : v && typeof v === 'object' ? Object.values(v).flatMap(numbers) : [];
/** The answer holds one of these coordinates to better than 10 m (4 decimals). */
const holds = (answer: unknown, coords: number[]) => numbers(answer).some((n) => coords.some((c) => Math.abs(n - c) < 1e-4));
/** Truncated as the registry does in a sparse commune: 2 decimals, towards zero. */
const coarse = (v: number) => Math.trunc(Number((v * 100).toFixed(6))) / 100;

const driverQuery = () => `/driver_journeys${qs({
  departureLng: trip.from[0], departureLat: trip.from[1], arrivalLng: trip.to[0], arrivalLat: trip.to[1],
  departureDate: toUnix(trip.date, trip.timeMin, TZ), timeDelta: 900, departureRadius: 1,
})}`;
const passengerQuery = (radiusKm: number, at = passenger.from) => `/passenger_journeys${qs({
  departureLng: at[0], departureLat: at[1], arrivalLng: passenger.to[0], arrivalLat: passenger.to[1],
  departureDate: toUnix(passenger.date, passenger.timeMin, TZ), departureRadius: radiusKm, arrivalRadius: 3,
})}`;

beforeAll(async () => {
  srv = await startServer({ demo: true, plugins: () => [interopPlugin({ INTEROP_OPERATOR: 'lot.comobi.example.org', INTEROP_RATE_LIMIT: '1000' })] });
  const db = srv.booted.services.db;
  trip = await findServedTrip(srv.booted.services);
  key = (await createToken(db, { label: 'maas.example.net', role: 'integration', territoryId: trip.territoryId })).token;
  const t = (await db.query<any>('SELECT driver_id, ST_X(origin) AS ox, ST_Y(origin) AS oy, ST_X(destination) AS dx, ST_Y(destination) AS dy FROM trips WHERE id = $1',
    [trip.tripId])).rows[0];
  // The trip's ends, and the ends of its leg as the index holds them (the route's first and last points).
  const leg = srv.booted.services.index.legs.get(legKey(trip.tripId, 'outbound'))!;
  driver = { id: t.driver_id, origin: [t.ox, t.oy], destination: [t.dx, t.dy], legEnds: [...leg.origin, ...leg.destination] };
  const r = (await db.query<any>(`SELECT r.id, r.passenger_id, ST_X(from_point) AS fx, ST_Y(from_point) AS fy, ST_X(to_point) AS tx, ST_Y(to_point) AS ty,
      date::text AS date, time_min FROM requests r WHERE status = 'open' AND date IS NOT NULL AND passenger_id IS NOT NULL AND territory_id = $1 ORDER BY id LIMIT 1`,
    [trip.territoryId])).rows[0];
  passenger = { id: r.passenger_id, request: r.id, from: [r.fx, r.fy], to: [r.tx, r.ty], date: r.date, timeMin: r.time_min };
  // The demo's places have more decimals than the truncation keeps: the test can tell them apart.
  for (const v of [...driver.origin, ...passenger.from]) expect(coarse(v)).not.toBe(v);
});
afterAll(async () => srv?.close());

describe('what operators see of people who did not consent to partner apps', () => {
  it('driver_journeys: truncated pickup and drop-off, no driver home, no polyline', async () => {
    const res = await call('GET', driverQuery());
    expect(res.status).toBe(200);
    expectValid(oas.response('/driver_journeys', 'get', 200, res.body));
    const mine = res.body.filter((j: any) => j.id.startsWith(`${trip.tripId}-`));
    expect(mine.length).toBeGreaterThan(0);
    const exact = await srv.booted.services.matcher.match({
      from: trip.from, to: trip.to, date: trip.date, weekdays: [], timeMin: trip.timeMin, timeKind: 'depart', toleranceMin: 15, seats: 1, territoryIds: null,
    });
    const p = exact.proposals.find((x) => x.tripId === trip.tripId)!;
    for (const j of mine) {
      expect(j.driverDepartureLat).toBeUndefined();
      expect(j.driverDepartureDate).toBeUndefined();
      expect(j.driverArrivalLng).toBeUndefined();
      expect(j.journeyPolyline).toBeUndefined();
      expect([j.passengerPickupLat, j.passengerPickupLng]).toEqual([coarse(p.pickup.lat), coarse(p.pickup.lng)]);
      expect(j.passengerDropLat).toBe(coarse(p.dropoff.lat));
    }
    expect(holds(res.body.filter((j: any) => j.driver.id === `driver-${driver.id}`), [...driver.origin, ...driver.destination, ...driver.legEnds, p.pickup.lat, p.pickup.lng])).toBe(false);
  });

  it('passenger_journeys: truncated ends, and a small radius around the home finds nobody', async () => {
    const res = await call('GET', passengerQuery(3));
    expect(res.status).toBe(200);
    expectValid(oas.response('/passenger_journeys', 'get', 200, res.body));
    const j = res.body.find((x: any) => x.id === `request-${passenger.request}`);
    expect(j).toBeDefined();
    expect([j.passengerPickupLng, j.passengerPickupLat]).toEqual(passenger.from.map(coarse));
    expect(holds(res.body, [...passenger.from, ...passenger.to])).toBe(false);
    // Probing: 20 m around the true home matches the truncated point's cell, not the home.
    const probe = await call('GET', passengerQuery(0.02));
    expect(probe.body.map((x: any) => x.id)).not.toContain(`request-${passenger.request}`);
  });

  it('the regular-trip searches: no exact place either', async () => {
    const day = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'][trip.weekday - 1];
    const hh = String(Math.floor(trip.timeMin / 60)).padStart(2, '0'), mm = String(trip.timeMin % 60).padStart(2, '0');
    const drivers = await call('GET', `/driver_regular_trips${qs({
      departureLng: trip.from[0], departureLat: trip.from[1], arrivalLng: trip.to[0], arrivalLat: trip.to[1], departureTimeOfDay: `${hh}:${mm}:00`, departureWeekdays: day,
    })}`);
    expect(drivers.status).toBe(200);
    const mine = drivers.body.filter((j: any) => j.driver.id === `driver-${driver.id}`);
    expect(mine.length).toBeGreaterThan(0);
    for (const j of mine) expect([j.driverDepartureLat, j.journeyPolyline]).toEqual([undefined, undefined]);
    expect(holds(mine, [...driver.origin, ...driver.destination, ...driver.legEnds])).toBe(false);
    // The demo has no regular request: one, at the passenger's places, on weekdays at 8:00.
    const reg = { fx: passenger.from[0], fy: passenger.from[1], tx: passenger.to[0], ty: passenger.to[1] };
    const rid = (await srv.testDb.db.query<any>(`INSERT INTO requests (territory_id, passenger_id, from_point, to_point, weekdays, time_min, time_kind)
      VALUES ($1, $2, ST_SetSRID(ST_MakePoint($3, $4), 4326), ST_SetSRID(ST_MakePoint($5, $6), 4326), '{1,2,3,4,5}', 480, 'depart') RETURNING id`,
      [trip.territoryId, passenger.id, reg.fx, reg.fy, reg.tx, reg.ty])).rows[0].id;
    const passengers = await call('GET', `/passenger_regular_trips${qs({
      departureLng: reg.fx, departureLat: reg.fy, arrivalLng: reg.tx, arrivalLat: reg.ty, departureTimeOfDay: '08:00:00', departureWeekdays: 'MON',
    })}`);
    expect(passengers.status).toBe(200);
    expectValid(oas.response('/passenger_regular_trips', 'get', 200, passengers.body));
    expect(passengers.body.length).toBeGreaterThan(0);
    expect(passengers.body.map((j: any) => j.passenger.id)).toContain(`passenger-${passenger.id}`);
    expect(holds(passengers.body, [reg.fx, reg.fy, reg.tx, reg.ty])).toBe(false);
    await srv.testDb.db.query(`UPDATE requests SET status = 'cancelled' WHERE id = $1`, [rid]);
  });

  it('bookings: the pickup on the driver’s route comes back truncated', async () => {
    const id = crypto.randomUUID();
    const created = await call('POST', '/bookings', {
      id, passenger: { id: 'u-9', operator: 'maas.example.net', alias: 'Sacha' }, status: 'WAITING_CONFIRMATION',
      passengerPickupDate: toUnix(trip.date, trip.timeMin, TZ), passengerPickupLat: trip.from[1], passengerPickupLng: trip.from[0],
      passengerDropLat: trip.to[1], passengerDropLng: trip.to[0], driverJourneyId: `${trip.tripId}-outbound-${trip.date}`,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expectValid(oas.response('/bookings', 'post', 201, created.body));
    const m = (await srv.testDb.db.query<any>('SELECT ST_X(m.pickup) AS x, ST_Y(m.pickup) AS y FROM interop_bookings b JOIN matches m ON m.id = b.match_id WHERE b.id = $1', [id])).rows[0];
    expect([created.body.passengerPickupLng, created.body.passengerPickupLat]).toEqual([coarse(m.x), coarse(m.y)]);
    expect(holds(created.body, [m.x, m.y, ...driver.origin, ...driver.legEnds])).toBe(false);
    await srv.testDb.db.query(`UPDATE matches SET status = 'cancelled' WHERE id = (SELECT match_id FROM interop_bookings WHERE id = $1)`, [id]);
  });
});

describe('with the consent to partner apps', () => {
  it('shows the exact places, and hides them again once the consent is withdrawn', async () => {
    await consent(driver.id, true);
    await consent(passenger.id, true);
    const d = (await call('GET', driverQuery())).body.find((j: any) => j.id.startsWith(`${trip.tripId}-`));
    expect([d.driverDepartureLng, d.driverDepartureLat, d.driverArrivalLng, d.driverArrivalLat]).toEqual(driver.legEnds);
    expect(d.journeyPolyline).toEqual(expect.any(String));
    expect(d.driverDepartureDate).toEqual(expect.any(Number));
    const p = await call('GET', passengerQuery(0.02));
    const j = p.body.find((x: any) => x.id === `request-${passenger.request}`);
    expect([j.passengerPickupLng, j.passengerPickupLat]).toEqual(passenger.from);

    await consent(driver.id, false);
    await consent(passenger.id, false);
    const again = (await call('GET', driverQuery())).body.find((j: any) => j.id.startsWith(`${trip.tripId}-`));
    expect(again.driverDepartureLat).toBeUndefined();
    expect((await call('GET', passengerQuery(0.02))).body.map((x: any) => x.id)).not.toContain(`request-${passenger.request}`);
  });

  it('is recorded like the other consents and shown in the export; an erased person has none', async () => {
    await consent(passenger.id, true);
    const rows = (await srv.testDb.db.query<any>(`SELECT granted, text_version FROM consents WHERE person_id = $1 AND kind = 'partner_apps' ORDER BY id`, [passenger.id])).rows;
    expect(rows.map((r) => r.granted)).toEqual([true, false, true]);
    expect(rows[0].text_version).toMatch(/^applications-partenaires-/);
    const exported = await exportPerson(srv.testDb.db, passenger.id);
    expect((exported!.consents as any[]).filter((c) => c.kind === 'partner_apps').map((c) => c.granted)).toEqual([true, false, true]);
    expect((await consenting(srv.testDb.db, 'partner_apps', [passenger.id])).has(passenger.id)).toBe(true);
    await srv.testDb.db.query('UPDATE people SET anonymized_at = now() WHERE id = $1', [passenger.id]);
    expect((await consenting(srv.testDb.db, 'partner_apps', [passenger.id])).has(passenger.id)).toBe(false);
  });
});
