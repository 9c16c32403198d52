import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeStats } from '../../services/src/stats/compute.ts';
import { dashboardCounts } from '../../services/src/stats/dashboard.ts';
import { statsQuery } from '../../services/src/stats/query.ts';
import { Outbox } from '../../services/src/messaging/outbox.ts';
import { ProviderError, type Provider } from '../../services/src/messaging/providers/types.ts';
import { toUnix } from '../../services/src/interop/time.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// A real axis of the Lot road graph: Gourdon → Labastide-du-Vert area → Cahors (D820/D653).
const CAHORS = { lng: 1.4419, lat: 44.4475 };
const LABASTIDE = { lng: 1.5296, lat: 44.5911 };
const GOURDON = { lng: 1.3832, lat: 44.7373 };

let srv: TestServer;
let territoryId: number;
let both: number; // a regular commuter whose evening return passes back: both legs, one trip
let twice: number; // two one-off trips of the same driver: both legs, two trips
let morningOnly: number;
let eveningOnly: number;

/** The Monday and Tuesday after next (every driver below runs on weekdays). */
const day = (plus: number) => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7 || 7) + 7 + plus);
  return d.toISOString().slice(0, 10);
};
const MONDAY = day(0);

async function person(body: object) {
  const r = await srv.api('POST', '/api/people', { territoryId, firstName: 'Inventé', lastName: 'Personne', ...body });
  expect(r.status).toBe(201);
  return r.body.id as number;
}
async function trip(driverId: number, body: object) {
  const r = await srv.api('POST', '/api/trips', { territoryId, driverId, seats: 1, ...body });
  expect(r.status).toBe(201);
  return r.body.id as number;
}
const ask = (extra: object) => ({
  territoryId, from: LABASTIDE, to: CAHORS, date: MONDAY, time: '08:30', timeKind: 'arrive', purpose: 'health', ...extra,
});

beforeAll(async () => {
  srv = await startServer();
  territoryId = (await srv.api('POST', '/api/territories', { slug: 'lot-ar', name: 'Lot (allers-retours)' })).body.id;
  both = await person({ isDriver: true, firstName: 'Aller-Retour' });
  twice = await person({ isDriver: true, firstName: 'Deux-Trajets' });
  morningOnly = await person({ isDriver: true, firstName: 'Matin' });
  eveningOnly = await person({ isDriver: true, firstName: 'Soir' });
  await trip(both, { kind: 'regular', weekdays: [1, 2, 3, 4, 5], departureTime: '07:30', returnTime: '17:30', origin: GOURDON, destination: CAHORS });
  await trip(twice, { kind: 'oneoff', date: MONDAY, departureTime: '07:40', origin: GOURDON, destination: CAHORS });
  await trip(twice, { kind: 'oneoff', date: MONDAY, departureTime: '17:35', origin: CAHORS, destination: GOURDON });
  await trip(morningOnly, { kind: 'oneoff', date: MONDAY, departureTime: '07:35', origin: GOURDON, destination: CAHORS });
  await trip(eveningOnly, { kind: 'oneoff', date: MONDAY, departureTime: '17:25', origin: CAHORS, destination: GOURDON });
});
afterAll(async () => srv?.close());

