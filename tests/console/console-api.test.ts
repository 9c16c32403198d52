import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountKey } from '../../services/src/console/login-limit.ts';
import type { TestServer } from '../helpers/server.ts';
import { addUser, ensureConsoleBuilt, proposalAsk, Session, startConsoleServer } from './helpers.ts';

let srv: TestServer;
let lotId: number;
let otherId: number;
const PW = 'correct horse battery';

beforeAll(async () => {
  ensureConsoleBuilt();
  srv = await startConsoleServer({ demo: true, options: { loginMaxPerAccount: 5, loginMaxPerIp: 12 } });
  const db = srv.booted.services.db;
  lotId = (await db.query<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`)).rows[0].id;
  const t = await srv.api('POST', '/api/territories', { slug: 'autre', name: 'Autre territoire' });
  otherId = t.body.id;
  await addUser(db, { email: 'admin@test.fr', password: PW, role: 'admin' });
  await addUser(db, { email: 'lot@test.fr', password: PW, role: 'coordinator', territoryIds: [lotId] });
  await addUser(db, { email: 'autre@test.fr', password: PW, role: 'coordinator', territoryIds: [otherId] });
  await addUser(db, { email: 'viewer@test.fr', password: PW, role: 'viewer', territoryIds: [lotId] });
  await addUser(db, { email: 'limited@test.fr', password: PW, role: 'coordinator', territoryIds: [lotId] });
  await addUser(db, { email: 'parallel@test.fr', password: PW, role: 'coordinator', territoryIds: [lotId] });
});
afterAll(async () => {
  await srv?.close();
});

describe('login and session cookie', () => {
  it('refuses a wrong password and an unknown account alike, then sets an HttpOnly SameSite=Strict cookie', async () => {
    const s = new Session(srv.url, '10.0.0.1');
    expect((await s.login('lot@test.fr', 'wrong password!!')).status).toBe(401);
    expect((await s.login('nobody@test.fr', PW)).status).toBe(401);
    const ok = await s.login('LOT@test.fr', PW);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ email: 'lot@test.fr', role: 'coordinator', territoryIds: [lotId] });
    const cookies = ok.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('comobi_session='))!;
    expect(session).toMatch(/httponly/i);
    expect(session).toMatch(/samesite=strict/i);
    expect(cookies.find((c) => c.startsWith('comobi_csrf='))).not.toMatch(/httponly/i);
    // Only the hash of the cookie value is stored.
    const token = s.cookies.get('comobi_session')!;
    const stored = await srv.booted.services.db.query('SELECT 1 FROM sessions WHERE token_hash = $1', [token]);
    expect(stored.rows).toHaveLength(0);
    const me = await s.req('GET', '/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.territories.map((t: any) => t.slug)).toEqual(['lot']);
  });

  it('answers 400 naming the field when the body is incomplete', async () => {
    const r = await new Session(srv.url).req('POST', '/auth/login', { email: 'lot@test.fr' });
    expect(r.status).toBe(400);
    expect(r.body.fields[0].field).toBe('password');
  });

  it('requires the CSRF header on every write made with the cookie', async () => {
    const s = new Session(srv.url, '10.0.0.2');
    await s.login('lot@test.fr', PW);
    const body = { kind: 'taxi', name: 'Taxi du Causse', phone: '05 65 00 00 00' };
    expect((await s.req('POST', '/api/providers', body, { csrf: false })).status).toBe(403);
    expect((await s.req('POST', '/api/providers', body, { headers: { 'x-csrf-token': 'forged' }, csrf: false })).status).toBe(403);
    const ok = await s.req('POST', '/api/providers', body);
    expect(ok.status).toBe(201);
    expect(ok.body.territoryId).toBe(lotId);
    // GET needs no token.
    expect((await s.req('GET', '/api/providers')).status).toBe(200);
    // Logout is a write too.
    expect((await s.req('POST', '/auth/logout', undefined, { csrf: false })).status).toBe(403);
  });

  it('ends the session at logout and when it expires', async () => {
    const s = new Session(srv.url, '10.0.0.3');
    await s.login('lot@test.fr', PW);
    const cookie = new Map(s.cookies);
    expect((await s.req('POST', '/auth/logout')).status).toBe(204);
    s.cookies = cookie; // a replayed cookie
    expect((await s.req('GET', '/api/requests')).status).toBe(401);

    const t = new Session(srv.url, '10.0.0.3');
    await t.login('lot@test.fr', PW);
    expect((await t.req('GET', '/api/requests')).status).toBe(200);
    await srv.booted.services.db.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = (SELECT id FROM users WHERE email = 'lot@test.fr')`);
    expect((await t.req('GET', '/api/requests')).status).toBe(401);
    expect((await t.req('GET', '/auth/me')).status).toBe(401);
  });

  it('limits failed logins per account, even with the right password afterwards, counted in the database', async () => {
    for (let i = 0; i < 5; i++) {
      // A different address each time: the account limit applies whatever the IP.
      expect((await new Session(srv.url, `10.1.0.${i}`).login('limited@test.fr', 'not the password')).status).toBe(401);
    }
    const blocked = await new Session(srv.url, '10.1.0.99').login('limited@test.fr', PW);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBeTruthy();
    // Five failures and the refused sixth attempt, under a hash of the e-mail (never the e-mail itself).
    const db = srv.booted.services.db;
    const n = await db.query<{ n: number }>('SELECT sum(count)::int AS n FROM rate_limits WHERE key = $1', [accountKey('limited@test.fr')]);
    expect(n.rows[0].n).toBe(6);
    expect((await db.query(`SELECT 1 FROM rate_limits WHERE key LIKE '%limited%'`)).rows).toHaveLength(0);
    // Another account is not affected.
    expect((await new Session(srv.url, '10.1.0.100').login('lot@test.fr', PW)).status).toBe(200);
  });

  it('counts parallel wrong passwords on one account before checking them: only the allowed number are tried', async () => {
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => new Session(srv.url, `10.40.${i}.1`).login('parallel@test.fr', 'not the password')),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((st) => st === 401)).toHaveLength(5);
    expect(statuses.filter((st) => st === 429)).toHaveLength(25);
    expect((await new Session(srv.url, '10.40.99.1').login('parallel@test.fr', PW)).status).toBe(429);
  });

  it('counts parallel wrong passwords from one address before checking them', async () => {
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => new Session(srv.url, '10.50.0.1').login(`parallel-guess${i}@test.fr`, 'nope nope nope')),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((st) => st === 401)).toHaveLength(12);
    expect(statuses.filter((st) => st === 429)).toHaveLength(18);
  });

  it('forgets the failures of an account at its next success, and takes a success back from the address', async () => {
    const s = new Session(srv.url, '10.60.0.1');
    for (let i = 0; i < 4; i++) expect((await s.login('lot@test.fr', 'wrong password!!')).status).toBe(401);
    expect((await s.login('lot@test.fr', PW)).status).toBe(200);
    // The account starts again from zero: four more failures are still answered 401, not 429.
    for (let i = 0; i < 4; i++) expect((await s.login('lot@test.fr', 'wrong password!!')).status).toBe(401);
    expect((await s.login('lot@test.fr', PW)).status).toBe(200);
    // Eight failures and two successes from this address: the address limit (12) counts failures only.
    for (let i = 0; i < 4; i++) expect((await s.login(`other${i}@test.fr`, 'nope nope nope')).status).toBe(401);
    expect((await s.login('lot@test.fr', PW)).status).toBe(429);
  });

  it('limits failed logins per IP address across accounts', async () => {
    for (let i = 0; i < 12; i++) {
      expect((await new Session(srv.url, '10.2.0.1').login(`guess${i}@test.fr`, 'nope nope nope')).status).toBe(401);
    }
    expect((await new Session(srv.url, '10.2.0.1').login('lot@test.fr', PW)).status).toBe(429);
    expect((await new Session(srv.url, '10.2.0.2').login('lot@test.fr', PW)).status).toBe(200);
  });
});

