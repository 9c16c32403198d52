import { afterAll, beforeAll, expect, it } from 'vitest';
import { createToken } from '../../services/src/domain/tokens.ts';
import { StraightLineRouter } from '../../services/src/routing/straight-line.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { messagingFixtures } from '../messaging/fixture.ts';

/** Notes and timelines on both back ends (the console's own test, tests/console/notes-api.test.ts, goes further). */
let srv: TestServer;
let territoryId: number;
let coordinator: string;
let viewer: string;
const { fixture, walk } = messagingFixtures(() => srv, () => territoryId);

beforeAll(async () => {
  srv = await startServer({ router: new StraightLineRouter() });
  territoryId = (await srv.api('POST', '/api/territories', { slug: 'lot-notes', name: 'Lot' })).body.id;
  coordinator = (await createToken(srv.booted.services.db, { label: 'c', role: 'coordinator', territoryId })).token;
  viewer = (await createToken(srv.booted.services.db, { label: 'v', role: 'viewer', territoryId })).token;
});
afterAll(async () => srv?.close());

it('a coordinator notes a call; the request’s and the person’s timelines show it with the status changes, viewers get 403', async () => {
  const f = await fixture();
  const made = await srv.api('POST', '/api/notes', { subjectType: 'request', subjectId: f.requestId, kind: 'call', body: 'Attendra devant la mairie.' }, coordinator);
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  expect(made.body.author).toMatch(/^token:\d+$/);
  await walk(f.matchId, 'contacted', 'accepted');
  expect((await srv.api('PUT', `/api/requests/${f.requestId}`, { status: 'cancelled' }, coordinator)).status).toBe(200);
  const expected: [string, string[]][] = [
    // The driver's request went with the first status change (same instant: the change first); it is the driver's.
    [`/api/requests/${f.requestId}/timeline`, ['request_status', 'status', 'status', 'message', 'call', 'request']],
    [`/api/people/${f.passengerId}/timeline`, ['request_status', 'status', 'status', 'call', 'request']],
  ];
  for (const [path, types] of expected) {
    const tl = await srv.api('GET', path, undefined, coordinator);
    expect(tl.status, path).toBe(200);
    expect(tl.body.map((e: any) => e.type), path).toEqual(types);
    expect(tl.body.filter((e: any) => e.type === 'status').map((e: any) => e.to)).toEqual(['accepted', 'contacted']);
    expect(tl.body[0]).toMatchObject({ from: 'open', to: 'cancelled' });
    expect(tl.body.find((e: any) => e.type === 'call').text).toBe('Attendra devant la mairie.');
    expect((await srv.api('GET', path, undefined, viewer)).status).toBe(403);
  }
  const audit = await srv.booted.services.db.query(`SELECT 1 FROM audit_log WHERE subject_type = 'person' AND subject_id = $1 AND 'notes' = ANY(fields)`, [f.passengerId]);
  expect(audit.rows.length).toBe(2);
});
