import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowanceEur, DEFAULT_COST_RULES, participationEur } from '../../services/src/domain/costs.ts';
import { matchVolunteers, WAITS_UP_TO_MIN } from '../../services/src/matching/volunteers.ts';
import type { LngLat } from '../../services/src/routing/types.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// Real places of the Lot road graph: a village north of Cahors, Cahors (the hospital), Gourdon.
const LABASTIDE = { lng: 1.5296, lat: 44.5911 };
const CAHORS = { lng: 1.4419, lat: 44.4475 };
const GOURDON = { lng: 1.3832, lat: 44.7373 };
/** The volunteers live a little outside the village. */
const HOME = { lng: 1.5105, lat: 44.6032 };
const TUESDAY = '2027-03-09';
const WEDNESDAY = '2027-03-10';

let srv: TestServer;
let slugs = 0;

beforeAll(async () => {
  srv = await startServer();
});
afterAll(async () => srv?.close());

const ll = (p: { lng: number; lat: number }): LngLat => [p.lng, p.lat];

async function territory() {
  const r = await srv.api('POST', '/api/territories', { slug: `vol-${++slugs}`, name: `Bénévoles ${slugs}` });
  expect(r.status).toBe(201);
  return r.body.id as number;
}

async function volunteer(territoryId: number, extra: object = {}, first = 'Inventé') {
  const p = await srv.api('POST', '/api/people', { territoryId, isDriver: true, firstName: first, lastName: 'Bénévole' });
  const v = await srv.api('POST', '/api/volunteers', {
    personId: p.body.id,
    home: HOME,
    maxKm: 40,
    purposes: ['health', 'shopping'],
    slots: [{ weekday: 2, start: '07:00', end: '13:00' }],
    ...extra,
  });
  expect(v.status, JSON.stringify(v.body)).toBe(201);
  return v.body.id as number;
}

const ask = (territoryId: number, extra: object = {}) =>
  srv.api('POST', '/api/match', { territoryId, from: LABASTIDE, to: CAHORS, date: TUESDAY, time: '09:00', purpose: 'health', ...extra });

const volunteersIn = (body: { proposals: { kind: string; volunteerId?: number }[] }) =>
  body.proposals.filter((p) => p.kind === 'volunteer').map((p) => p.volunteerId);

/** Road metres and seconds between two points, from the service's own router. */
async function road(a: LngLat, b: LngLat) {
  const t = await srv.booted.services.router.table([a], [b]);
  return { m: t.distancesM[0][0]!, s: t.durationsS[0][0]! };
}

describe('a volunteer’s whole trip, on real roads', () => {
  it('is proposed beside commuters with the trip home → pickup → destination → home and both amounts', async () => {
    const t = await territory();
    const v = await volunteer(t);
    const r = await ask(t);
    expect(r.status).toBe(200);
    expect(r.body.approximate).toBe(false);
    expect(r.body.proposals).toHaveLength(1);
    const p = r.body.proposals[0];
    const [a, b, c] = await Promise.all([road(ll(HOME), ll(LABASTIDE)), road(ll(LABASTIDE), ll(CAHORS)), road(ll(CAHORS), ll(HOME))]);
    expect(p).toMatchObject({ kind: 'volunteer', volunteerId: v, driverId: v, tripId: null, returnPlan: 'none', waitMin: null });
    expect(p.volunteerDistanceM).toBe(Math.round(a.m + b.m + c.m));
    expect(p.detourM).toBe(p.volunteerDistanceM);
    expect(p.passengerDistanceM).toBe(Math.round(b.m));
    expect(p.pickup.time).toBe('09:00');
    expect(p.dropoff.timeMin).toBe(Math.round(540 + b.s / 60));
    expect(p.startMin).toBe(Math.floor(540 - a.s / 60));
    expect(p.endMin).toBe(Math.ceil(540 + (b.s + c.s) / 60));
    // Defaults: €2 up to 10 km then €0.20/km for the passenger's kilometres; €0.32/km home → home.
    expect(p.participationEur).toBe(participationEur(DEFAULT_COST_RULES, { passengerKm: b.m / 1000, wholeKm: 0, waitMin: 0 }));
    expect(p.allowanceEur).toBe(allowanceEur(DEFAULT_COST_RULES, (a.m + b.m + c.m) / 1000));
    expect(p.allowanceEur).toBeGreaterThan(10);
  });

  it('ranks by extra kilometres: a commuter’s short detour first, then the nearer volunteer, then the one asked least', async () => {
    const t = await territory();
    const driver = await srv.api('POST', '/api/people', { territoryId: t, isDriver: true, firstName: 'Navetteur' });
    const trip = await srv.api('POST', '/api/trips', {
      territoryId: t, driverId: driver.body.id, kind: 'regular', weekdays: [2], departureTime: '08:40',
      origin: GOURDON, destination: CAHORS,
    });
    expect(trip.status).toBe(201);
    const near = await volunteer(t, {}, 'Proche');
    const asked = await volunteer(t, {}, 'Sollicité');
    // A third lives in Gourdon: a longer whole trip.
    const far = await volunteer(t, { home: GOURDON, maxKm: 60 }, 'Lointain');
    // "Sollicité" was asked twice this month.
    await srv.testDb.db.query(`UPDATE volunteers SET updated_at = now() WHERE person_id = $1`, [asked]);
    for (const time of ['14:00', '15:00']) {
      const req = await srv.api('POST', '/api/requests', {
        territoryId: t, from: LABASTIDE, to: CAHORS, date: WEDNESDAY, time, purpose: 'shopping', storeProposals: false,
      });
      await srv.testDb.db.query(
        `INSERT INTO matches (territory_id, request_id, kind, volunteer_id, date, pickup, dropoff, pickup_min, dropoff_min,
           detour_m, detour_s, score, status, volunteer_distance_m, volunteer_start_min, volunteer_end_min)
         VALUES ($1, $2, 'volunteer', $3, $4, ST_SetSRID(ST_MakePoint(1.5, 44.6), 4326), ST_SetSRID(ST_MakePoint(1.44, 44.45), 4326),
           840, 870, 40000, 3000, 1, 'declined', 40000, 820, 900)`,
        [t, req.body.id, asked, WEDNESDAY],
      );
    }
    const r = await ask(t);
    const order = r.body.proposals.map((p: { kind: string; tripId: number | null; volunteerId?: number }) => p.kind === 'carpool' ? `trip ${p.tripId}` : p.volunteerId);
    expect(order).toEqual([`trip ${trip.body.id}`, near, asked, far]);
    const [, n, a] = r.body.proposals;
    expect(a.volunteerDistanceM).toBe(n.volunteerDistanceM);
    expect([n.recentAsks, a.recentAsks]).toEqual([0, 2]);
    expect(r.body.proposals[0]).toMatchObject({ kind: 'carpool', allowanceEur: null });
    expect(r.body.proposals[0].participationEur).toBeGreaterThanOrEqual(2);
  });
});

