import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consolePlugin } from '../../services/src/console/plugin.ts';
import { publicPlugin } from '../../services/src/public/plugin.ts';
import { StraightLineRouter } from '../../services/src/routing/straight-line.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { messagingFixtures } from '../messaging/fixture.ts';
import { addUser, DIST, ensureConsoleBuilt, Session } from './helpers.ts';
import { openapiValidator } from '../integrations/openapi.ts';

const PW = 'correct horse battery';
let srv: TestServer;
let territoryId: number;
let otherTerritory: number;
let coord: Session;
let coordUserId: number;
let viewer: Session;
let stranger: Session;
let integrationToken: string;
const { fixture, walk, q } = messagingFixtures(() => srv, () => territoryId);

beforeAll(async () => {
  ensureConsoleBuilt();
  srv = await startServer({
    router: new StraightLineRouter(),
    plugins: async (b) => [await consolePlugin(b.services, { distDir: DIST }), publicPlugin({ RETENTION_JOB: 'off' })],
  });
  territoryId = (await srv.api('POST', '/api/territories', { slug: 'lot', name: 'Lot' })).body.id;
  otherTerritory = (await srv.api('POST', '/api/territories', { slug: 'autre', name: 'Autre' })).body.id;
  const db = srv.booted.services.db;
  coordUserId = await addUser(db, { email: 'claire@notes.fr', password: PW, role: 'coordinator', territoryIds: [territoryId] });
  await db.query(`UPDATE users SET display_name = 'Claire Martin' WHERE id = $1`, [coordUserId]);
  await addUser(db, { email: 'viewer@notes.fr', password: PW, role: 'viewer', territoryIds: [territoryId] });
  await addUser(db, { email: 'autre@notes.fr', password: PW, role: 'coordinator', territoryIds: [otherTerritory] });
  coord = new Session(srv.url, '10.1.0.1');
  viewer = new Session(srv.url, '10.1.0.2');
  stranger = new Session(srv.url, '10.1.0.3');
  expect((await coord.login('claire@notes.fr', PW)).status).toBe(200);
  expect((await viewer.login('viewer@notes.fr', PW)).status).toBe(200);
  expect((await stranger.login('autre@notes.fr', PW)).status).toBe(200);
  const tok = await srv.api('POST', '/api/tokens', { label: 'partenaire', role: 'integration', territoryId });
  expect(tok.status).toBe(201);
  integrationToken = tok.body.token;
});
afterAll(async () => srv?.close());

const auditRows = (subjectType: string, subjectId: number) =>
  q<{ actor: string; fields: string[]; reason: string | null }>(
    `SELECT actor, fields, reason FROM audit_log WHERE action = 'read_personal' AND subject_type = $1 AND subject_id = $2 AND 'notes' = ANY(fields)`,
    [subjectType, subjectId],
  );

