import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicPlugin } from '../../services/src/public/plugin.ts';
import { consolePlugin } from '../../services/src/console/plugin.ts';
import { createToken } from '../../services/src/domain/tokens.ts';
import { addDays } from '../../services/src/time/days.ts';
import { localDate, localMinute, workQueue } from '../../services/src/stats/work-queue.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { Browser as FormClient, csrfOf } from '../public/helpers.ts';
import { addUser, DIST, Session } from './helpers.ts';

/**
 * GET /api/work-queue on the Lot demo plus a seeded state: one item made for each section (and one beside each rule,
 * which must stay out), read by a coordinator of the Lot, one of another territory, a viewer and an integration.
 * The demo's own requests are counted before seeding: each section must grow by exactly what was seeded.
 */
const PW = 'correct horse battery';
let srv: TestServer;
let lotId: number;
let otherId: number;
const today = localDate(new Date());
const tomorrow = addDays(today, 1);
const seeded: Record<string, { requestId: number; matchId: number | null }> = {};
let baseline: Record<string, number>;
let driverId: number;
let otherRequestId: number;

const q = async <T = any>(sql: string, params: unknown[] = []) => (await srv.booted.services.db.query<T & object>(sql, params)).rows as T[];
const counts = (body: any) => Object.fromEntries(body.sections.map((s: any) => [s.key, s.count]));
const section = (body: any, key: string) => body.sections.find((s: any) => s.key === key);

async function session(email: string) {
  const s = new Session(srv.url, `10.9.0.${Object.keys(seeded).length + email.length}`);
  expect((await s.login(email, PW)).status).toBe(200);
  return s;
}

