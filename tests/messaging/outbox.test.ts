import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../services/src/domain/tokens.ts';
import { transition } from '../../services/src/domain/matches.ts';
import { erasePerson } from '../../services/src/privacy/erase.ts';
import { exportPerson } from '../../services/src/privacy/export.ts';
import { loadMessagingConfig } from '../../services/src/messaging/config.ts';
import { Outbox, providersOf } from '../../services/src/messaging/outbox.ts';
import { messagingPlugin } from '../../services/src/messaging/plugin.ts';
import { toUnix } from '../../services/src/interop/time.ts';
import { StraightLineRouter } from '../../services/src/routing/straight-line.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { messagingFixtures, weekdayAhead } from './fixture.ts';
import {
  BREVO_HOOK_TOKEN,
  BREVO_KEY,
  fakeProviders,
  TWILIO_FROM,
  TWILIO_SID,
  TWILIO_TOKEN,
  twilioSign,
} from './fake-providers.ts';

const PUBLIC = 'https://comobi.example.org';

const fake = fakeProviders();
let srv: TestServer;
let territoryId: number;
let env: Record<string, string>;
const { q, fixture, walk, messagesOf } = messagingFixtures(() => srv, () => territoryId);

const outbox = (over: Record<string, string> = {}) =>
  new Outbox(srv.booted.services.db, providersOf(loadMessagingConfig({ ...env, ...over })), {
    MESSAGING_BATCH: 50,
    MESSAGING_BACKOFF_BASE_S: 30,
    MESSAGING_MAX_ATTEMPTS: 3,
  });

async function twilioWebhook(p: string, params: Record<string, string>, signature = twilioSign(`${PUBLIC}${p}`, params)) {
  const res = await fetch(srv.url + p, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, text: await res.text() };
}

beforeAll(async () => {
  const base = await fake.start();
  env = {
    MESSAGING_WORKER: 'off',
    MESSAGING_SMS_PROVIDER: 'brevo',
    MESSAGING_VOICE_PROVIDER: 'twilio',
    MESSAGING_PUBLIC_URL: PUBLIC,
    BREVO_API_URL: `${base}/v3`,
    BREVO_API_KEY: BREVO_KEY,
    BREVO_WEBHOOK_TOKEN: BREVO_HOOK_TOKEN,
    TWILIO_API_URL: base,
    TWILIO_ACCOUNT_SID: TWILIO_SID,
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    TWILIO_FROM,
  };
  srv = await startServer({ router: new StraightLineRouter(), plugins: () => [messagingPlugin(env)] });
  const t = await srv.api('POST', '/api/territories', { slug: 'lot-messages', name: 'Lot (messages)', coordinatorPhone: '05 65 53 00 00' });
  expect(t.status).toBe(201);
  territoryId = t.body.id;
});
afterAll(async () => {
  await srv?.close();
  await fake.close();
});