describe('notes', () => {
  it('are written and listed with their author and time, newest first, on requests, matches and people', async () => {
    const f = await fixture();
    const a = await coord.req('POST', '/api/notes', { subjectType: 'request', subjectId: f.requestId, kind: 'call', body: 'A rappelé : rendez-vous avancé à 9 h.' });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(a.body).toMatchObject({ subjectType: 'request', subjectId: f.requestId, kind: 'call', author: `user:${coordUserId}`, authorName: 'Claire Martin', territoryId });
    expect(Date.now() - new Date(a.body.createdAt).getTime()).toBeLessThan(60_000);
    const b = await coord.req('POST', '/api/notes', { subjectType: 'request', subjectId: f.requestId, body: '  Préfère être appelée le matin.  ' });
    expect(b.status).toBe(201);
    expect(b.body).toMatchObject({ kind: 'note', body: 'Préfère être appelée le matin.' });
    expect((await coord.req('POST', '/api/notes', { subjectType: 'match', subjectId: f.matchId, kind: 'call', body: 'Pierre passera par la place.' })).status).toBe(201);
    expect((await coord.req('POST', '/api/notes', { subjectType: 'person', subjectId: f.passengerId, kind: 'note', body: 'Sa fille appelle pour elle.' })).status).toBe(201);

    const list = await coord.req('GET', `/api/notes?subjectType=request&subjectId=${f.requestId}`, undefined, { headers: { 'x-access-reason': `request:${f.requestId}` } });
    expect(list.status).toBe(200);
    expect(list.body.map((n: any) => n.body)).toEqual(['Préfère être appelée le matin.', 'A rappelé : rendez-vous avancé à 9 h.']);
    // The read is audited against the passenger, with the reason the console gave.
    const audited = await auditRows('person', f.passengerId);
    expect(audited.some((r) => r.actor === `user:${coordUserId}` && r.reason === `request:${f.requestId}`)).toBe(true);
    const onPerson = await coord.req('GET', `/api/notes?subjectType=person&subjectId=${f.passengerId}`);
    expect(onPerson.body.map((n: any) => n.body)).toEqual(['Sa fille appelle pour elle.']);
    const onMatch = await coord.req('GET', `/api/notes?subjectType=match&subjectId=${f.matchId}`);
    expect(onMatch.body).toHaveLength(1);
    // A match's notes concern both its people.
    expect((await auditRows('person', f.driverId)).length).toBeGreaterThan(0);
  });

  it('are refused to viewers, integrations and coordinators of another territory, and absent from what viewers read', async () => {
    const f = await fixture();
    await coord.req('POST', '/api/notes', { subjectType: 'request', subjectId: f.requestId, kind: 'call', body: 'Dialyse le mardi.' });
    for (const path of [`/api/notes?subjectType=request&subjectId=${f.requestId}`, `/api/requests/${f.requestId}/timeline`, `/api/people/${f.passengerId}/timeline`]) {
      const v = await viewer.req('GET', path);
      expect(v.status, path).toBe(403);
      const i = await srv.api('GET', path, undefined, integrationToken);
      expect(i.status, path).toBe(403);
      expect(JSON.stringify(v.body) + JSON.stringify(i.body)).not.toContain('Dialyse');
      // Another territory's coordinator does not even learn the request exists.
      expect((await stranger.req('GET', path)).status, path).toBe(404);
    }
    expect((await viewer.req('POST', '/api/notes', { subjectType: 'request', subjectId: f.requestId, body: 'x' })).status).toBe(403);
    expect((await srv.api('POST', '/api/notes', { subjectType: 'request', subjectId: f.requestId, body: 'x' }, integrationToken)).status).toBe(403);
    expect((await stranger.req('POST', '/api/notes', { subjectType: 'request', subjectId: f.requestId, body: 'x' })).status).toBe(404);
    // What a viewer may read of the request and the person carries no note.
    const seen = [await viewer.req('GET', `/api/requests/${f.requestId}`), await viewer.req('GET', `/api/people/${f.passengerId}`)];
    for (const r of seen) {
      expect(r.status).toBe(200);
      expect(JSON.stringify(r.body)).not.toContain('Dialyse');
    }
    const count = await q<{ n: number }>(`SELECT count(*)::int AS n FROM notes WHERE request_id = $1`, [f.requestId]);
    expect(count[0].n).toBe(1);
  });

  it('answers 4xx naming the field on bad input', async () => {
    const f = await fixture();
    const cases: [unknown, string][] = [
      [{ subjectType: 'request', subjectId: f.requestId, body: '' }, 'body'],
      [{ subjectType: 'request', subjectId: f.requestId, body: '   ' }, 'body'],
      [{ subjectType: 'request', subjectId: f.requestId, body: 'x'.repeat(4001) }, 'body'],
      [{ subjectType: 'trip', subjectId: f.tripId, body: 'x' }, 'subjectType'],
      [{ subjectType: 'request', subjectId: 'douze', body: 'x' }, 'subjectId'],
      [{ subjectType: 'request', subjectId: f.requestId, kind: 'sms', body: 'x' }, 'kind'],
      [{ subjectType: 'request', subjectId: f.requestId, body: 'x', author: 'user:1' }, '(body)'],
      [{ subjectType: 'request', body: 'x' }, 'subjectId'],
    ];
    for (const [body, field] of cases) {
      const r = await coord.req('POST', '/api/notes', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.fields.map((x: any) => x.field), JSON.stringify(r.body)).toContain(field);
    }
    const missing = await coord.req('POST', '/api/notes', { subjectType: 'request', subjectId: 2_000_000_000, body: 'x' });
    expect(missing.status).toBe(404);
    const badQuery = await coord.req('GET', '/api/notes?subjectType=request&subjectId=abc');
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.fields[0].field).toBe('subjectId');
    expect((await coord.req('GET', '/api/notes?subjectId=1')).body.fields[0].field).toBe('subjectType');
    expect((await coord.req('GET', '/api/requests/0/timeline')).status).toBe(400);
    expect((await q(`SELECT 1 FROM notes WHERE request_id = $1`, [f.requestId])).length).toBe(0);
  });
});