describe('round trips: each leg matched', () => {
  it('matches the outbound and the return, and ranks the drivers who can do both first', async () => {
    const passengerId = await person({ isPassenger: true, phone: '06 39 98 01 01' });
    const r = await srv.api('POST', '/api/requests', ask({ passengerId, returnTime: '17:40' }));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ returnTime: '17:40', returnAfterMin: null });
    const legs = (leg: string) => r.body.proposals.filter((p: any) => p.requestLeg === leg).map((p: any) => p.driverId).sort();
    expect(legs('outbound')).toEqual([both, twice, morningOnly].sort());
    expect(legs('return')).toEqual([both, twice, eveningOnly].sort());
    // The return is the way back: picked up in Cahors, dropped off near Labastide, after 17:40 − tolerance.
    const back = r.body.proposals.find((p: any) => p.requestLeg === 'return' && p.driverId === both);
    expect(back.leg).toBe('return'); // the commuter's own return route
    expect(back.pickup.lat).toBeCloseTo(CAHORS.lat, 3);
    expect(back.dropoff.lat).toBeCloseTo(LABASTIDE.lat, 3);
    expect(back.pickup.time >= '17:10' && back.pickup.time <= '18:10').toBe(true);
    // Each leg says what the passenger pays for it (the way back once had no participation at all).
    const out = r.body.proposals.find((p: any) => p.requestLeg === 'outbound' && p.driverId === both);
    expect(out.participationEur).toBeGreaterThan(0);
    expect(back.participationEur).toBeGreaterThan(0);
    // Both-legs drivers first: the one-trip commuter, then the driver with two trips, each outbound before return.
    expect(r.body.roundTrip.map((p: any) => [p.driverId, p.sameTrip])).toEqual([[both, true], [twice, false]]);
    expect(r.body.proposals.slice(0, 4).map((p: any) => [p.driverId, p.requestLeg, p.bothLegs])).toEqual([
      [both, 'outbound', true], [both, 'return', true], [twice, 'outbound', true], [twice, 'return', true],
    ]);
    expect(r.body.proposals.slice(4).every((p: any) => !p.bothLegs)).toBe(true);
    // Reading it back gives the same order; running the search again keeps it.
    const again = await srv.api('POST', `/api/requests/${r.body.id}/match`, {});
    expect(again.status).toBe(200);
    expect(again.body.proposals.map((p: any) => p.id)).toEqual(r.body.proposals.map((p: any) => p.id));
  });

  it('matches "about N hours after arrival" from the arrival time (arrive-by) or the drive (depart-at)', async () => {
    const arriveBy = await srv.api('POST', '/api/requests', ask({ returnAfterMin: 9 * 60 + 10, toleranceMin: 15 }));
    expect(arriveBy.status).toBe(201);
    expect(arriveBy.body).toMatchObject({ returnTime: null, returnAfterMin: 550 });
    // 08:30 + 9 h 10 = 17:40 ± 15 min: the commuter (17:30 from Cahors) and the two evening one-offs.
    const back = arriveBy.body.proposals.filter((p: any) => p.requestLeg === 'return');
    expect(back.map((p: any) => p.driverId).sort()).toEqual([both, twice, eveningOnly].sort());
    for (const p of back) expect(p.pickup.time >= '17:25' && p.pickup.time <= '17:55').toBe(true);

    // Depart-at 07:45 from Labastide: arrival after the drive (~20 min), so 2 h later is about 10:05 — nobody.
    const departAt = await srv.api('POST', '/api/requests', ask({ time: '07:45', timeKind: 'depart', returnAfterMin: 120 }));
    expect(departAt.status).toBe(201);
    expect(departAt.body.proposals.filter((p: any) => p.requestLeg === 'return')).toEqual([]);
    expect(departAt.body.proposals.filter((p: any) => p.requestLeg === 'outbound').length).toBeGreaterThan(0);
    expect(departAt.body.roundTrip).toEqual([]);
  });

  it('a one-way request has no return proposals and no round-trip section', async () => {
    const r = await srv.api('POST', '/api/requests', ask({}));
    expect(r.body.proposals.every((p: any) => p.requestLeg === 'outbound' && !p.bothLegs)).toBe(true);
    expect(r.body.roundTrip).toBeNull();
  });

  it('refuses a bad return with a 4xx naming the field', async () => {
    const bad = async (extra: object, field: string, reason: RegExp) => {
      const r = await srv.api('POST', '/api/requests', ask(extra));
      expect(r.status).toBe(400);
      const f = r.body.fields.find((x: any) => x.field === field);
      expect(f, JSON.stringify(r.body)).toBeTruthy();
      expect(f.reason).toMatch(reason);
    };
    await bad({ returnTime: '17:00', returnAfterMin: 120 }, 'returnAfterMin', /not both/);
    await bad({ returnTime: '08:00' }, 'returnTime', /after the outbound/);
    await bad({ returnTime: '08:30' }, 'returnTime', /after the outbound/);
    await bad({ returnTime: '25:00' }, 'returnTime', /HH:MM/);
    await bad({ returnAfterMin: 5 }, 'returnAfterMin', /10/);
    await bad({ returnAfterMin: 13 * 60 }, 'returnAfterMin', /720/);
    await bad({ returnAfterMin: 1.5 }, 'returnAfterMin', /int/);
    await bad({ time: '20:00', returnAfterMin: 300 }, 'returnAfterMin', /midnight/);
    const { rows } = await srv.booted.services.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM requests WHERE return_min IS NOT NULL AND return_after_min IS NOT NULL',
    );
    expect(rows[0].n).toBe(0);
  });
});