describe('outbox: queued with the change that causes it', () => {
  it('a confirmed match queues a confirmation to the passenger and the driver, sent through Brevo as documented', async () => {
    const f = await fixture();
    await walk(f.matchId, 'accepted');
    expect(await messagesOf(f.matchId)).toHaveLength(0);
    await walk(f.matchId, 'confirmed');
    const queued = await messagesOf(f.matchId);
    expect(queued.map((m) => `${m.kind}:${m.person_id}:${m.status}`).sort()).toEqual(
      [`confirmation:${f.driverId}:queued`, `confirmation:${f.passengerId}:queued`, `reminder:${f.driverId}:queued`, `reminder:${f.passengerId}:queued`].sort(),
    );
    const before = fake.calls.length;
    // Daytime in Paris, so that quiet hours do not hold the confirmations back.
    const noon = new Date(toUnix(new Date().toISOString().slice(0, 10), 12 * 60, 'Europe/Paris') * 1000 + 86_400_000);
    const t = await outbox().runOnce(noon);
    expect(t).toMatchObject({ sent: 2, retried: 0, failed: 0 });
    const sent = fake.calls.slice(before);
    expect(sent.every((c) => c.path === '/v3/transactionalSMS/send' && c.headers['api-key'] === BREVO_KEY && c.status === 201)).toBe(true);
    const [dd, mm, yyyy] = [f.date.slice(8, 10), f.date.slice(5, 7), f.date.slice(0, 4)];
    const toPassenger = sent.find((c) => c.body.content.includes('Conducteur'))!.body;
    expect(toPassenger).toMatchObject({ sender: 'CoMobi', type: 'transactional', webUrl: `${PUBLIC}/webhooks/brevo/sms`, unicodeEnabled: false });
    expect(toPassenger.recipient).toMatch(/^336\d{8}$/);
    expect(toPassenger.content).toContain(`${dd}/${mm}/${yyyy}`);
    expect(toPassenger.content).toMatch(/à 0[78]h\d\d/);
    expect(toPassenger.content).toContain('Place de la Mairie, Le Vigan');
    // The driver agreed to direct contact: the passenger gets the first name and the number; the coordination's too.
    expect(toPassenger.content).toMatch(/Conducteur : Pierre 06 12 34 \d\d 78/);
    expect(toPassenger.content).toContain('Coordination : 05 65 53 00 00');
    const toDriver = sent.find((c) => c.body.content.includes('vous emmenez'))!.body;
    // The passenger did not: the driver gets her first name only.
    expect(toDriver.content).toMatch(/vous emmenez Marie le /);
    expect(toDriver.content).not.toMatch(/Marie 06/);
    const after = await messagesOf(f.matchId);
    const confirmations = after.filter((m) => m.kind === 'confirmation');
    expect(confirmations.every((m) => m.status === 'sent' && m.provider === 'brevo' && /^\d+$/.test(m.provider_message_id))).toBe(true);
    expect(confirmations.every((m) => m.encoding === 'GSM-7' && m.segments >= 1 && m.segments <= 2)).toBe(true);
    // Reminders wait for the day before.
    expect(after.filter((m) => m.kind === 'reminder').every((m) => m.status === 'queued' && m.attempts === 0)).toBe(true);
    const audit = await q(`SELECT subject_id, reason FROM audit_log WHERE action = 'message_sent' AND subject_id = ANY($1::int[])`, [confirmations.map((m) => m.id)]);
    expect(audit).toHaveLength(2);
  });

  it('a change rolled back queues nothing', async () => {
    const f = await fixture();
    await walk(f.matchId, 'accepted');
    await expect(
      srv.booted.services.db.transaction(async (tx) => {
        await transition(tx, { actor: 'test', territoryIds: null }, f.matchId, 'confirmed', null, null);
        expect((await tx.query('SELECT id FROM messages WHERE match_id = $1', [f.matchId])).rows.length).toBeGreaterThan(0);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await messagesOf(f.matchId)).toHaveLength(0);
  });

  it('the reminder goes the day before at 18:00 Paris time, not earlier; a cancellation withdraws it and notifies', async () => {
    const f = await fixture({ date: weekdayAhead(8) });
    await walk(f.matchId, 'accepted', 'confirmed');
    const reminders = (await messagesOf(f.matchId)).filter((m) => m.kind === 'reminder');
    const d = new Date(`${f.date}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() - 1);
    const expected = toUnix(d.toISOString().slice(0, 10), 18 * 60, 'Europe/Paris') * 1000;
    expect(reminders.map((m) => new Date(m.planned_at).getTime())).toEqual([expected, expected]);
    const ob = outbox();
    await ob.drain(new Date(expected - 60_000));
    expect((await messagesOf(f.matchId)).filter((m) => m.kind === 'reminder' && m.status === 'queued')).toHaveLength(2);
    const t = await ob.drain(new Date(expected));
    expect(t.sent).toBeGreaterThanOrEqual(2);
    const sent = (await messagesOf(f.matchId)).filter((m) => m.kind === 'reminder');
    expect(sent.every((m) => m.status === 'sent')).toBe(true);
    expect(sent[0].body).toMatch(/^CoMobi, rappel : demain /);

    // Another confirmed trip, cancelled before its reminder: the reminder never goes, both people get a notice.
    // At least two days later than the first (weekends are skipped), so its reminder is not due yet.
    const g = await fixture({ date: weekdayAhead(12) });
    await walk(g.matchId, 'accepted', 'confirmed');
    await ob.drain(new Date(expected));
    await walk(g.matchId, 'cancelled');
    const rows = await messagesOf(g.matchId);
    expect(rows.filter((m) => m.kind === 'reminder').map((m) => m.status)).toEqual(['cancelled', 'cancelled']);
    expect(rows.filter((m) => m.kind === 'cancellation').map((m) => m.person_id).sort()).toEqual([g.driverId, g.passengerId].sort());
    expect(rows.find((m) => m.kind === 'cancellation')!.body).toMatch(/est annulé/);
  });

  it('quiet hours hold a message back until they end (a person’s own, or 21:00–08:00 by default)', async () => {
    const f = await fixture({ passenger: { messaging: { channel: 'sms', consent: true, quietHours: { start: '17:00', end: '19:00' } } } });
    await walk(f.matchId, 'accepted', 'confirmed');
    const at = (day: string, min: number) => new Date(toUnix(day, min, 'Europe/Paris') * 1000);
    const status = async (kind: string, personId: number) =>
      (await messagesOf(f.matchId)).find((m) => m.kind === kind && m.person_id === personId)!.status;
    const ob = outbox();
    const day = weekdayAhead(1);
    await ob.drain(at(day, 7 * 60));
    expect(await status('confirmation', f.driverId)).toBe('queued');
    expect(await status('confirmation', f.passengerId)).toBe('sent');
    await ob.drain(at(day, 8 * 60));
    expect(await status('confirmation', f.driverId)).toBe('sent');
    // The reminder at 18:00 falls in the passenger's own quiet hours: it goes at their end, 19:00.
    const eve = new Date(`${f.date}T12:00:00Z`);
    eve.setUTCDate(eve.getUTCDate() - 1);
    const before = eve.toISOString().slice(0, 10);
    await ob.drain(at(before, 18 * 60));
    expect(await status('reminder', f.driverId)).toBe('sent');
    expect(await status('reminder', f.passengerId)).toBe('queued');
    await ob.drain(at(before, 19 * 60));
    expect(await status('reminder', f.passengerId)).toBe('sent');
  });
});

describe('one replica at a time', () => {
  it('two senders draining the same outbox at once send each message exactly once', async () => {
    const db = srv.booted.services.db;
    await q(
      `INSERT INTO messages (territory_id, kind, channel, recipient, body, idempotency_key)
       SELECT $1, 'confirmation', 'sms', '+336' || lpad(g::text, 8, '0'), 'CoMobi : test', 'replicas:' || g FROM generate_series(1, 120) g`,
      [territoryId],
    );
    const dry = () => new Outbox(db, providersOf(loadMessagingConfig({})), { MESSAGING_BATCH: 10, MESSAGING_BACKOFF_BASE_S: 30, MESSAGING_MAX_ATTEMPTS: 3 });
    const noon = new Date(toUnix(weekdayAhead(1), 12 * 60, 'Europe/Paris') * 1000);
    const [a, b] = await Promise.all([dry().drain(noon), dry().drain(noon)]);
    expect(a.sent).toBeGreaterThan(0);
    expect(b.sent).toBeGreaterThan(0);
    const sends = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log a JOIN messages m ON m.id = a.subject_id
       WHERE a.action = 'message_sent' AND m.idempotency_key LIKE 'replicas:%' GROUP BY m.id`,
    );
    expect(sends).toHaveLength(120);
    expect(sends.every((r) => r.n === 1)).toBe(true);
    expect((await q(`SELECT DISTINCT status FROM messages WHERE idempotency_key LIKE 'replicas:%'`)).map((r) => r.status)).toEqual(['dry_run']);
  });
});

describe('providers: failures, retries, delivery reports', () => {
  it('a provider down leaves the message queued, retried with backoff, shown late; then it goes', async () => {
    const f = await fixture();
    await walk(f.matchId, 'accepted', 'confirmed');
    const now = new Date(toUnix(weekdayAhead(1), 10 * 60, 'Europe/Paris') * 1000);
    fake.setMode('down');
    const ob = outbox();
    try {
      await ob.runOnce(now);
    } finally {
      fake.setMode('ok');
    }
    const rows = (await messagesOf(f.matchId)).filter((m) => m.kind === 'confirmation');
    expect(rows.every((m) => m.status === 'queued' && m.attempts === 1 && m.last_error === 'brevo: HTTP 503 service_unavailable')).toBe(true);
    // Backoff: 30 s ± 20 % after the failed attempt.
    for (const m of rows) {
      const wait = (new Date(m.next_attempt_at).getTime() - now.getTime()) / 1000;
      expect(wait).toBeGreaterThanOrEqual(24);
      expect(wait).toBeLessThanOrEqual(36);
    }
    const list = await srv.api('GET', `/api/messages?filter=${encodeURIComponent(JSON.stringify({ matchId: f.matchId, late: true }))}`);
    expect(list.status).toBe(200);
    expect(list.body.map((m: any) => m.kind)).toEqual(['confirmation', 'confirmation']);
    expect(list.body.every((m: any) => m.late && m.status === 'queued')).toBe(true);
    // Not yet due: nothing is sent again before the backoff.
    expect((await ob.runOnce(new Date(now.getTime() + 10_000))).claimed).toBe(0);
    await ob.runOnce(new Date(now.getTime() + 60_000));
    expect((await messagesOf(f.matchId)).filter((m) => m.kind === 'confirmation').every((m) => m.status === 'sent' && m.attempts === 2)).toBe(true);
  });

  it('a message the provider refuses (invalid number) fails at once, audited, not retried', async () => {
    const f = await fixture();
    await walk(f.matchId, 'accepted', 'confirmed');
    fake.setMode('reject');
    try {
      await outbox().runOnce(new Date(toUnix(weekdayAhead(1), 10 * 60, 'Europe/Paris') * 1000));
    } finally {
      fake.setMode('ok');
    }
    const rows = (await messagesOf(f.matchId)).filter((m) => m.kind === 'confirmation');
    expect(rows.map((m) => m.status)).toEqual(['failed', 'failed']);
    const audit = await q(`SELECT 1 FROM audit_log WHERE action = 'message_failed' AND subject_id = ANY($1::int[])`, [rows.map((m) => m.id)]);
    expect(audit).toHaveLength(2);
  });

  it('Brevo delivery reports mark a message delivered; a wrong token gets 401 and changes nothing', async () => {
    const f = await fixture();
    await walk(f.matchId, 'accepted', 'confirmed');
    await outbox().runOnce(new Date(toUnix(weekdayAhead(1), 10 * 60, 'Europe/Paris') * 1000));
    const m = (await messagesOf(f.matchId)).find((x) => x.kind === 'confirmation')!;
    const event = {
      id: 26570, to: m.recipient.slice(1), sms_count: 1, credits_used: 1, messageId: Number(m.provider_message_id),
      remaining_credit: 11488.8, msg_status: 'delivered', date: '2026-12-01 10:00:00', type: 'transactional', reference: 'ab1cde2fgh3i4jklmno',
    };
    const post = (token: string) =>
      fetch(`${srv.url}/webhooks/brevo/sms`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(event) });
    const bad = await post('not-the-token-at-all-000');
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: 'unauthorized' });
    expect((await q('SELECT status FROM messages WHERE id = $1', [m.id]))[0].status).toBe('sent');
    const good = await post(BREVO_HOOK_TOKEN);
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ matched: true });
    const row = (await q('SELECT status, delivered_at FROM messages WHERE id = $1', [m.id]))[0];
    expect(row.status).toBe('delivered');
    expect(row.delivered_at).not.toBeNull();
  });
});