beforeAll(async () => {
  srv = await startServer({
    demo: true,
    env: { MATCH_DEADLINE_MS: '30000' },
    plugins: async (b) => [await consolePlugin(b.services, { distDir: DIST }), publicPlugin({ RETENTION_JOB: 'off' })],
  });
  lotId = (await q<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`))[0].id;
  otherId = (await srv.api('POST', '/api/territories', { slug: 'autre-file', name: 'Autre territoire' })).body.id;
  const db = srv.booted.services.db;
  await addUser(db, { email: 'file@lot.fr', password: PW, role: 'coordinator', territoryIds: [lotId] });
  await addUser(db, { email: 'file@autre.fr', password: PW, role: 'coordinator', territoryIds: [otherId] });
  await addUser(db, { email: 'file-viewer@lot.fr', password: PW, role: 'viewer', territoryIds: [lotId] });
  baseline = counts((await srv.api('GET', `/api/work-queue?territoryId=${lotId}`)).body);

  const centre = async (name: string) => {
    const [c] = await q<{ lng: number; lat: number }>(`SELECT ST_X(centroid) AS lng, ST_Y(centroid) AS lat FROM communes WHERE name = $1`, [name]);
    return { lng: Number(c.lng), lat: Number(c.lat) };
  };
  const gramat = await centre('Gramat');
  const cahors = await centre('Cahors');
  const person = async (body: object) => {
    const r = await srv.api('POST', '/api/people', { territoryId: lotId, ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as number;
  };
  driverId = await person({ isDriver: true, firstName: 'Gaston', lastName: 'Volant', phone: '06 11 22 33 44' });
  // Every day of the week: today and tomorrow both have this driver, whatever the day the test runs.
  const trip = await srv.api('POST', '/api/trips', {
    territoryId: lotId, driverId, kind: 'regular', weekdays: [1, 2, 3, 4, 5, 6, 7], departureTime: '07:30',
    origin: gramat, destination: cahors, originLabel: 'Gramat', destinationLabel: 'Cahors', seats: 4,
  });
  expect(trip.status, JSON.stringify(trip.body)).toBe(201);
  let n = 0;
  const request = async (date: string, time = '07:30', tolerance = 30) => {
    const passengerId = await person({ isPassenger: true, firstName: `Passagère${++n}`, lastName: 'File', phone: `06 55 00 00 ${String(n).padStart(2, '0')}` });
    const r = await srv.api('POST', '/api/requests', {
      territoryId: lotId, passengerId, from: gramat, to: cahors, date, time, timeKind: 'depart', toleranceMin: tolerance,
      fromLabel: 'Gramat, place de la Halle', toLabel: 'Cahors, hôpital',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const mine = r.body.proposals.find((p: any) => p.tripId === trip.body.id);
    return { requestId: r.body.id as number, matchId: (mine?.id ?? null) as number | null, proposals: r.body.proposals as any[] };
  };
  const walk = async (matchId: number, ...statuses: string[]) => {
    for (const status of statuses) {
      const r = await srv.api('PUT', `/api/matches/${matchId}`, { status, ...(status === 'declined' ? { reason: 'driver_unavailable' } : {}) });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
  };

  const a = await request(today);
  await walk(a.matchId!, 'contacted', 'accepted', 'confirmed');
  seeded.tripsToday = a;
  const b = await request(tomorrow);
  await walk(b.matchId!, 'contacted', 'accepted', 'confirmed');
  seeded.tripsTomorrow = b;
  const past = await request(addDays(today, -1));
  await walk(past.matchId!, 'contacted', 'accepted', 'confirmed');
  seeded.pastTrip = past;
  const c = await request(addDays(today, 3));
  await walk(c.matchId!, 'contacted', 'accepted');
  seeded.toConfirm = c;
  const d = await request(addDays(today, 3));
  await walk(d.matchId!, 'contacted');
  seeded.awaitingAnswer = d;
  const e = await request(addDays(today, 3));
  await walk(e.matchId!, 'contacted');
  seeded.recentlyContacted = e;
  // The driver was called 30 hours ago and 2 hours ago (the clock cannot be moved, the status change can).
  await q(`UPDATE matches SET status_changed_at = now() - interval '30 hours' WHERE id = $1`, [d.matchId]);
  await q(`UPDATE matches SET status_changed_at = now() - interval '2 hours' WHERE id = $1`, [e.matchId]);

  // No solution: every driver declined; and one asked at 02:00 sharp, when no one drives.
  const f = await request(addDays(today, 4));
  for (const p of f.proposals) await walk(p.id, 'declined');
  seeded.allDeclined = { requestId: f.requestId, matchId: null };
  const g = await request(addDays(today, 4), '02:00', 0);
  expect(g.proposals).toHaveLength(0);
  seeded.noProposal = { requestId: g.requestId, matchId: null };

  // Two requests from the public form: one left as it came, one whose driver the coordinator already called.
  const form = new FormClient(srv.url);
  const ask = (prenom: string, telephone: string) => ({
    prenom, telephone, depart: '46128', arrivee: '46042', date: addDays(today, 5), sens: 'depart', heure: '07:30', motif: 'health',
    places: '1', consentement: 'oui',
  });
  const csrf = csrfOf((await form.get('/t/lot/chercher')).text);
  for (const [who, tel] of [['Rappelez', '06 77 00 00 01'], ['Rappelée', '06 77 00 00 02'], ['Appelée', '06 77 00 00 03']]) {
    const r = await form.post('/t/lot/chercher', ask(who, tel), csrf);
    expect(r.res.status).toBe(200);
  }
  const pub = await q<{ id: number; first_name: string }>(
    `SELECT r.id, i.first_name FROM requests r JOIN person_identities i ON i.person_id = r.passenger_id WHERE r.created_by = 'public' ORDER BY r.id`);
  expect(pub.map((r) => r.first_name)).toEqual(['Rappelez', 'Rappelée', 'Appelée']);
  seeded.callBack = { requestId: pub[0].id, matchId: null };
  seeded.calledBack = { requestId: pub[1].id, matchId: null };
  const [called] = await q<{ id: number }>(`SELECT id FROM matches WHERE request_id = $1 ORDER BY score DESC LIMIT 1`, [pub[1].id]);
  expect(called, 'the public request has a proposal').toBeTruthy();
  await walk(called.id, 'contacted');
  // The third was called back, and the call noted: handled too.
  const note = await srv.api('POST', '/api/notes', { subjectType: 'request', subjectId: pub[2].id, kind: 'call', body: 'Rappelée, cherche encore un conducteur.' });
  expect(note.status, JSON.stringify(note.body)).toBe(201);
  seeded.callNoted = { requestId: pub[2].id, matchId: null };

  // Another territory: one request, no driver there.
  const otherPassenger = (await srv.api('POST', '/api/people', { territoryId: otherId, isPassenger: true, firstName: 'Ailleurs', lastName: 'Autre' })).body.id;
  const other = await srv.api('POST', '/api/requests', {
    territoryId: otherId, passengerId: otherPassenger, from: gramat, to: cahors, date: addDays(today, 2), time: '09:00', timeKind: 'arrive',
  });
  expect(other.status, JSON.stringify(other.body)).toBe(201);
  otherRequestId = other.body.id;
}, 240_000);
afterAll(async () => {
  await srv?.close();
});

describe('GET /api/work-queue', () => {
  it('puts each seeded item in its section, and nothing beside the rules', async () => {
    const s = await session('file@lot.fr');
    // The demo has many requests without a driver: all of them, so the seeded ones are listed.
    const r = await s.req('GET', '/api/work-queue?limit=200');
    expect(r.status).toBe(200);
    expect(r.body.today).toBe(today);
    expect(r.body.tomorrow).toBe(tomorrow);
    expect(r.body.answerWaitHours).toEqual({ [String(lotId)]: 24 });
    expect(r.body.sections.map((x: any) => x.key)).toEqual(['tripsToday', 'tripsTomorrow', 'toConfirm', 'awaitingAnswer', 'callBack', 'noSolution']);
    const c = counts(r.body);
    expect(c).toEqual({
      tripsToday: baseline.tripsToday + 1,
      tripsTomorrow: baseline.tripsTomorrow + 1,
      toConfirm: baseline.toConfirm + 1,
      awaitingAnswer: baseline.awaitingAnswer + 1,
      callBack: baseline.callBack + 1,
      noSolution: baseline.noSolution + 2,
    });
    const ids = (key: string, field: 'matchId' | 'requestId') => section(r.body, key).items.map((i: any) => i[field]);
    expect(ids('tripsToday', 'matchId')).toContain(seeded.tripsToday.matchId);
    expect(ids('tripsToday', 'matchId')).not.toContain(seeded.pastTrip.matchId);
    expect(ids('tripsTomorrow', 'matchId')).toContain(seeded.tripsTomorrow.matchId);
    expect(ids('toConfirm', 'matchId')).toContain(seeded.toConfirm.matchId);
    expect(ids('awaitingAnswer', 'matchId')).toEqual(expect.arrayContaining([seeded.awaitingAnswer.matchId]));
    expect(ids('awaitingAnswer', 'matchId')).not.toContain(seeded.recentlyContacted.matchId);
    expect(ids('callBack', 'requestId')).toContain(seeded.callBack.requestId);
    expect(ids('callBack', 'requestId')).not.toContain(seeded.calledBack.requestId);
    expect(ids('callBack', 'requestId')).not.toContain(seeded.callNoted.requestId);
    expect(ids('noSolution', 'requestId')).toEqual(expect.arrayContaining([seeded.allDeclined.requestId, seeded.noProposal.requestId]));
    for (const key of ['tripsToday', 'tripsTomorrow', 'toConfirm', 'awaitingAnswer', 'callBack', 'noSolution'])
      for (const i of section(r.body, key).items) expect(i.territoryId).toBe(lotId);

    const trip = section(r.body, 'tripsToday').items.find((i: any) => i.matchId === seeded.tripsToday.matchId);
    expect(trip).toMatchObject({
      requestId: seeded.tripsToday.requestId, date: today, status: 'confirmed', timeKind: 'pickup', driverId, driverName: 'Gaston Volant',
      driverPhone: '06 11 22 33 44', fromLabel: 'Gramat, place de la Halle', toLabel: 'Cahors, hôpital', leg: 'outbound',
    });
    expect(trip.passengerName).toMatch(/^Passagère\d+ File$/);
    expect(trip.time).toMatch(/^0[78]:\d\d$/);
    const callBack = section(r.body, 'callBack').items.find((i: any) => i.requestId === seeded.callBack.requestId);
    expect(callBack).toMatchObject({ matchId: null, passengerName: 'Rappelez', passengerPhone: '06 77 00 00 01', status: 'open', time: '07:30', timeKind: 'depart' });
    // Waiting longest first.
    const waits = section(r.body, 'awaitingAnswer').items.map((i: any) => Date.parse(i.since));
    expect(waits).toEqual([...waits].sort((x, y) => x - y));

    // Names and phones shown are audited, one row per person, with the reason.
    const audited = await q<{ subject_id: number }>(
      `SELECT subject_id FROM audit_log WHERE action = 'read_personal' AND reason = 'work-queue' AND actor_role = 'coordinator'`);
    expect(audited.map((a) => a.subject_id)).toEqual(expect.arrayContaining([driverId, trip.passengerId, callBack.passengerId]));
  });

  it('follows the territory’s answerWaitHours setting', async () => {
    const rules = (await srv.api('GET', `/api/territories/${lotId}`)).body.rules;
    const set = await srv.api('PUT', `/api/territories/${lotId}`, { rules: { ...rules, answerWaitHours: 1 } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    await expect.poll(() => srv.booted.services.rulesOf(lotId).answerWaitHours).toBe(1);
    const r = await (await session('file@lot.fr')).req('GET', `/api/work-queue?territoryId=${lotId}`);
    expect(r.body.answerWaitHours).toEqual({ [String(lotId)]: 1 });
    expect(section(r.body, 'awaitingAnswer').items.map((i: any) => i.matchId)).toEqual(
      expect.arrayContaining([seeded.awaitingAnswer.matchId, seeded.recentlyContacted.matchId]));
    const bad = await srv.api('PUT', `/api/territories/${lotId}`, { rules: { answerWaitHours: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.body.fields[0].field).toMatch(/answerWaitHours/);
    await srv.api('PUT', `/api/territories/${lotId}`, { rules: { ...rules, answerWaitHours: 24 } });
    await expect.poll(() => srv.booted.services.rulesOf(lotId).answerWaitHours).toBe(24);
  });

  it('shows a coordinator their territories only', async () => {
    const s = await session('file@autre.fr');
    const r = await s.req('GET', '/api/work-queue');
    expect(r.status).toBe(200);
    expect(counts(r.body)).toEqual({ tripsToday: 0, tripsTomorrow: 0, toConfirm: 0, awaitingAnswer: 0, callBack: 0, noSolution: 1 });
    expect(section(r.body, 'noSolution').items.map((i: any) => i.requestId)).toEqual([otherRequestId]);
    expect(JSON.stringify(r.body)).not.toContain('Gaston');
    expect((await s.req('GET', `/api/work-queue?territoryId=${lotId}`)).status).toBe(403);
    // The Lot's coordinator does not see the other territory's request.
    const lot = await (await session('file@lot.fr')).req('GET', '/api/work-queue?limit=200');
    expect(section(lot.body, 'noSolution').items.map((i: any) => i.requestId)).not.toContain(otherRequestId);
    // An admin sees both.
    const all = await srv.api('GET', '/api/work-queue');
    expect(section(all.body, 'noSolution').count).toBe(section(lot.body, 'noSolution').count + 1);
  });

  it('gives a viewer the counts and no item, and an integration nothing', async () => {
    const coordinator = await (await session('file@lot.fr')).req('GET', '/api/work-queue');
    const viewer = await session('file-viewer@lot.fr');
    const before = (await q<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE actor_role = 'viewer'`))[0].n;
    const v = await viewer.req('GET', '/api/work-queue');
    expect(v.status).toBe(200);
    expect(counts(v.body)).toEqual(counts(coordinator.body));
    for (const s of v.body.sections) expect(s).not.toHaveProperty('items');
    const text = JSON.stringify(v.body);
    for (const secret of ['Gaston', 'Volant', '06 11 22 33 44', 'Rappelez', 'Passagère', 'hôpital', 'Halle']) expect(text).not.toContain(secret);
    // Nothing personal read, nothing audited.
    expect((await q<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE actor_role = 'viewer'`))[0].n).toBe(before);

    const { token } = await createToken(srv.booted.services.db, { label: 'partenaire', role: 'integration', territoryId: lotId, createdBy: 'test' });
    const i = await srv.api('GET', '/api/work-queue', undefined, token);
    expect(i.status).toBe(403);
    expect(i.body.error).toBe('forbidden');
  });

  it('answers a bad parameter with a 400 naming it', async () => {
    const r = await srv.api('GET', '/api/work-queue?limit=0');
    expect(r.status).toBe(400);
    expect(r.body.fields[0].field).toBe('limit');
    const t = await srv.api('GET', '/api/work-queue?territoryId=abc');
    expect(t.status).toBe(400);
    expect(t.body.fields[0].field).toBe('territoryId');
  });

  it('lists the requests without a solution still ahead first, and today’s whose time went by after them, counted apart', async () => {
    // Noon in Paris, whatever the time the test runs: 02:00 has gone by, 23:30 is ahead.
    const noon = new Date(`${today}T11:00:00Z`);
    expect(localDate(noon)).toBe(today);
    expect(localMinute(noon)).toBeGreaterThanOrEqual(12 * 60);
    const passenger = (await srv.api('POST', '/api/people', { territoryId: lotId, isPassenger: true, firstName: 'Tôt', lastName: 'Passée', phone: '06 55 99 00 01' })).body.id;
    const ask = async (date: string, time: string) => {
      const r = await srv.api('POST', '/api/requests', {
        territoryId: lotId, passengerId: passenger, from: { lng: 1.72, lat: 44.78 }, to: { lng: 1.44, lat: 44.45 }, date, time, timeKind: 'depart', toleranceMin: 0,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.proposals).toHaveLength(0);
      return r.body.id as number;
    };
    const early = await ask(today, '02:00');
    const late = await ask(today, '23:30');
    const { queue } = await workQueue(srv.booted.services.db, {
      territoryId: lotId, now: noon, visibility: 'personal', answerWaitHours: () => 24, limit: 200,
    });
    const s = queue.sections.find((x) => x.key === 'noSolution')!;
    const items = s.items!;
    expect(items.length).toBe(s.count);
    const pos = (id: number) => items.findIndex((i) => i.requestId === id);
    expect(items[pos(early)].passed).toBe(true);
    expect(items[pos(late)].passed).toBe(false);
    expect(pos(late)).toBeLessThan(pos(early));
    // Every passed item after every other, and the count says how many.
    const flags = items.map((i) => i.passed);
    expect(flags).toEqual([...flags].sort((a, b) => Number(a) - Number(b)));
    expect(s.passed).toBe(flags.filter(Boolean).length);
    expect(s.passed).toBeGreaterThanOrEqual(1);
    // The ones ahead soonest first: dated by day and time, the regular ones (no date) after.
    const ahead = items.filter((i) => !i.passed);
    const key = (i: (typeof items)[number]) => `${i.date ?? '9999-99-99'} ${i.time}`;
    expect(ahead.map(key)).toEqual([...ahead.map(key)].sort());
    // Everything passed is today's, before noon.
    for (const i of items.filter((x) => x.passed)) {
      expect(i.date).toBe(today);
      expect(i.time < '12:00').toBe(true);
    }
    // However many are ahead, the passed ones are read too (up to the limit of each kind).
    const one = (await workQueue(srv.booted.services.db, { territoryId: lotId, now: noon, visibility: 'personal', answerWaitHours: () => 24, limit: 1 }))
      .queue.sections.find((x) => x.key === 'noSolution')!;
    expect(one.items!.map((i) => i.passed)).toEqual([false, true]);
    expect(one.count).toBe(s.count);
    // The other sections have nothing passed.
    for (const x of queue.sections.filter((y) => y.key !== 'noSolution')) expect(x.passed).toBe(0);
  });
});