describe('round trips: confirmed in one action', () => {
  it('confirms both legs with the same driver in one call', async () => {
    const passengerId = await person({ isPassenger: true, phone: '06 39 98 01 02' });
    const r = await srv.api('POST', '/api/requests', ask({ passengerId, date: day(1), returnTime: '17:40' }));
    const pair = r.body.roundTrip[0];
    expect(pair.driverId).toBe(both);
    const c = await srv.api('POST', `/api/requests/${r.body.id}/confirm-round-trip`, {
      outboundMatchId: pair.outboundMatchId, returnMatchId: pair.returnMatchId, note: 'Aller et retour d’accord au téléphone',
    });
    expect(c.status).toBe(200);
    expect(c.body.status).toBe('matched');
    const status = (id: number) => c.body.proposals.find((p: any) => p.id === id).status;
    expect([status(pair.outboundMatchId), status(pair.returnMatchId)]).toEqual(['confirmed', 'confirmed']);
    for (const mid of [pair.outboundMatchId, pair.returnMatchId]) {
      const m = await srv.api('GET', `/api/matches/${mid}`);
      expect(m.body.events.map((e: any) => e.to)).toEqual(['accepted', 'confirmed']);
      expect(m.body.note).toBe('Aller et retour d’accord au téléphone');
    }
    // The commuter's one seat is now held both ways that day: nobody else gets either leg of that trip.
    const tripId = c.body.proposals.find((p: any) => p.id === pair.outboundMatchId).tripId;
    const other = await srv.api('POST', '/api/requests', ask({ date: day(1), returnTime: '17:40' }));
    expect(other.body.proposals.some((p: any) => p.tripId === tripId)).toBe(false);
  });

  it('rolls both legs back when one cannot be confirmed (the return seat was taken meanwhile)', async () => {
    const date = day(2);
    const r = await srv.api('POST', '/api/requests', ask({ date, returnTime: '17:40' }));
    const pair = r.body.roundTrip.find((p: any) => p.driverId === both);
    // Meanwhile another passenger gets the commuter's evening seat on that day.
    const evening = await srv.api('POST', '/api/requests', ask({ date, from: CAHORS, to: LABASTIDE, time: '17:40', timeKind: 'depart' }));
    const taken = evening.body.proposals.find((p: any) => p.driverId === both);
    expect((await srv.api('PUT', `/api/matches/${taken.id}`, { status: 'accepted' })).status).toBe(200);

    const c = await srv.api('POST', `/api/requests/${r.body.id}/confirm-round-trip`, {
      outboundMatchId: pair.outboundMatchId, returnMatchId: pair.returnMatchId,
    });
    expect(c.status).toBe(409);
    expect(c.body.message).toMatch(/seat/);
    // Nothing happened on the outbound either: still proposed, no history, the request still open.
    const out = await srv.api('GET', `/api/matches/${pair.outboundMatchId}`);
    expect(out.body).toMatchObject({ status: 'proposed', events: [] });
    expect((await srv.api('GET', `/api/matches/${pair.returnMatchId}`)).body.status).toBe('proposed');
    expect((await srv.api('GET', `/api/requests/${r.body.id}`)).body.status).toBe('open');
    const { rows } = await srv.booted.services.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM messages WHERE match_id = ANY($1::int[])',
      [[pair.outboundMatchId, pair.returnMatchId]],
    );
    expect(rows[0].n).toBe(0);
  });

  it('refuses swapped legs, another request’s match and a missing id, naming the field', async () => {
    const r = await srv.api('POST', '/api/requests', ask({ returnTime: '17:40' }));
    const leg = (driver: number, l: string) => r.body.proposals.find((p: any) => p.driverId === driver && p.requestLeg === l).id;
    const post = (body: object, rid = r.body.id) => srv.api('POST', `/api/requests/${rid}/confirm-round-trip`, body);
    const swapped = await post({ outboundMatchId: leg(both, 'return'), returnMatchId: leg(both, 'outbound') });
    expect(swapped.status).toBe(400);
    expect(swapped.body.fields[0]).toMatchObject({ field: 'outboundMatchId' });
    const elsewhere = await srv.api('POST', '/api/requests', ask({}));
    const foreign = await post({ outboundMatchId: elsewhere.body.proposals[0].id, returnMatchId: leg(both, 'return') });
    expect(foreign.status).toBe(404);
    const missing = await post({ outboundMatchId: leg(both, 'outbound') });
    expect(missing.status).toBe(400);
    expect(missing.body.fields[0]).toMatchObject({ field: 'returnMatchId' });
    const declined = await srv.api('PUT', `/api/matches/${leg(twice, 'return')}`, { status: 'declined', reason: 'driver_unavailable' });
    expect(declined.status).toBe(200);
    const afterDecline = await post({ outboundMatchId: leg(twice, 'outbound'), returnMatchId: leg(twice, 'return') });
    expect(afterDecline.status).toBe(409);
    expect(afterDecline.body.fields[0]).toMatchObject({ field: 'returnMatchId' });
    // A driver whose return was declined no longer counts as doing both legs.
    const now = await srv.api('GET', `/api/requests/${r.body.id}`);
    expect(now.body.roundTrip.map((p: any) => p.driverId)).toEqual([both]);
  });
});