describe('answers: a driver says OUI by SMS or presses 1 on a call', () => {
  it('"OUI 4821" from the driver accepts the match (in its timeline); the reply goes through Twilio; replays change nothing', async () => {
    const f = await fixture();
    await walk(f.matchId, 'contacted');
    const [request] = await messagesOf(f.matchId);
    expect(request).toMatchObject({ kind: 'driver_request', channel: 'sms', status: 'queued' });
    expect(request.reply_code).toMatch(/^\d{4}$/);
    expect(request.body).toContain(`Répondez OUI ${request.reply_code} ou NON ${request.reply_code}`);
    const twilio = outbox({ MESSAGING_SMS_PROVIDER: 'twilio' });
    const before = fake.calls.length;
    await twilio.runOnce(new Date(toUnix(weekdayAhead(1), 9 * 60, 'Europe/Paris') * 1000));
    const sms = fake.calls.slice(before).find((c) => c.path.endsWith('/Messages.json'))!;
    expect(sms.status).toBe(201);
    expect(sms.body).toMatchObject({ To: request.recipient, From: TWILIO_FROM, StatusCallback: `${PUBLIC}/webhooks/twilio/sms/status` });
    expect(sms.headers.authorization).toBe(`Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64')}`);

    const inbound = { AccountSid: TWILIO_SID, MessageSid: 'SM00000000000000000000000000000001', From: request.recipient, To: TWILIO_FROM, Body: `Oui ${request.reply_code}`, NumMedia: '0' };
    // A forged call (signed with another token) is refused and changes nothing.
    const forged = await twilioWebhook('/webhooks/twilio/sms', inbound, twilioSign(`${PUBLIC}/webhooks/twilio/sms`, inbound, 'someone-elses-token-000'));
    expect(forged.status).toBe(401);
    expect((await srv.api('GET', `/api/matches/${f.matchId}`)).body.status).toBe('contacted');

    const ok = await twilioWebhook('/webhooks/twilio/sms', inbound);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('<Response/>');
    const match = await srv.api('GET', `/api/matches/${f.matchId}`);
    expect(match.body.status).toBe('accepted');
    expect(match.body.events.at(-1)).toMatchObject({ from: 'contacted', to: 'accepted', actor: `sms:person:${f.driverId}` });
    const rows = await messagesOf(f.matchId);
    expect(rows.find((m) => m.kind === 'driver_request')).toMatchObject({ status: 'answered', answer: 'OUI' });
    const reply = rows.find((m) => m.kind === 'reply')!;
    expect(reply.body).toMatch(/^CoMobi : merci, c'est noté/);
    // The same webhook again (providers retry): no second reply.
    await twilioWebhook('/webhooks/twilio/sms', inbound);
    expect((await messagesOf(f.matchId)).filter((m) => m.kind === 'reply')).toHaveLength(1);

    // The same code once the request is closed: a polite answer, nothing changes.
    await twilioWebhook('/webhooks/twilio/sms', { ...inbound, MessageSid: 'SM00000000000000000000000000000002', Body: `NON ${request.reply_code}` });
    expect((await srv.api('GET', `/api/matches/${f.matchId}`)).body.status).toBe('accepted');
    const closed = (await q(`SELECT body FROM messages WHERE idempotency_key = 'reply:twilio:SM00000000000000000000000000000002'`))[0];
    expect(closed.body).toMatch(/n'est plus ouverte/);
    expect(closed.body).toContain('05 65 53 00 00');

    // An unknown code: a polite answer, nothing changes.
    await twilioWebhook('/webhooks/twilio/sms', { ...inbound, MessageSid: 'SM00000000000000000000000000000003', Body: 'OUI 0000' });
    const unknown = (await q(`SELECT body, match_id FROM messages WHERE idempotency_key = 'reply:twilio:SM00000000000000000000000000000003'`))[0];
    expect(unknown.body).toMatch(/pas reconnu votre réponse/);
    expect(unknown.match_id).toBeNull();
  });

  it('"NON" declines with a coded reason', async () => {
    const f = await fixture();
    await walk(f.matchId, 'contacted');
    const [request] = await messagesOf(f.matchId);
    await twilioWebhook('/webhooks/twilio/sms', { MessageSid: 'SM00000000000000000000000000000010', From: request.recipient, To: TWILIO_FROM, Body: `non ${request.reply_code}` });
    const match = await srv.api('GET', `/api/matches/${f.matchId}`);
    expect(match.body).toMatchObject({ status: 'declined', statusReason: 'driver_unavailable' });
  });

  it('a driver on a landline gets a call read in French; pressing 1 accepts the match', async () => {
    const f = await fixture({ driver: { phone: '05 65 22 33 44', messaging: { channel: 'voice', consent: true } } });
    await walk(f.matchId, 'contacted');
    const [request] = await messagesOf(f.matchId);
    expect(request).toMatchObject({ kind: 'driver_request', channel: 'voice', recipient: '+33565223344' });
    const before = fake.calls.length;
    await outbox().runOnce(new Date(toUnix(weekdayAhead(1), 9 * 60, 'Europe/Paris') * 1000));
    const call = fake.calls.slice(before).find((c) => c.path.endsWith('/Calls.json'))!;
    expect(call.status).toBe(201);
    expect(call.body).toMatchObject({ To: '+33565223344', From: TWILIO_FROM, StatusCallback: `${PUBLIC}/webhooks/twilio/voice/status` });
    const gatherUrl = `${PUBLIC}/webhooks/twilio/voice/gather?message=${request.id}`;
    expect(call.body.Twiml).toContain(`<Gather numDigits="1" action="${gatherUrl}" method="POST"`);
    expect(call.body.Twiml).toContain('<Say language="fr-FR">Bonjour, ceci est un message de CoMobi. Pouvez-vous emmener Marie');
    expect(call.body.Twiml).toContain('Tapez 1 pour accepter, tapez 2 pour refuser.');
    const sid = (await messagesOf(f.matchId))[0].provider_message_id;
    expect(sid).toMatch(/^CA[0-9a-f]{32}$/);

    const press = { AccountSid: TWILIO_SID, CallSid: sid, From: TWILIO_FROM, To: '+33565223344', Digits: '1', CallStatus: 'in-progress' };
    const p = `/webhooks/twilio/voice/gather?message=${request.id}`;
    expect((await twilioWebhook(p, { ...press, Digits: '2' }, twilioSign(`${PUBLIC}${p}`, press))).status).toBe(401);
    expect((await srv.api('GET', `/api/matches/${f.matchId}`)).body.status).toBe('contacted');
    const ok = await twilioWebhook(p, press);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('<Say language="fr-FR">Merci, c’est noté : vous acceptez.');
    expect((await srv.api('GET', `/api/matches/${f.matchId}`)).body.status).toBe('accepted');

    // Twilio's status callback once the call is over.
    const done = { AccountSid: TWILIO_SID, CallSid: sid, CallStatus: 'completed', CallDuration: '42' };
    expect((await twilioWebhook('/webhooks/twilio/voice/status', done)).status).toBe(204);
    // Answered already: the report does not overwrite it.
    expect((await messagesOf(f.matchId))[0].status).toBe('answered');
  });
});

describe('GET /api/messages and the dry run', () => {
  it('lists messages with masked numbers and filters; the text only on one message; coordinators only', async () => {
    const f = await fixture({ passenger: { phone: '06 98 76 54 78' } });
    await walk(f.matchId, 'accepted', 'confirmed');
    const dry = new Outbox(srv.booted.services.db, providersOf(loadMessagingConfig({})), { MESSAGING_BATCH: 50, MESSAGING_BACKOFF_BASE_S: 30, MESSAGING_MAX_ATTEMPTS: 3 });
    await dry.runOnce(new Date(toUnix(weekdayAhead(1), 10 * 60, 'Europe/Paris') * 1000));
    const filter = (o: object) => `/api/messages?filter=${encodeURIComponent(JSON.stringify(o))}&sort=${encodeURIComponent('["id","ASC"]')}`;
    const list = await srv.api('GET', filter({ requestId: f.requestId, kind: 'confirmation' }));
    expect(list.status).toBe(200);
    expect(list.headers.get('content-range')).toMatch(/^messages 0-1\/2$/);
    const toPassenger = list.body.find((m: any) => m.personId === f.passengerId);
    expect(toPassenger).toMatchObject({ matchId: f.matchId, requestId: f.requestId, kind: 'confirmation', channel: 'sms', status: 'dry_run', to: '06 •• •• •• 78' });
    expect(toPassenger.createdAt).toBeTruthy();
    expect(toPassenger.sentAt).toBeTruthy();
    expect(toPassenger).not.toHaveProperty('text');
    expect(JSON.stringify(list.body)).not.toMatch(/98 ?76/);
    const byPerson = await srv.api('GET', filter({ personId: f.passengerId, status: 'queued' }));
    expect(byPerson.body.map((m: any) => m.kind)).toEqual(['reminder']);
    const one = await srv.api('GET', `/api/messages/${toPassenger.id}`);
    expect(one.body.text).toMatch(/^CoMobi : trajet confirmé le /);
    expect((await q(`SELECT 1 FROM audit_log WHERE action = 'read_personal' AND subject_type = 'message' AND subject_id = $1`, [toPassenger.id])).length).toBe(1);
    expect((await srv.api('GET', filter({ status: 'lost' }))).status).toBe(400);
    const { token } = await createToken(srv.booted.services.db, { label: 'viewer', role: 'viewer', territoryId });
    expect((await srv.api('GET', '/api/messages', undefined, token)).status).toBe(403);
  });
});

describe('per person: channel, consent, quiet hours, relay', () => {
  it('refuses a landline for SMS and an invalid number, in French, with the field', async () => {
    const landline = await srv.api('POST', '/api/people', { territoryId, isPassenger: true, firstName: 'Jeanne', phone: '05 65 00 11 22', messaging: { channel: 'sms', consent: true } });
    expect(landline.status).toBe(400);
    expect(landline.body.fields).toEqual([{ field: 'phone', reason: expect.stringContaining('ne peut pas recevoir de SMS') }]);
    const invalid = await srv.api('POST', '/api/people', { territoryId, isPassenger: true, firstName: 'Jeanne', phone: '07 11 22 33 44', messaging: { channel: 'voice', consent: true } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.fields[0]).toMatchObject({ field: 'phone', reason: expect.stringContaining('numéro de téléphone invalide') });
    const relay = await srv.api('POST', '/api/people', {
      territoryId, isPassenger: true, firstName: 'Jeanne', messaging: { channel: 'sms', consent: true, relay: { name: 'Paul', phone: '05 65 00 11 22', relation: 'fils' } },
    });
    expect(relay.status).toBe(400);
    expect(relay.body.fields[0].field).toBe('messaging.relay.phone');
  });

  it('stores the channel, the consent with its date and text version, quiet hours; a relay receives the messages', async () => {
    const f = await fixture({
      passenger: {
        firstName: 'Jeanne', phone: '05 65 00 11 22',
        messaging: { channel: 'sms', consent: true, quietHours: { start: '20:00', end: '09:00' }, relay: { name: 'Paul', phone: '06 71 22 33 44', relation: 'fils' } },
      },
    });
    const p = await srv.api('GET', `/api/people/${f.passengerId}`);
    expect(p.body.messaging).toMatchObject({
      channel: 'sms', consent: true, consentTextVersion: 'messages-2026-12', quietHours: { start: '20:00', end: '09:00' },
      relay: { name: 'Paul', phone: '06 71 22 33 44', relation: 'fils' },
    });
    expect(p.body.messaging.consentAt).toBeTruthy();
    expect(await q(`SELECT granted, text_version FROM consents WHERE person_id = $1 AND kind = 'messages'`, [f.passengerId])).toEqual([{ granted: true, text_version: 'messages-2026-12' }]);
    // A partial update keeps the preferences.
    const put = await srv.api('PUT', `/api/people/${f.passengerId}`, { lastName: 'Durand' });
    expect(put.status).toBe(200);
    expect(put.body.messaging.relay.name).toBe('Paul');
    await walk(f.matchId, 'accepted', 'confirmed');
    const m = (await messagesOf(f.matchId)).find((x) => x.kind === 'confirmation' && x.person_id === f.passengerId)!;
    expect(m).toMatchObject({ recipient: '+33671223344', to_relay: true, quiet_start_min: 20 * 60, quiet_end_min: 9 * 60 });
    expect(m.body).toMatch(/^Pour Jeanne : CoMobi : trajet confirmé/);
    // Withdrawn consent is dated in the history too; channel none stops the messages.
    const none = await srv.api('PUT', `/api/people/${f.passengerId}`, { messaging: { channel: 'none', consent: false } });
    expect(none.status).toBe(200);
    expect(none.body.messaging).toMatchObject({ channel: 'none', consent: false, consentAt: null });
    expect((await q(`SELECT granted FROM consents WHERE person_id = $1 AND kind = 'messages' ORDER BY id`, [f.passengerId])).map((r) => r.granted)).toEqual([true, false]);
  });
});

/** A PDF of the API, as text (pdftotext) and its first page as PNG (pdftoppm). */
async function renderPdf(p: string): Promise<{ text: string; png: Buffer }> {
  const res = await fetch(`${srv.url}${p}`, { headers: { authorization: 'Bearer test-admin-token-0123456789' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/pdf');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-letter-'));
  try {
    const pdf = path.join(dir, 'letter.pdf');
    fs.writeFileSync(pdf, Buffer.from(await res.arrayBuffer()));
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    execFileSync('pdftoppm', ['-png', '-r', '40', '-f', '1', '-l', '1', pdf, path.join(dir, 'page')]);
    const png = fs.readFileSync(path.join(dir, fs.readdirSync(dir).find((x) => x.endsWith('.png'))!));
    return { text, png };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('privacy', () => {
  it('a person’s export has their preferences and messages; erasure empties the texts and numbers, and stops what is queued', async () => {
    const f = await fixture({ passenger: { messaging: { channel: 'sms', consent: true } } });
    await walk(f.matchId, 'accepted', 'confirmed');
    const db = srv.booted.services.db;
    const exported = (await exportPerson(db, f.passengerId))!;
    expect(exported.messaging).toMatchObject({ channel: 'sms', consent: true });
    expect((exported.messages as any[]).map((m) => m.kind).sort()).toEqual(['confirmation', 'reminder']);
    await db.transaction((tx) => erasePerson(tx, f.passengerId, { actor: 'test', role: 'admin' }));
    const rows = (await messagesOf(f.matchId)).filter((m) => m.person_id === f.passengerId);
    expect(rows.every((m) => m.body === '' && m.recipient === '' && m.status === 'cancelled')).toBe(true);
    expect(await q('SELECT 1 FROM person_messaging WHERE person_id = $1', [f.passengerId])).toHaveLength(0);
  });
});

describe('letters', () => {
  it('a driver’s weekly sheet lists the trips of the week with the passenger’s first name and the coordination', async () => {
    const f = await fixture({ date: weekdayAhead(12) });
    await walk(f.matchId, 'accepted', 'confirmed');
    const { text, png } = await renderPdf(`/api/people/${f.driverId}/week.pdf?from=${f.date}`);
    expect(text).toContain('Vos trajets de la semaine');
    expect(text).toContain(`Du ${f.date.slice(8, 10)}/${f.date.slice(5, 7)}/${f.date.slice(0, 4)} au `);
    expect(text).toContain('Bonjour Pierre');
    expect(text).toMatch(new RegExp(`\\(${f.date.slice(8, 10)}/${f.date.slice(5, 7)}/${f.date.slice(0, 4)}\\) à 0[78]h\\d\\d`));
    expect(text).toContain('Rendez-vous : Place de la Mairie, Le Vigan');
    // The passenger did not agree to direct contact: her first name only.
    expect(text).toMatch(/Passager : Marie\s*\n/);
    expect(text).toContain('05 65 53 00 00');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const empty = await renderPdf(`/api/people/${f.driverId}/week.pdf?from=${weekdayAhead(40)}`);
    expect(empty.text).toContain('Aucun trajet prévu cette semaine.');
    expect((await srv.api('GET', `/api/people/${f.driverId}/week.pdf?from=demain`)).status).toBe(400);
  });

  it('someone with no phone gets a letter in large type, as a PDF that renders with the trip, the driver and the coordination', async () => {
    const f = await fixture({ passenger: { firstName: 'Odette', phone: null, address: '3 rue du Lavoir, 46300 Le Vigan', messaging: { channel: 'letter', consent: true } } });
    await walk(f.matchId, 'accepted', 'confirmed');
    const letter = (await messagesOf(f.matchId)).find((m) => m.person_id === f.passengerId)!;
    expect(letter).toMatchObject({ kind: 'confirmation', channel: 'letter' });
    // No reminder by letter: it would arrive after the trip.
    expect((await messagesOf(f.matchId)).filter((m) => m.person_id === f.passengerId)).toHaveLength(1);
    const { text, png } = await renderPdf(`/api/messages/${letter.id}/letter.pdf`);
    expect(text).toContain('Votre trajet est confirmé');
    expect(text).toContain(`${f.date.slice(8, 10)}/${f.date.slice(5, 7)}/${f.date.slice(0, 4)}`);
    expect(text).toContain('Rendez-vous : Place de la Mairie, Le Vigan');
    expect(text).toMatch(/Votre conducteur : Pierre 06 12 34 \d\d 78/);
    expect(text).toContain('05 65 53 00 00');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // A 40 dpi A4 page: 331 × 468 pixels.
    expect(png.readUInt32BE(16)).toBe(331);
  });
});