describe('the rules a volunteer’s trip must pass', () => {
  it('availability: the whole trip home → home inside the day’s slots, at the asked time or within the tolerance', async () => {
    const t = await territory();
    const fits = await volunteer(t, {}, 'Matin');
    // Available from 08:45: the trip leaves home around 08:50 for a 09:00 pickup, so it fits.
    const late = await volunteer(t, { slots: [{ weekday: 2, start: '08:45', end: '12:00' }] }, 'Tardif');
    // Until 09:15 only: the trip is not back home by then.
    const short = await volunteer(t, { slots: [{ weekday: 2, start: '07:00', end: '09:15' }] }, 'Court');
    expect(volunteersIn((await ask(t, { toleranceMin: 0 })).body).sort()).toEqual([fits, late].sort());
    // With 30 minutes of tolerance, "Court" takes the passenger at 08:30 and is home by 09:15.
    const early = (await ask(t, { toleranceMin: 30 })).body.proposals.find((p: { volunteerId: number }) => p.volunteerId === short);
    expect(early.pickup.timeMin).toBeLessThan(540);
    expect(early.endMin).toBeLessThanOrEqual(555);
    // Wednesday: no slot.
    expect(volunteersIn((await ask(t, { date: WEDNESDAY })).body)).toEqual([]);
    // Arrive by 09:00: the trip must leave home around 08:25, before "Tardif" is free; "Court" is back too late.
    expect(volunteersIn((await ask(t, { time: '09:00', timeKind: 'arrive', toleranceMin: 0 })).body)).toEqual([fits]);
    // At 08:00 with 30 minutes of tolerance, "Tardif" takes the passenger at the first time that fits.
    const shifted = (await ask(t, { time: '08:40', toleranceMin: 30 })).body.proposals.find((p: { volunteerId: number }) => p.volunteerId === late);
    expect(shifted.pickup.timeMin).toBeGreaterThan(520);
    expect(shifted.startMin).toBeGreaterThanOrEqual(525);
  });

  it('exceptions: holidays and a day off remove the day; a one-off day available adds one', async () => {
    const t = await territory();
    const away = await volunteer(t, { exceptions: [{ dateFrom: '2027-03-01', dateTo: '2027-03-14', note: 'vacances' }] }, 'Vacances');
    const dentist = await volunteer(t, { exceptions: [{ dateFrom: TUESDAY, dateTo: TUESDAY, start: '09:30', end: '10:30' }] }, 'Dentiste');
    const extra = await volunteer(t, { slots: [], exceptions: [{ dateFrom: WEDNESDAY, dateTo: WEDNESDAY, available: true, start: '08:00', end: '12:00' }] }, 'Extra');
    // 09:00 sharp: the trip would run into the dentist's hour (with some tolerance, 08:30 would fit).
    expect(volunteersIn((await ask(t, { toleranceMin: 0 })).body)).toEqual([]);
    expect(volunteersIn((await ask(t, { date: WEDNESDAY })).body)).toEqual([extra]);
    // The dentist takes an hour out of the morning: a 10:45 trip fits again.
    expect(volunteersIn((await ask(t, { time: '10:45', toleranceMin: 0 })).body)).toEqual([dentist]);
    expect(away).toBeGreaterThan(0);
  });

  it('no overlap with another booking of theirs: proposals skip booked hours, the workflow refuses a second acceptance', async () => {
    const t = await territory();
    const v = await volunteer(t);
    const request = async (time: string) => {
      const r = await srv.api('POST', '/api/requests', { territoryId: t, from: LABASTIDE, to: CAHORS, date: TUESDAY, time, purpose: 'health' });
      expect(r.status).toBe(201);
      return r.body as { id: number; proposals: { id: number; kind: string; volunteerId: number }[] };
    };
    const first = await request('09:00');
    const second = await request('09:20');
    const m1 = first.proposals.find((p) => p.volunteerId === v)!;
    const m2 = second.proposals.find((p) => p.volunteerId === v)!;
    expect(m1 && m2).toBeTruthy();
    expect((await srv.api('PUT', `/api/matches/${m1.id}`, { status: 'accepted' })).status).toBe(200);
    const refused = await srv.api('PUT', `/api/matches/${m2.id}`, { status: 'accepted' });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/already booked from \d\d:\d\d to \d\d:\d\d/);
    // Matching no longer proposes them at 09:20, but does at 11:30 (back home long before).
    expect(volunteersIn((await ask(t, { time: '09:20', toleranceMin: 0 })).body)).toEqual([]);
    expect(volunteersIn((await ask(t, { time: '11:30', toleranceMin: 0 })).body)).toEqual([v]);
    // Once the first is cancelled, the hours are free again.
    await srv.api('PUT', `/api/matches/${m1.id}`, { status: 'cancelled', reason: 'passenger_cancelled' });
    expect((await srv.api('PUT', `/api/matches/${m2.id}`, { status: 'accepted' })).status).toBe(200);
  });

  it('distance limit from home, in kilometres or minutes on the road', async () => {
    const t = await territory();
    const ok = await volunteer(t, { maxKm: 30 }, 'Trente');
    await volunteer(t, { maxKm: 8 }, 'Huit');
    await volunteer(t, { maxKm: null, maxMinutes: 10 }, 'Dix');
    const minutes = await volunteer(t, { maxKm: null, maxMinutes: 40 }, 'Quarante');
    const r = await ask(t);
    expect(volunteersIn(r.body).sort()).toEqual([ok, minutes].sort());
  });

  it('purposes and vehicle: the purpose accepted, a wheelchair-accessible car when the passenger needs one, enough seats', async () => {
    const t = await territory();
    const shopping = await volunteer(t, { purposes: ['shopping'] }, 'Courses');
    const plain = await volunteer(t, { purposes: ['health'], seats: 2 }, 'Ordinaire');
    const adapted = await volunteer(t, { purposes: ['health'], wheelchair: true, seats: 4 }, 'Adapté');
    expect(volunteersIn((await ask(t)).body).sort()).toEqual([plain, adapted].sort());
    expect(volunteersIn((await ask(t, { purpose: 'shopping' })).body)).toEqual([shopping]);
    expect(volunteersIn((await ask(t, { needs: ['wheelchair'] })).body)).toEqual([adapted]);
    expect(volunteersIn((await ask(t, { seats: 3 })).body)).toEqual([adapted]);
    // Recurring requests are the commuters' business.
    expect(volunteersIn((await ask(t, { date: undefined, weekdays: [2] })).body)).toEqual([]);
  });

  it('a coordinator proposes a volunteer by hand: stored when the rules pass, refused with the rule otherwise', async () => {
    const t = await territory();
    const v = await volunteer(t, { purposes: ['health'] });
    const req = await srv.api('POST', '/api/requests', { territoryId: t, from: LABASTIDE, to: CAHORS, date: TUESDAY, time: '09:00', purpose: 'health', storeProposals: false });
    const made = await srv.api('POST', '/api/matches', { requestId: req.body.id, volunteerId: v });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ kind: 'volunteer', volunteerId: v, tripId: null, status: 'proposed' });
    expect(made.body.volunteerTrip.leaveHome).toMatch(/^08:\d\d$/);
    const shopping = await srv.api('POST', '/api/requests', { territoryId: t, from: LABASTIDE, to: CAHORS, date: TUESDAY, time: '09:00', purpose: 'shopping', storeProposals: false });
    const refused = await srv.api('POST', '/api/matches', { requestId: shopping.body.id, volunteerId: v });
    expect(refused.status).toBe(409);
    expect(refused.body.fields[0]).toEqual({ field: 'volunteerId', reason: 'the volunteer does not drive for this purpose' });
    const both = await srv.api('POST', '/api/matches', { requestId: req.body.id, volunteerId: v, tripId: 3 });
    expect(both.status).toBe(400);
    expect(both.body.fields[0].field).toBe('tripId');
  });
});