describe('round trips: one message per person', () => {
  // A territory of its own, drivers with mobile numbers (the ones above have none, so they get no messages).
  let t: number;
  let commuter: number;
  let morning: number;
  let evening: number;
  const withPhone = async (firstName: string, phone: string, extra: object = {}) =>
    (await srv.api('POST', '/api/people', { territoryId: t, firstName, lastName: 'Inventé', phone, ...extra })).body.id as number;
  beforeAll(async () => {
    t = (await srv.api('POST', '/api/territories', { slug: 'lot-ar-sms', name: 'Lot (messages)', coordinatorPhone: '05 65 53 00 00' })).body.id;
    commuter = await withPhone('Sylvain', '06 39 98 02 01', { isDriver: true });
    morning = await withPhone('Martine', '06 39 98 02 02', { isDriver: true });
    evening = await withPhone('Eric', '06 39 98 02 03', { isDriver: true });
    const add = async (driverId: number, body: object) =>
      expect((await srv.api('POST', '/api/trips', { territoryId: t, driverId, seats: 2, ...body })).status).toBe(201);
    await add(commuter, { kind: 'regular', weekdays: [1, 2, 3, 4, 5], departureTime: '07:30', returnTime: '17:30', origin: GOURDON, destination: CAHORS });
    await add(morning, { kind: 'regular', weekdays: [1, 2, 3, 4, 5], departureTime: '07:35', origin: GOURDON, destination: CAHORS });
    await add(evening, { kind: 'regular', weekdays: [1, 2, 3, 4, 5], departureTime: '17:25', origin: CAHORS, destination: GOURDON });
  });

  const roundTrip = async (date: string, phone: string) => {
    const passengerId = await withPhone('Odette', phone, { isPassenger: true });
    const r = await srv.api('POST', '/api/requests', { ...ask({ passengerId, date, returnTime: '17:40' }), territoryId: t });
    expect(r.status).toBe(201);
    const leg = (driver: number, l: string) => r.body.proposals.find((p: any) => p.driverId === driver && p.requestLeg === l);
    return { id: r.body.id as number, passengerId, leg };
  };
  const messagesOf = async (requestId: number) =>
    (await srv.booted.services.db.query<{ person_id: number; kind: string; status: string; body: string; segments: number; match_id: number; paired_match_id: number | null }>(
      'SELECT person_id, kind, status, body, segments, match_id, paired_match_id FROM messages WHERE request_id = $1 ORDER BY id',
      [requestId],
    )).rows;
  const perPerson = (rows: { person_id: number; kind: string; status: string }[]) => {
    const out: Record<number, string[]> = {};
    for (const m of rows) if (m.status === 'queued') (out[m.person_id] ??= []).push(m.kind);
    return out;
  };
  const hhmm = (time: string) => time.replace(':', 'h');

  it('one driver both ways: the passenger and the driver each get one confirmation and one reminder telling both legs', async () => {
    const rt = await roundTrip(day(7), '06 39 98 02 11');
    const out = rt.leg(commuter, 'outbound');
    const back = rt.leg(commuter, 'return');
    const c = await srv.api('POST', `/api/requests/${rt.id}/confirm-round-trip`, { outboundMatchId: out.id, returnMatchId: back.id });
    expect(c.status).toBe(200);
    const rows = await messagesOf(rt.id);
    expect(perPerson(rows)).toEqual({ [rt.passengerId]: ['confirmation', 'reminder'], [commuter]: ['confirmation', 'reminder'] });
    for (const m of rows) {
      // Both pickup times (08h.. from Labastide, 17h.. from Cahors), each leg named, in two SMS segments at most.
      expect(m.body).toContain(hhmm(out.pickup.time));
      expect(m.body).toContain(hhmm(back.pickup.time));
      expect(m.body).toMatch(/[Aa]ller .*[Rr]etour /);
      expect(m.segments).toBeLessThanOrEqual(2);
      expect([m.match_id, m.paired_match_id]).toEqual([out.id, back.id]);
    }
    const toPassenger = rows.find((m) => m.person_id === rt.passengerId && m.kind === 'confirmation')!;
    expect(toPassenger.body).toMatch(/^CoMobi : aller-retour confirmé le \d{2}\/\d{2}\/\d{4}\. Aller \d{2}h\d{2}, RDV .+\. Retour \d{2}h\d{2}, RDV .+\. Conducteur : Sylvain\. Coordination : 05 65 53 00 00$/);
    expect(rows.find((m) => m.person_id === commuter && m.kind === 'confirmation')!.body).toMatch(/^CoMobi : vous emmenez Odette le .+, aller et retour\./);
  });

  it('a driver each way: each driver hears of their own leg, the passenger of both in one message', async () => {
    const rt = await roundTrip(day(8), '06 39 98 02 12');
    const out = rt.leg(morning, 'outbound');
    const back = rt.leg(evening, 'return');
    const c = await srv.api('POST', `/api/requests/${rt.id}/confirm-round-trip`, { outboundMatchId: out.id, returnMatchId: back.id });
    expect(c.status).toBe(200);
    expect([out.id, back.id].map((id) => c.body.proposals.find((p: any) => p.id === id).status)).toEqual(['confirmed', 'confirmed']);
    const rows = await messagesOf(rt.id);
    expect(perPerson(rows)).toEqual({
      [rt.passengerId]: ['confirmation', 'reminder'],
      [morning]: ['confirmation', 'reminder'],
      [evening]: ['confirmation', 'reminder'],
    });
    const body = (pid: number, kind = 'confirmation') => rows.find((m) => m.person_id === pid && m.kind === kind)!.body;
    expect(body(rt.passengerId)).toContain(`Aller ${hhmm(out.pickup.time)}`);
    expect(body(rt.passengerId)).toContain(`Retour ${hhmm(back.pickup.time)}`);
    expect(body(rt.passengerId)).toMatch(/avec Martine\. Retour .* avec Eric\./);
    expect(body(rt.passengerId, 'reminder')).toMatch(/aller .* avec Martine, retour .* avec Eric\./);
    expect(body(morning)).toContain(hhmm(out.pickup.time));
    expect(body(morning)).not.toContain(hhmm(back.pickup.time));
    expect(body(evening)).toContain(hhmm(back.pickup.time));
    expect(body(evening)).not.toContain(hhmm(out.pickup.time));

    // The return cancelled: the passenger's message about both is withdrawn, the outbound's own reminder queued.
    const x = await srv.api('PUT', `/api/matches/${back.id}`, { status: 'cancelled', reason: 'driver_cancelled' });
    expect(x.status, JSON.stringify(x.body)).toBe(200);
    const after = await messagesOf(rt.id);
    expect(perPerson(after)).toEqual({
      [rt.passengerId]: ['confirmation', 'reminder'],
      [morning]: ['confirmation', 'reminder'],
    });
    const left = after.filter((m) => m.person_id === rt.passengerId && m.status === 'queued');
    expect(left.map((m) => [m.match_id, m.paired_match_id])).toEqual([[out.id, null], [out.id, null]]);
    expect(left[1].body).toContain(hhmm(out.pickup.time));
    expect(left[1].body).not.toContain(hhmm(back.pickup.time));
  });

  it('the outbox’s log lines about these messages hold ids and codes, no number, name, place or text', async () => {
    const lines: string[] = [];
    const failing: Provider = { name: 'failing', send: async () => { throw new ProviderError('failing: HTTP 503', false); } };
    const outbox = new Outbox(srv.booted.services.db, { sms: failing, voice: failing, letter: failing },
      { MESSAGING_BATCH: 100, MESSAGING_BACKOFF_BASE_S: 30, MESSAGING_MAX_ATTEMPTS: 3 }, (m, extra) => lines.push(JSON.stringify({ m, ...extra })));
    // The day of the trips at 10:00 Paris time: outside quiet hours, confirmations and reminders all due.
    const tally = await outbox.runOnce(new Date(toUnix(day(8), 10 * 60, 'Europe/Paris') * 1000));
    expect(tally.retried).toBeGreaterThanOrEqual(6);
    expect(lines.length).toBe(tally.retried);
    const { rows } = await srv.booted.services.db.query<{ body: string; recipient: string }>(
      `SELECT body, recipient FROM messages WHERE territory_id = $1`, [t]);
    const personal = ['Odette', 'Sylvain', 'Martine', 'Eric', '06 39 98', '639980', 'RDV', ...rows.map((r) => r.recipient)];
    for (const line of lines) {
      expect(Object.keys(JSON.parse(line)).sort()).toEqual(['attempt', 'channel', 'error', 'kind', 'm', 'messageId', 'retry']);
      for (const p of personal) expect(line, line).not.toContain(p);
    }
  });
});