describe('timelines', () => {
  it('show a request’s calls, status changes with their notes and messages, newest first, and the passenger’s too', async () => {
    const f = await fixture({ driver: { messaging: { channel: 'sms', consent: true } }, passenger: { messaging: { channel: 'sms', consent: true } } });
    await coord.req('POST', '/api/notes', { subjectType: 'request', subjectId: f.requestId, kind: 'call', body: 'Premier appel.' });
    const moved = await coord.req('PUT', `/api/matches/${f.matchId}`, { status: 'contacted', note: 'Pierre rappelle ce soir.' });
    expect(moved.status).toBe(200);
    // A note on the match without a status change (the review page's box) is kept in the timeline too.
    expect((await coord.req('PUT', `/api/matches/${f.matchId}`, { note: 'Il a une place pour le fauteuil.' })).status).toBe(200);
    await walk(f.matchId, 'accepted', 'confirmed');

    const tl = await coord.req('GET', `/api/requests/${f.requestId}/timeline`, undefined, { headers: { 'x-access-reason': `request:${f.requestId}` } });
    expect(tl.status, JSON.stringify(tl.body)).toBe(200);
    const types = tl.body.map((e: any) => e.type);
    expect(types.at(-1)).toBe('request');
    const times = tl.body.map((e: any) => new Date(e.at).getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const statuses = tl.body.filter((e: any) => e.type === 'status');
    expect(statuses.map((e: any) => e.to)).toEqual(['confirmed', 'accepted', 'contacted']);
    const contacted = statuses.find((e: any) => e.to === 'contacted');
    expect(contacted).toMatchObject({ from: 'proposed', text: 'Pierre rappelle ce soir.', actor: `user:${coordUserId}`, actorName: 'Claire Martin', driverName: 'Pierre Conducteur', matchId: f.matchId });
    expect(tl.body.find((e: any) => e.type === 'note')).toMatchObject({ text: 'Il a une place pour le fauteuil.', subjectType: 'match', driverName: 'Pierre Conducteur' });
    expect(tl.body.find((e: any) => e.type === 'call')).toMatchObject({ text: 'Premier appel.', subjectType: 'request' });
    // The messages queued by the workflow: the driver's request, the two confirmations (numbers masked).
    const messages = tl.body.filter((e: any) => e.type === 'message');
    expect(messages.map((m: any) => m.messageKind)).toEqual(expect.arrayContaining(['driver_request', 'confirmation']));
    for (const m of messages) expect(m.recipient).toMatch(/^\d\d( ••)+ \d\d$/);
    expect(messages.map((m: any) => m.personName)).toEqual(expect.arrayContaining(['Marie Passagère', 'Pierre Conducteur']));

    // The answers are those the OpenAPI document describes.
    const v = openapiValidator((await srv.api('GET', '/api/openapi.json', undefined, null)).body);
    expect(v.response('/api/requests/{id}/timeline', 'get', 200, tl.body)).toEqual([]);
    const listed = await coord.req('GET', `/api/notes?subjectType=request&subjectId=${f.requestId}`);
    expect(v.response('/api/notes', 'get', 200, listed.body)).toEqual([]);
    expect(v.request('/api/notes', 'post', { subjectType: 'person', subjectId: 1, kind: 'call', body: 'x' })).toEqual([]);

    // The passenger's page: the same story, and a note about her.
    await coord.req('POST', '/api/notes', { subjectType: 'person', subjectId: f.passengerId, kind: 'note', body: 'Malentendante : parler fort.' });
    const person = await coord.req('GET', `/api/people/${f.passengerId}/timeline`, undefined, { headers: { 'x-access-reason': `person:${f.passengerId}` } });
    expect(person.status).toBe(200);
    expect(v.response('/api/people/{id}/timeline', 'get', 200, person.body)).toEqual([]);
    expect(person.body[0]).toMatchObject({ type: 'note', text: 'Malentendante : parler fort.', subjectType: 'person' });
    expect(person.body.filter((e: any) => e.type === 'status')).toHaveLength(3);
    expect(person.body.some((e: any) => e.type === 'call' && e.text === 'Premier appel.')).toBe(true);
    // Only the messages to her on her page.
    expect(person.body.filter((e: any) => e.type === 'message').every((m: any) => m.personName === 'Marie Passagère')).toBe(true);
    // The driver's page holds the match's history too, and not the passenger's own note.
    const driver = await coord.req('GET', `/api/people/${f.driverId}/timeline`);
    expect(driver.body.filter((e: any) => e.type === 'status')).toHaveLength(3);
    expect(driver.body.some((e: any) => e.text === 'Malentendante : parler fort.')).toBe(false);
    // Each read audited: the subject and every person named.
    const rows = await q<{ subject_id: number; reason: string | null }>(
      `SELECT subject_id, reason FROM audit_log WHERE subject_type = 'person' AND 'history' = ANY(fields) AND reason = $1`, [`person:${f.passengerId}`]);
    expect(rows.map((r) => r.subject_id).sort()).toEqual([f.driverId, f.passengerId].sort());
  });

  it('show a request’s own status changes, with the coded reason and who, and export them with the passenger', async () => {
    const f = await fixture();
    expect((await coord.req('PUT', `/api/requests/${f.requestId}`, { status: 'unserved', unservedReason: 'no_driver_at_time' })).status).toBe(200);
    // The same status again changes nothing; a note alone records no status change.
    expect((await coord.req('PUT', `/api/requests/${f.requestId}`, { status: 'unserved', unservedReason: 'no_driver_at_time' })).status).toBe(200);
    expect((await coord.req('PUT', `/api/requests/${f.requestId}`, { note: 'Orientée vers le TAD.' })).status).toBe(200);
    const tl = await coord.req('GET', `/api/requests/${f.requestId}/timeline`);
    const changes = tl.body.filter((e: any) => e.type === 'request_status');
    expect(changes).toEqual([expect.objectContaining({ from: 'open', to: 'unserved', reason: 'no_driver_at_time', actor: `user:${coordUserId}`, actorName: 'Claire Martin' })]);
    const exp = await srv.api('GET', `/api/people/${f.passengerId}/export`);
    expect(exp.body.requestEvents).toEqual([expect.objectContaining({ request_id: f.requestId, to_status: 'unserved', reason: 'no_driver_at_time' })]);
  });

  it('are erased and exported with the person', async () => {
    const f = await fixture();
    const words = 'Aidée par sa voisine Gisèle Secretnote au 06 99 88 77 66';
    await coord.req('POST', '/api/notes', { subjectType: 'request', subjectId: f.requestId, kind: 'call', body: `${words} (demande)` });
    await coord.req('POST', '/api/notes', { subjectType: 'match', subjectId: f.matchId, kind: 'note', body: `${words} (mise en relation)` });
    await coord.req('POST', '/api/notes', { subjectType: 'person', subjectId: f.passengerId, kind: 'note', body: `${words} (personne)` });
    const other = await fixture();
    await coord.req('POST', '/api/notes', { subjectType: 'person', subjectId: other.passengerId, kind: 'note', body: 'Une autre personne.' });

    const exp = await srv.api('GET', `/api/people/${f.passengerId}/export`);
    expect(exp.status).toBe(200);
    expect(exp.body.notes.map((n: any) => n.body).sort()).toEqual([`${words} (demande)`, `${words} (mise en relation)`, `${words} (personne)`].sort());
    expect(exp.body.notes[0]).toMatchObject({ author: `user:${coordUserId}`, kind: expect.any(String), created_at: expect.any(String) });
    // The driver's export holds the note on their match, not the passenger's own notes.
    const drv = await srv.api('GET', `/api/people/${f.driverId}/export`);
    expect(drv.body.notes.map((n: any) => n.body)).toEqual([`${words} (mise en relation)`]);

    expect((await srv.api('POST', `/api/people/${f.passengerId}/erase`)).status).toBe(200);
    const left = await q<{ body: string; kind: string; author: string }>(
      'SELECT body, kind, author FROM notes WHERE request_id = $1 OR match_id = $2 OR person_id = $3', [f.requestId, f.matchId, f.passengerId]);
    // The calls stay counted (when, by whom, what kind), their words go.
    expect(left).toHaveLength(3);
    for (const n of left) expect(n).toMatchObject({ body: '', author: `user:${coordUserId}` });
    expect((await q(`SELECT 1 FROM notes WHERE body LIKE '%Secretnote%'`)).length).toBe(0);
    expect((await q<{ body: string }>('SELECT body FROM notes WHERE person_id = $1', [other.passengerId]))[0].body).toBe('Une autre personne.');
    const after = await srv.api('GET', `/api/people/${f.passengerId}/export`);
    expect(JSON.stringify(after.body)).not.toContain('Secretnote');
  });
});