describe('roles', () => {
  it('lets only admins manage accounts, with validation naming the field', async () => {
    const coord = new Session(srv.url, '10.3.0.1');
    await coord.login('lot@test.fr', PW);
    expect((await coord.req('GET', '/api/users')).status).toBe(403);
    const admin = new Session(srv.url, '10.3.0.2');
    await admin.login('admin@test.fr', PW);
    const short = await admin.req('POST', '/api/users', { email: 'new@test.fr', role: 'coordinator', territoryIds: [lotId], password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.fields[0].field).toBe('password');
    const created = await admin.req('POST', '/api/users', { email: 'New@test.fr', role: 'coordinator', territoryIds: [lotId], password: 'a long enough password' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'new@test.fr', territoryIds: [lotId] });
    expect(created.body.passwordHash).toBeUndefined();
    expect((await admin.req('POST', '/api/users', { email: 'new@test.fr', role: 'viewer', password: 'a long enough password' })).status).toBe(409);
    const list = await admin.req('GET', `/api/users?filter=${encodeURIComponent(JSON.stringify({ territoryId: lotId }))}`);
    expect(list.body.map((u: any) => u.email)).toContain('new@test.fr');
    const me = (await admin.req('GET', '/auth/me')).body;
    expect((await admin.req('PUT', `/api/users/${me.id}`, { role: 'viewer' })).status).toBe(400);
  });

  it('gives viewers counts but no personal field', async () => {
    const v = new Session(srv.url, '10.3.0.3');
    await v.login('viewer@test.fr', PW);
    const stats = await v.req('GET', '/api/dashboard');
    expect(stats.status).toBe(200);
    expect(stats.body.requestsByStatus.open).toBeGreaterThan(0);
    const people = await v.req('GET', '/api/people?range=[0,4]');
    expect(people.status).toBe(200);
    for (const p of people.body) {
      expect(p.phone).toBeUndefined();
      expect(p.lastName).toBeUndefined();
    }
    expect((await v.req('GET', `/api/people?filter=${encodeURIComponent(JSON.stringify({ phone: '0600000000' }))}`)).status).toBe(400);
    expect((await v.req('POST', '/api/requests', {})).status).toBe(403);
  });
});

describe('territory isolation and audit', () => {
  it('shows a coordinator of another territory nothing of the Lot, through any list, filter, export, map layer or match', async () => {
    const lot = new Session(srv.url, '10.4.0.1');
    await lot.login('lot@test.fr', PW);
    const other = new Session(srv.url, '10.4.0.2');
    await other.login('autre@test.fr', PW);

    const lotRequests = await lot.req('GET', '/api/requests?range=[0,0]');
    expect(Number(lotRequests.headers.get('x-total-count'))).toBeGreaterThan(100);
    const aRequest = lotRequests.body[0];
    const lotPerson = (await lot.req('GET', '/api/people?range=[0,0]', undefined, { headers: { 'x-access-reason': 'test:isolation' } })).body[0];
    const { proposals, ...ask0 } = await proposalAsk(srv);
    const created = await lot.req('POST', '/api/requests', { ...ask0, purpose: 'health' });
    expect(created.status).toBe(201);
    expect(created.body.proposals.length).toBe(proposals);
    const lotMatch = created.body.proposals[0];

    const empty = async (p: string) => {
      const r = await other.req('GET', p);
      expect(r.status, p).toBe(200);
      expect(Array.isArray(r.body) ? r.body : r.body.features, p).toHaveLength(0);
    };
    await empty('/api/requests');
    await empty(`/api/requests?filter=${encodeURIComponent(JSON.stringify({ status: 'open' }))}`);
    await empty('/api/people');
    await empty(`/api/people?filter=${encodeURIComponent(JSON.stringify({ phone: lotPerson.phone }))}`);
    await empty(`/api/people?filter=${encodeURIComponent(JSON.stringify({ q: lotPerson.lastName }))}`);
    await empty(`/api/people?filter=${encodeURIComponent(JSON.stringify({ id: [lotPerson.id] }))}`);
    await empty('/api/trips');
    await empty('/api/matches');
    await empty('/api/providers');
    await empty('/api/feeds');
    await empty('/api/communes'); // the new territory has no commune
    expect((await other.req('GET', `/api/requests/${aRequest.id}`)).status).toBe(404);
    expect((await other.req('GET', `/api/people/${lotPerson.id}`)).status).toBe(404);
    expect((await other.req('GET', `/api/matches/${lotMatch.id}`)).status).toBe(404);
    expect((await other.req('PUT', `/api/matches/${lotMatch.id}`, { status: 'contacted' })).status).toBe(404);
    expect((await other.req('GET', `/api/communes?territoryId=${lotId}`)).status).toBe(403);
    expect((await other.req('GET', `/api/dashboard?territoryId=${lotId}`)).status).toBe(403);
    const stats = await other.req('GET', '/api/dashboard');
    expect(stats.body.requestsByStatus).toEqual({});
    expect(stats.body.activeTrips).toBe(0);
    expect((await other.req('GET', '/api/audit')).status).toBe(403);
    expect((await other.req('GET', '/api/audit/export.csv')).status).toBe(403);
    expect((await other.req('GET', `/api/territories/${lotId}`)).status).toBe(404);
    expect((await other.req('GET', '/api/territories')).body.map((t: any) => t.id)).toEqual([otherId]);
    // A match asked in the Lot: forbidden by territory, and without a territory, no Lot driver.
    const ask = { from: aRequest.from, to: aRequest.to, date: aRequest.date ?? undefined, weekdays: aRequest.date ? undefined : aRequest.weekdays, time: aRequest.time, timeKind: aRequest.timeKind };
    expect((await other.req('POST', '/api/match', { ...ask, territoryId: lotId })).status).toBe(403);
    const answer = await other.req('POST', '/api/match', ask);
    expect(answer.status).toBe(200);
    expect(answer.body.proposals).toHaveLength(0);
    expect((await lot.req('POST', '/api/match', ask)).status).toBe(200);

    // The Lot coordinator sees the Lot's communes (map layer) and not the other territory's providers.
    const communes = await lot.req('GET', `/api/communes?territoryId=${lotId}`);
    expect(communes.body.features.length).toBeGreaterThan(300);
    expect(communes.body.features[0].geometry.type).toMatch(/Polygon/);
    expect((await lot.req('GET', `/api/communes?territoryId=${otherId}`)).status).toBe(403);
  });

  it('records who read which personal fields of whom and why; admins list and export it', async () => {
    const lot = new Session(srv.url, '10.5.0.1');
    const me = (await lot.login('lot@test.fr', PW)).body;
    const person = (await lot.req('GET', '/api/people?range=[0,0]', undefined, { headers: { 'x-access-reason': 'request:4242' } })).body[0];
    await lot.req('GET', `/api/people/${person.id}`, undefined, { headers: { 'x-access-reason': 'request:4242' } });

    const admin = new Session(srv.url, '10.5.0.2');
    await admin.login('admin@test.fr', PW);
    const filter = encodeURIComponent(JSON.stringify({ actor: `user:${me.id}`, reason: 'request:4242' }));
    const list = await admin.req('GET', `/api/audit?filter=${filter}&sort=${encodeURIComponent('["at","DESC"]')}`);
    expect(list.status).toBe(200);
    expect(list.body.length).toBe(2);
    expect(list.body[0]).toMatchObject({ actor: `user:${me.id}`, actorRole: 'coordinator', action: 'read_personal', subjectType: 'person', subjectId: person.id, territoryId: lotId, reason: 'request:4242' });
    expect(list.body[0].fields).toEqual(expect.arrayContaining(['firstName', 'lastName', 'phone']));
    const csv = await admin.req('GET', `/api/audit/export.csv?filter=${filter}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    // For a French spreadsheet: BOM, `;`, French headers, names and labels rather than codes, Paris time.
    // (fetch's text() drops a byte order mark: the bytes tell.)
    const raw = await fetch(`${srv.url}/api/audit/export.csv?filter=${filter}`, {
      headers: { cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-forwarded-for': admin.ip },
    });
    expect([...new Uint8Array(await raw.arrayBuffer()).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('N°;Date et heure (heure de Paris);Qui;Rôle;Territoire;Action;Objet;N° de l’objet;Champs;Motif');
    expect(lines).toHaveLength(3);
    const cells = lines[1].split(';');
    const lotName = (await srv.booted.services.db.query<{ name: string }>('SELECT name FROM territories WHERE id = $1', [lotId])).rows[0].name;
    expect(cells.slice(2, 8)).toEqual(['lot@test.fr', 'Coordinateur', lotName, 'Lecture de données personnelles', 'Personne', String(person.id)]);
    const at = new Date(list.body[0].at);
    const paris = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at).replace(',', '');
    expect(cells[1]).toMatch(/^\d\d\/\d\d\/\d{4} \d\d:\d\d$/);
    expect(lines.slice(1).map((l) => l.split(';')[1])).toContain(paris);
    // The export is itself recorded; logins are too.
    const exports = await admin.req('GET', `/api/audit?filter=${encodeURIComponent(JSON.stringify({ action: ['audit_export', 'login'] }))}`);
    expect(exports.body.map((e: any) => e.action)).toEqual(expect.arrayContaining(['audit_export', 'login']));
  });
});

describe('static console', () => {
  it('serves the built app at /console with a strict content security policy', async () => {
    const r = await fetch(`${srv.url}/console/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await r.text();
    expect(html).toContain('<div id="root">');
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1];
    const js = await fetch(srv.url + asset);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${srv.url}/console/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${srv.url}/console/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${srv.url}/console/requests`)).headers.get('content-type')).toMatch(/text\/html/);
  });
});

describe('communes for pickers', () => {
  it('lists names and centroids without outlines', async () => {
    const r = await srv.api('GET', `/api/communes?territoryId=${lotId}&geometry=false&q=gram`);
    expect(r.status).toBe(200);
    expect(r.body.features.map((f: any) => f.properties.name)).toContain('Gramat');
    expect(r.body.features[0].geometry).toBeNull();
    expect(r.body.features[0].properties.centroid).toHaveLength(2);
  });
});