describe('round trips in the statistics', () => {
  it('counts two trips for a round trip driven both ways', async () => {
    // A fresh territory: five passengers, each driven there and back by one commuter with room for all.
    const t = (await srv.api('POST', '/api/territories', { slug: 'lot-ar-stats', name: 'Lot (stats)' })).body.id;
    const d = (await srv.api('POST', '/api/people', { territoryId: t, isDriver: true, firstName: 'Inventé' })).body.id;
    expect((await srv.api('POST', '/api/trips', {
      territoryId: t, driverId: d, seats: 8, kind: 'regular', weekdays: [1, 2, 3, 4, 5], departureTime: '07:30', returnTime: '17:30', origin: GOURDON, destination: CAHORS,
    })).status).toBe(201);
    for (let i = 0; i < 5; i++) {
      const r = await srv.api('POST', '/api/requests', { ...ask({ returnTime: '17:40' }), territoryId: t });
      const pair = r.body.roundTrip[0];
      expect((await srv.api('POST', `/api/requests/${r.body.id}/confirm-round-trip`, { outboundMatchId: pair.outboundMatchId, returnMatchId: pair.returnMatchId })).status).toBe(200);
      for (const mid of [pair.outboundMatchId, pair.returnMatchId])
        expect((await srv.api('PUT', `/api/matches/${mid}`, { status: 'done' })).status).toBe(200);
    }
    // What /stats and GET /api/stats publish (their routes come with the public pages' plugin), and the dashboard.
    const s = srv.booted.services;
    const month = MONDAY.slice(0, 7);
    const st = await computeStats(s.db, await statsQuery(s, { territory: 'lot-ar-stats', from: month, to: month }));
    expect(st.indicators).toMatchObject({ requests: 5, requestsServed: 5, tripsDone: 10, roundTripsServed: 5, passengersCarried: 10 });
    expect(await dashboardCounts(s.db, t)).toMatchObject({ tripsDone: 10, roundTrips: { requested: 5, served: 5 } });
  });
});