describe('costs under the TUS rules', () => {
  it('caps the participation at €0.32 per kilometre counted when the territory runs under the TUS rules', async () => {
    const t = await territory();
    await volunteer(t);
    // A dear flat rate: €12 up to 30 km.
    expect((await srv.api('PUT', `/api/territories/${t}/costs`, { participation: { flatEur: 12, flatUpToKm: 30, minimumEur: 12 } })).status).toBe(200);
    const before = (await ask(t)).body.proposals[0];
    expect(before.participationEur).toBe(12);
    await srv.testDb.db.query('INSERT INTO tus_settings (territory_id, enabled) VALUES ($1, true)', [t]);
    const after = (await ask(t)).body.proposals[0];
    const km = after.passengerDistanceM / 1000;
    expect(km).toBeLessThan(37.5);
    expect(after.participationEur).toBe(Math.round(km * 0.32 * 100) / 100);
    expect(after.allowanceEur).toBe(before.allowanceEur);
  });
});

describe('the way back', () => {
  const query = (territoryId: number, extra: object) => ({
    from: ll(LABASTIDE), to: ll(CAHORS), date: TUESDAY, weekdays: [], timeMin: 540, timeKind: 'depart' as const, toleranceMin: 0,
    seats: 1, territoryIds: [territoryId], purpose: 'health' as const, needs: [], ...extra,
  });

  it('waits at the destination for a short appointment, and the waiting counts in the participation', async () => {
    const t = await territory();
    const v = await volunteer(t);
    const { db, router } = srv.booted.services;
    const a = await matchVolunteers(db, router, query(t, { returnAfterMin: 60 }));
    const p = a.proposals.find((x) => x.volunteerId === v)!;
    expect(p).toMatchObject({ returnPlan: 'waits', waitMin: 60 });
    const [h, out, back, home] = await Promise.all([road(ll(HOME), ll(LABASTIDE)), road(ll(LABASTIDE), ll(CAHORS)), road(ll(CAHORS), ll(LABASTIDE)), road(ll(LABASTIDE), ll(HOME))]);
    expect(p.volunteerDistanceM).toBe(Math.round(h.m + out.m + back.m + home.m));
    expect(p.back!.pickup.timeMin).toBe(Math.round(p.dropoff.timeMin + 60));
    // 60 min waited, 30 free: one begun hour at €2.
    const km = (out.m + back.m) / 1000;
    expect(p.participationEur).toBe(participationEur(DEFAULT_COST_RULES, { passengerKm: km, wholeKm: 0, waitMin: 60 }));
    expect(p.participationEur).toBeCloseTo(participationEur(DEFAULT_COST_RULES, { passengerKm: km, wholeKm: 0, waitMin: 0 }) + 2, 2);
  });

  it('goes home and comes back for a long one; the availability must cover both outings, not the hours at home', async () => {
    const t = await territory();
    // Free in the morning and from 14:00, not between: fine when they are home in between.
    const v = await volunteer(t, { slots: [{ weekday: 2, start: '07:00', end: '11:00' }, { weekday: 2, start: '14:00', end: '18:00' }] });
    const { db, router } = srv.booted.services;
    const a = await matchVolunteers(db, router, query(t, { returnMin: 15 * 60 }));
    const p = a.proposals.find((x) => x.volunteerId === v)!;
    expect(p).toMatchObject({ returnPlan: 'goes_home', waitMin: null });
    expect(15 * 60 - p.dropoff.timeMin).toBeGreaterThan(WAITS_UP_TO_MIN);
    const legs = await Promise.all([
      road(ll(HOME), ll(LABASTIDE)), road(ll(LABASTIDE), ll(CAHORS)), road(ll(CAHORS), ll(HOME)),
      road(ll(HOME), ll(CAHORS)), road(ll(CAHORS), ll(LABASTIDE)), road(ll(LABASTIDE), ll(HOME)),
    ]);
    expect(p.volunteerDistanceM).toBe(Math.round(legs.reduce((s, l) => s + l.m, 0)));
    // Waiting until 15:00 in Cahors would need the hours between: with the gap narrowed to 11:00–14:00 it cannot.
    const noon = await matchVolunteers(db, router, query(t, { returnMin: 11 * 60 + 30 }));
    expect(noon.proposals).toEqual([]);
    expect(noon.rejected).toEqual({ hours: 1 });
  });
});
