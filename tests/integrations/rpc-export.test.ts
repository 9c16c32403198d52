import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRpcConfig } from '../../services/src/rpc/config.ts';
import { buildJourney } from '../../services/src/rpc/declaration.ts';
import { registryLastName, rpcIdentity, toE164 } from '../../services/src/rpc/identity.ts';
import { RpcExporter } from '../../services/src/rpc/worker.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { findServedTrip } from './journey-finder.ts';
import { openapiValidator } from './openapi.ts';

const oas = openapiValidator(path.resolve(import.meta.dirname, '../../../shared/reference/rpc/api-v3.3.yaml'));

/**
 * A loopback registry: validates every POST /journeys against the documented schema (400 with the errors otherwise),
 * answers 409 for an operator_journey_id it already holds, and can be told to fail the next calls with 503.
 */
function fakeRegistry() {
  const held = new Map<string, unknown>();
  const calls: { auth?: string; body: any; status: number }[] = [];
  let failNext = 0;
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const answer = (status: number, body: unknown) => {
        calls.push({ auth: req.headers.authorization, body: text ? JSON.parse(text) : undefined, status });
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url !== '/v3.3/journeys') return answer(404, { error: 'not found' });
      if (failNext > 0) {
        failNext--;
        return answer(503, { error: 'unavailable' });
      }
      const body = JSON.parse(text);
      const errors = oas.request('/journeys', 'post', body);
      if (errors.length) return answer(400, { id: 1, jsonrpc: '2.0', error: { code: -32602, message: 'Invalid params', data: errors.join(', ') } });
      if (held.has(body.operator_journey_id)) return answer(409, { id: 1, jsonrpc: '2.0', error: { code: -32509, message: 'Conflict' } });
      held.set(body.operator_journey_id, body);
      answer(201, { id: 1, jsonrpc: '2.0', result: { meta: null, data: { operator_journey_id: body.operator_journey_id, created_at: new Date().toISOString() } } });
    });
  });
  return {
    held, calls,
    failNextCalls: (n: number) => (failNext = n),
    start: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v3.3`))),
    close: () => new Promise((r) => server.close(r)),
  };
}

let srv: TestServer;
const registry = fakeRegistry();
let exporter: RpcExporter;
let trip: Awaited<ReturnType<typeof findServedTrip>>;

/**
 * A request of a demo passenger on a trip the demo serves (a week later for each k, so seats never run out), its
 * proposal walked to 'done' through the API as a coordinator would.
 */
async function doneMatch(k = 0): Promise<number> {
  const db = srv.booted.services.db;
  const passenger = (await db.query<{ id: number }>(
    `SELECT p.id FROM people p JOIN person_identities i ON i.person_id = p.id
     WHERE p.is_passenger AND p.territory_id = $1 AND i.phone IS NOT NULL ORDER BY p.id OFFSET $2 LIMIT 1`, [trip.territoryId, k])).rows[0].id;
  const d = new Date(`${trip.date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 7 * k);
  const hhmm = `${String(Math.floor(trip.timeMin / 60)).padStart(2, '0')}:${String(trip.timeMin % 60).padStart(2, '0')}`;
  const req = await srv.api('POST', '/api/requests', {
    territoryId: trip.territoryId, passengerId: passenger, from: { lng: trip.from[0], lat: trip.from[1] }, to: { lng: trip.to[0], lat: trip.to[1] },
    date: d.toISOString().slice(0, 10), time: hhmm, toleranceMin: 15,
  });
  expect(req.status, JSON.stringify(req.body)).toBe(201);
  const id = req.body.proposals.find((p: any) => p.tripId === trip.tripId).id;
  for (const status of ['accepted', 'confirmed', 'done']) {
    const res = await srv.api('PUT', `/api/matches/${id}`, { status });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  return id;
}
const queued = async (matchId: number) => (await srv.booted.services.db.query<any>('SELECT * FROM rpc_journeys WHERE match_id = $1', [matchId])).rows[0];

beforeAll(async () => {
  srv = await startServer({ demo: true });
  trip = await findServedTrip(srv.booted.services);
  const url = await registry.start();
  exporter = new RpcExporter(srv.booted.services.db, srv.booted.services.router, { ...loadRpcConfig({ RPC_TOKEN: 'test-token', RPC_BACKOFF_BASE_S: '1' }), RPC_URL: url });
});
afterAll(async () => {
  await registry.close();
  await srv?.close();
});

describe('identity fields', () => {
  it('normalises phones and last names as the registry specifies', () => {
    expect(toE164('07 01 02 03 04')).toBe('+33701020304');
    expect(toE164('0033 6 01 02 03 04')).toBe('+33601020304');
    expect(toE164('12')).toBeUndefined();
    expect(registryLastName("D'Hérûg-de-l'Hérault")).toBe('D HERUG DE L HERAULT');
    const id = rpcIdentity({ personId: 7, phone: '07 01 02 03 04', lastName: "D'Hérûg-de-l'Hérault" });
    expect(id).toMatchObject({ phone_trunc: '+337010203', operator_user_id: 'person-7' });
    // sha256("+33701020304-D HERUG DE L HERAULT")
    expect((id as { identity_key: string }).identity_key).toBe(crypto.createHash('sha256').update('+33701020304-D HERUG DE L HERAULT').digest('hex'));
    expect((id as { identity_key: string }).identity_key).toMatch(/^[0-9a-f]{64}$/);
    expect(rpcIdentity({ personId: 8, phone: null, lastName: 'X' })).toHaveProperty('error');
  });
});

describe('proof registry export', () => {
  it('queues a match when it is done and builds a declaration valid against API v3.3', async () => {
    const id = await doneMatch();
    const q = await queued(id);
    expect(q.status).toBe('pending');
    expect(q.operator_journey_id).toMatch(/^[a-z0-9]+$/);
    const j = await buildJourney(srv.booted.services.db, srv.booted.services.router, id, q.operator_journey_id, { operatorClass: 'A', timeZone: 'Europe/Paris' });
    expect(oas.request('/journeys', 'post', j)).toEqual([]);
    // The loopback registry's check can fail: a full phone, or a negative distance, is refused.
    const full = j as any;
    expect(oas.request('/journeys', 'post', { ...full, distance: -1 })).not.toEqual([]);
    expect(oas.request('/journeys', 'post', { ...full, driver: { ...full.driver, identity: { ...full.driver.identity, phone_trunc: undefined } } })).not.toEqual([]);
    expect(JSON.stringify(j)).not.toMatch(/"phone"/);
  });

  it('sends with the token, records the answer, and never declares twice', async () => {
    const id = (await srv.booted.services.db.query<{ match_id: number }>(`SELECT match_id FROM rpc_journeys WHERE status = 'pending' LIMIT 1`)).rows[0].match_id;
    const tally = await exporter.runOnce();
    expect(tally.sent).toBeGreaterThanOrEqual(1);
    const q = await queued(id);
    expect(q.status).toBe('sent');
    expect(q.last_http_status).toBe(201);
    expect(q.answer.result.data.operator_journey_id).toBe(q.operator_journey_id);
    expect(registry.calls.at(-1)!.auth).toBe('Bearer test-token');
    // Sent again (e.g. a replica died after sending, before recording): the registry's 409 is taken as done.
    await srv.booted.services.db.query(`UPDATE rpc_journeys SET status = 'pending', next_attempt_at = now() WHERE match_id = $1`, [id]);
    await exporter.runOnce();
    expect((await queued(id)).status).toBe('duplicate');
    expect(registry.held.size).toBe(1);
  });

  it('retries with exponential backoff when the registry is down, with the same payload', async () => {
    const id = await doneMatch(1);
    registry.failNextCalls(2);
    await exporter.runOnce();
    let q = await queued(id);
    expect(q.status).toBe('pending');
    expect(q.last_http_status).toBe(503);
    expect(q.attempts).toBe(1);
    const firstPayload = q.payload;
    const delay1 = (new Date(q.next_attempt_at).getTime() - Date.now()) / 1000;
    expect(delay1).toBeGreaterThan(0);
    // Not due yet: nothing is claimed.
    expect((await exporter.runOnce()).claimed).toBe(0);
    await srv.booted.services.db.query('UPDATE rpc_journeys SET next_attempt_at = now() WHERE match_id = $1', [id]);
    await exporter.runOnce();
    q = await queued(id);
    expect(q.attempts).toBe(2);
    const delay2 = (new Date(q.next_attempt_at).getTime() - new Date(q.updated_at).getTime()) / 1000;
    expect(delay2).toBeGreaterThan(delay1 * 1.2);
    await srv.booted.services.db.query('UPDATE rpc_journeys SET next_attempt_at = now() WHERE match_id = $1', [id]);
    await exporter.runOnce();
    q = await queued(id);
    expect(q.status).toBe('sent');
    expect(q.payload).toEqual(firstPayload);
  });

  it('marks a declaration invalid when an identity lacks what the registry requires, without sending it', async () => {
    const id = await doneMatch(2);
    const before = registry.calls.length;
    await srv.booted.services.db.query(
      `UPDATE person_identities SET phone = NULL WHERE person_id = (SELECT r.passenger_id FROM matches m JOIN requests r ON r.id = m.request_id WHERE m.id = $1)`, [id]);
    await exporter.runOnce();
    const q = await queued(id);
    expect(q.status).toBe('invalid');
    expect(q.last_error).toMatch(/phone/);
    expect(registry.calls.length).toBe(before);
  });

  it('lets several workers run at once without sending a row twice (SKIP LOCKED)', async () => {
    const ids = [await doneMatch(3), await doneMatch(4), await doneMatch(5)];
    const before = registry.calls.length;
    const url = (exporter as unknown as { cfg: { RPC_URL: string } }).cfg.RPC_URL;
    const workers = [0, 1, 2].map(() => new RpcExporter(srv.booted.services.db, srv.booted.services.router, { ...loadRpcConfig({ RPC_TOKEN: 't', RPC_BATCH: '1' }), RPC_URL: url }));
    await Promise.all(workers.map((w) => w.runOnce()));
    await Promise.all(workers.map((w) => w.runOnce()));
    for (const id of ids) expect((await queued(id)).status).toBe('sent');
    expect(registry.calls.length - before).toBe(3);
  });
});
