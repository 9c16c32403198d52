import crypto from 'node:crypto';
import type { Queryable } from '@comobi/db';
import { auditPersonalRead } from '../audit/audit.ts';
import type { Principal } from '../auth/principal.ts';
import { badRequest } from '../http/errors.ts';
import { HttpError } from '../http/errors.ts';
import { filterBy, type ListSpec } from '../http/simple-rest.ts';
import { toClock, toMinutes } from '../time/clock.ts';
import { toUnix } from '../interop/time.ts';
import { maskPhone, parsePhone } from '../messaging/phone.ts';
import {
  CHANNELS,
  letterText,
  MESSAGE_KINDS,
  replyText,
  smsSize,
  smsText,
  voiceText,
  type Channel,
  type MessageKind,
  type TripFacts,
} from '../messaging/templates.ts';
import { CONSENT_TEXTS, recordConsent } from '../privacy/consents.ts';
import type { MatchStatus } from './match-workflow.ts';
import type { Scope } from './scope.ts';

/** Territories are French: local dates and times of trips, reminders and quiet hours are Paris time. */
export const MESSAGE_TIMEZONE = 'Europe/Paris';
/** Reminders go the day before at this local time: late enough to be current, early enough to be polite. */
export const REMINDER_MIN = 18 * 60;
/** Without a person's own quiet hours, nobody is called or texted between 21:00 and 08:00. */
export const DEFAULT_QUIET = { startMin: 21 * 60, endMin: 8 * 60 } as const;

export const MESSAGE_STATUSES = ['queued', 'sent', 'delivered', 'failed', 'answered', 'dry_run', 'cancelled'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export const PREFERRED_CHANNELS = ['sms', 'voice', 'letter', 'none'] as const;
export type PreferredChannel = (typeof PREFERRED_CHANNELS)[number];

// ---- Per person: preferred channel, consent, quiet hours, relay

export interface MessagingInput {
  channel: PreferredChannel;
  consent: boolean;
  quietHours: { start: string; end: string } | null;
  relay: { name: string; phone: string; relation: string | null } | null;
}

export interface Messaging extends MessagingInput {
  consentAt: Date | null;
  consentTextVersion: string | null;
}

interface MessagingRow {
  channel: PreferredChannel;
  consent: boolean;
  consent_at: Date | null;
  consent_text_version: string | null;
  quiet_start_min: number | null;
  quiet_end_min: number | null;
  relay_name: string | null;
  relay_phone: string | null;
  relay_relation: string | null;
}

const presentMessaging = (r: MessagingRow): Messaging => ({
  channel: r.channel,
  consent: r.consent,
  consentAt: r.consent_at,
  consentTextVersion: r.consent_text_version,
  quietHours:
    r.quiet_start_min === null || r.quiet_end_min === null
      ? null
      : { start: toClock(r.quiet_start_min), end: toClock(r.quiet_end_min) },
  relay: r.relay_phone ? { name: r.relay_name ?? '', phone: r.relay_phone, relation: r.relay_relation } : null,
});

/** The columns a person's read adds (people.ts joins person_messaging as pm). */
export const MESSAGING_JOIN = 'LEFT JOIN person_messaging pm ON pm.person_id = p.id';
export const MESSAGING_COLUMNS = `pm.channel AS msg_channel, pm.consent AS msg_consent, pm.consent_at AS msg_consent_at,
  pm.consent_text_version AS msg_consent_text_version, pm.quiet_start_min AS msg_quiet_start_min,
  pm.quiet_end_min AS msg_quiet_end_min, pm.relay_name AS msg_relay_name, pm.relay_phone AS msg_relay_phone,
  pm.relay_relation AS msg_relay_relation`;
export type MessagingColumns = { [K in keyof MessagingRow as `msg_${K}`]: MessagingRow[K] | null };

/** A person's preferences from the joined columns; null when the person has none (the defaults apply). */
export function messagingOfColumns(r: MessagingColumns): Messaging | null {
  if (r.msg_channel === null) return null;
  return presentMessaging({
    channel: r.msg_channel,
    consent: r.msg_consent ?? false,
    consent_at: r.msg_consent_at,
    consent_text_version: r.msg_consent_text_version,
    quiet_start_min: r.msg_quiet_start_min,
    quiet_end_min: r.msg_quiet_end_min,
    relay_name: r.msg_relay_name,
    relay_phone: r.msg_relay_phone,
    relay_relation: r.msg_relay_relation,
  });
}

/** The input that keeps preferences as they are (the base of a partial update). */
export const messagingInputOf = (m: Messaging | null): MessagingInput | undefined =>
  m ? { channel: m.channel, consent: m.consent, quietHours: m.quietHours, relay: m.relay } : undefined;

/** Each person's messaging preferences, null for people who have none (the defaults apply). */
export async function messagingOf(tx: Queryable, personIds: number[]): Promise<Map<number, Messaging>> {
  if (!personIds.length) return new Map();
  const { rows } = await tx.query<MessagingRow & { person_id: number }>(
    'SELECT * FROM person_messaging WHERE person_id = ANY($1::int[])',
    [personIds],
  );
  return new Map(rows.map((r) => [r.person_id, presentMessaging(r)]));
}

/**
 * Writes a person's preferences; a consent given or withdrawn is dated, with the version of the text shown, and
 * kept in the consents history as well.
 */
export async function writeMessaging(tx: Queryable, personId: number, m: MessagingInput, source: string) {
  const before = (await messagingOf(tx, [personId])).get(personId);
  await tx.query(
    `INSERT INTO person_messaging (person_id, channel, consent, consent_at, consent_text_version, quiet_start_min,
       quiet_end_min, relay_name, relay_phone, relay_relation)
     VALUES ($1, $2, $3, CASE WHEN $3 THEN now() END, CASE WHEN $3 THEN $4 END, $5, $6, $7, $8, $9)
     ON CONFLICT (person_id) DO UPDATE SET channel = $2, consent = $3,
       consent_at = CASE WHEN $3 AND NOT person_messaging.consent THEN now() WHEN NOT $3 THEN NULL
                         ELSE person_messaging.consent_at END,
       consent_text_version = CASE WHEN $3 AND NOT person_messaging.consent THEN $4 WHEN NOT $3 THEN NULL
                         ELSE person_messaging.consent_text_version END,
       quiet_start_min = $5, quiet_end_min = $6, relay_name = $7, relay_phone = $8, relay_relation = $9,
       updated_at = now()`,
    [
      personId,
      m.channel,
      m.consent,
      CONSENT_TEXTS.messages.version,
      m.quietHours ? toMinutes(m.quietHours.start) : null,
      m.quietHours ? toMinutes(m.quietHours.end) : null,
      m.relay?.name ?? null,
      m.relay?.phone ?? null,
      m.relay?.relation ?? null,
    ],
  );
  if ((before?.consent ?? false) !== m.consent || (!before && m.consent))
    await recordConsent(tx, personId, 'messages', m.consent, source);
}

// ---- Queuing, in the transaction of the change that causes the message

interface MatchFacts {
  id: number;
  territory_id: number;
  request_id: number;
  date: string | null;
  pickup_min: number;
  driver_id: number;
  passenger_id: number | null;
  place: string | null;
  coordinator_phone: string | null;
}

interface Recipient {
  id: number;
  first_name: string | null;
  phone: string | null;
  address: string | null;
  direct_contact_consent: boolean;
  channel: PreferredChannel | null;
  quiet_start_min: number | null;
  quiet_end_min: number | null;
  relay_name: string | null;
  relay_phone: string | null;
}

async function factsOfMatch(tx: Queryable, matchId: number): Promise<MatchFacts | null> {
  const { rows } = await tx.query<MatchFacts>(
    `SELECT m.id, m.territory_id, m.request_id, m.date, m.pickup_min, COALESCE(t.driver_id, m.volunteer_id) AS driver_id,
       rq.passenger_id,
       COALESCE(CASE WHEN m.leg = 'return' THEN rq.to_label ELSE rq.from_label END,
                (SELECT c.name FROM communes c WHERE ST_Intersects(c.geom, m.pickup) LIMIT 1)) AS place,
       tr.coordinator_phone
     FROM matches m LEFT JOIN trips t ON t.id = m.trip_id JOIN requests rq ON rq.id = m.request_id
     JOIN territories tr ON tr.id = m.territory_id WHERE m.id = $1`,
    [matchId],
  );
  return rows[0] ?? null;
}

async function recipients(tx: Queryable, ids: number[]): Promise<Map<number, Recipient>> {
  const { rows } = await tx.query<Recipient>(
    `SELECT p.id, i.first_name, i.phone, i.address, p.direct_contact_consent, pm.channel, pm.quiet_start_min,
       pm.quiet_end_min, pm.relay_name, pm.relay_phone
     FROM people p LEFT JOIN person_identities i ON i.person_id = p.id
     LEFT JOIN person_messaging pm ON pm.person_id = p.id
     WHERE p.id = ANY($1::int[]) AND p.anonymized_at IS NULL`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

interface Address {
  channel: Channel;
  to: string;
  toRelay: boolean;
}

/**
 * Where a person's messages go: the relay's number when a relative or carer receives them, else the person's; the
 * channel chosen, or by default SMS to a mobile, a call to a landline, a letter when there is only an address.
 */
function addressOf(r: Recipient): Address | null {
  if (r.channel === 'none') return null;
  const relay = r.relay_phone ? parsePhone(r.relay_phone) : null;
  const own = r.phone ? parsePhone(r.phone) : null;
  const phone = relay ?? own;
  const toRelay = relay !== null;
  if (r.channel === 'letter') return r.address ? { channel: 'letter', to: r.address, toRelay: false } : null;
  if (r.channel === 'sms' && phone?.kind === 'mobile') return { channel: 'sms', to: phone.e164, toRelay };
  if (r.channel === 'voice' && phone && phone.kind !== 'other') return { channel: 'voice', to: phone.e164, toRelay };
  if (phone?.kind === 'mobile') return { channel: 'sms', to: phone.e164, toRelay };
  if (phone?.kind === 'landline') return { channel: 'voice', to: phone.e164, toRelay };
  return r.address ? { channel: 'letter', to: r.address, toRelay: false } : null;
}

const nationalPhone = (raw: string | null) => {
  if (!raw) return null;
  const p = parsePhone(raw);
  if (!p) return raw;
  const d = `0${p.e164.slice(3)}`;
  return p.e164.startsWith('+33') ? d.replace(/(\d{2})(?=\d)/g, '$1 ') : p.e164;
};

/** A 4-digit code unused by this number's open driver requests, so that "OUI 4821" names one match. */
async function freshReplyCode(tx: Queryable, to: string): Promise<string> {
  const { rows } = await tx.query<{ reply_code: string }>(
    `SELECT reply_code FROM messages WHERE kind = 'driver_request' AND recipient = $1
       AND status IN ('queued', 'sent', 'delivered', 'dry_run')`,
    [to],
  );
  const taken = new Set(rows.map((r) => r.reply_code));
  for (;;) {
    const code = String(crypto.randomInt(1000, 10000));
    if (!taken.has(code)) return code;
  }
}

interface QueuedMessage {
  territoryId: number;
  matchId: number | null;
  /** The return's match when the message tells both legs of a round trip. */
  pairedMatchId?: number | null;
  requestId: number | null;
  personId: number | null;
  kind: MessageKind;
  address: Address;
  body: string;
  replyCode: string | null;
  plannedAt: Date | null;
  quiet: { startMin: number; endMin: number } | null;
  key: string;
}

async function insertMessage(tx: Queryable, m: QueuedMessage): Promise<void> {
  const size = m.address.channel === 'sms' ? smsSize(m.body) : null;
  await tx.query(
    `INSERT INTO messages (territory_id, match_id, request_id, person_id, kind, channel, recipient, to_relay, body,
       segments, encoding, reply_code, planned_at, next_attempt_at, quiet_start_min, quiet_end_min, idempotency_key,
       paired_match_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, COALESCE($13, now()), COALESCE($13, now()), $14, $15, $16, $17)
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [
      m.territoryId,
      m.matchId,
      m.requestId,
      m.personId,
      m.kind,
      m.address.channel,
      m.address.to,
      m.address.toRelay,
      m.body,
      size?.segments ?? null,
      size?.encoding ?? null,
      m.replyCode,
      m.plannedAt,
      m.quiet?.startMin ?? null,
      m.quiet?.endMin ?? null,
      m.key,
      m.pairedMatchId ?? null,
    ],
  );
}

const quietOf = (r: Recipient, channel: Channel) =>
  channel === 'letter'
    ? null
    : r.quiet_start_min !== null && r.quiet_end_min !== null
      ? { startMin: r.quiet_start_min, endMin: r.quiet_end_min }
      : DEFAULT_QUIET;

function render(kind: Exclude<MessageKind, 'reply'>, channel: Channel, f: TripFacts): string {
  if (channel === 'sms') return smsText(kind, f);
  if (channel === 'voice') return voiceText(kind, f);
  return letterText(kind, f);
}

/** The day before the trip at REMINDER_MIN, Paris time; null when that moment has passed already. */
export function reminderTime(date: string | null, now = new Date()): Date | null {
  if (!date) return null;
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  const at = new Date(toUnix(d.toISOString().slice(0, 10), REMINDER_MIN, MESSAGE_TIMEZONE) * 1000);
  return at > now ? at : null;
}

/** What a message on one leg says, for one recipient: the other person named, their number if they agreed. */
function tripFacts(m: MatchFacts, r: Recipient, people: Map<number, Recipient>, address: Address, replyCode: string | null): TripFacts {
  const isDriver = r.id === m.driver_id;
  const otherId = isDriver ? m.passenger_id : m.driver_id;
  const o = otherId ? people.get(otherId) : undefined;
  return {
    date: m.date,
    pickupMin: m.pickup_min,
    place: m.place ?? PLACE_UNKNOWN,
    otherName: o?.first_name ?? (isDriver ? 'votre passager' : 'votre conducteur'),
    otherPhone: o?.direct_contact_consent ? nationalPhone(o.phone) : null,
    coordinatorPhone: nationalPhone(m.coordinator_phone),
    forName: address.toRelay ? r.first_name : null,
    replyCode,
    role: isDriver ? 'driver' : 'passenger',
  };
}
const PLACE_UNKNOWN = 'lieu convenu avec la coordination';

type LegKind = 'driver_request' | 'confirmation' | 'cancellation';

/**
 * One leg's message to one person (and, for a confirmation, the reminder the day before). With `back`, the message
 * tells the way back too (a round trip): it names both matches, and its key both.
 */
async function queueFor(
  tx: Queryable,
  m: MatchFacts,
  pid: number,
  kind: LegKind | 'reminder',
  people: Map<number, Recipient>,
  back: { match: MatchFacts; otherDriver: boolean } | null = null,
) {
  const r = people.get(pid);
  if (!r) return;
  const address = addressOf(r);
  if (!address) return;
  const replyCode = kind === 'driver_request' && address.channel === 'sms' ? await freshReplyCode(tx, address.to) : null;
  const facts = tripFacts(m, r, people, address, replyCode);
  if (back) {
    const d = back.otherDriver ? people.get(back.match.driver_id) : undefined;
    facts.back = {
      pickupMin: back.match.pickup_min,
      place: back.match.place ?? PLACE_UNKNOWN,
      otherName: back.otherDriver ? (d?.first_name ?? 'votre conducteur') : null,
      otherPhone: back.otherDriver && d?.direct_contact_consent ? nationalPhone(d.phone) : null,
    };
  }
  const cause = back ? `${m.id}+${back.match.id}` : `${m.id}`;
  const base = {
    territoryId: m.territory_id,
    matchId: m.id,
    pairedMatchId: back?.match.id ?? null,
    requestId: m.request_id,
    personId: pid,
    address,
    quiet: quietOf(r, address.channel),
  };
  if (kind !== 'reminder')
    await insertMessage(tx, { ...base, kind, replyCode, body: render(kind, address.channel, facts), plannedAt: null, key: `${kind}:${cause}:${pid}` });
  const remindAt = (kind === 'confirmation' || kind === 'reminder') && address.channel !== 'letter' ? reminderTime(m.date) : null;
  if (remindAt)
    await insertMessage(tx, {
      ...base,
      replyCode: null,
      kind: 'reminder',
      body: render('reminder', address.channel, facts),
      plannedAt: remindAt,
      key: `reminder:${cause}:${pid}`,
    });
}

/**
 * Called by the match workflow (domain/matches.ts transition) in its transaction, once the status has changed:
 * contacted → a request the driver answers by SMS or key press; confirmed → a confirmation to the passenger and the
 * driver, and a reminder the day before (`confirmationLater`: the caller queues one message for both legs of a round
 * trip instead, queueRoundTripConfirmation); cancelled → a notice to whoever heard of the trip; any other step out of
 * "contacted" withdraws the driver's request if it has not gone yet.
 */
export async function queueForTransition(
  tx: Queryable,
  matchId: number,
  from: MatchStatus,
  to: MatchStatus,
  opts: { confirmationLater?: boolean } = {},
) {
  let withdrawn: { kind: MessageKind; person_id: number | null; match_id: number; paired_match_id: number | null }[] = [];
  if (from === 'contacted' || to === 'cancelled') {
    ({ rows: withdrawn } = await tx.query(
      `UPDATE messages SET status = 'cancelled', updated_at = now()
       WHERE (match_id = $1 OR paired_match_id = $1) AND status = 'queued' AND kind IN ($2, 'reminder', 'confirmation')
       RETURNING kind, person_id, match_id, paired_match_id`,
      [matchId, 'driver_request'],
    ));
  }
  if (to !== 'contacted' && to !== 'confirmed' && to !== 'cancelled') return;
  if (to === 'confirmed' && opts.confirmationLater) return;
  const m = await factsOfMatch(tx, matchId);
  if (!m) return;
  let targets: number[];
  if (to === 'contacted') targets = [m.driver_id];
  else if (to === 'confirmed') targets = [m.driver_id, ...(m.passenger_id ? [m.passenger_id] : [])];
  else {
    const { rows } = await tx.query<{ person_id: number }>(
      `SELECT DISTINCT person_id FROM messages WHERE (match_id = $1 OR paired_match_id = $1) AND person_id IS NOT NULL
         AND status IN ('sent', 'delivered', 'answered', 'dry_run') AND kind <> 'reply'`,
      [matchId],
    );
    targets = rows.map((r) => r.person_id);
  }
  const kind: LegKind = to === 'contacted' ? 'driver_request' : to === 'confirmed' ? 'confirmation' : 'cancellation';
  const others = withdrawn.filter((w) => w.paired_match_id !== null && w.person_id !== null);
  const people = await recipients(tx, [m.driver_id, ...(m.passenger_id ? [m.passenger_id] : []), ...others.map((w) => w.person_id!)]);
  for (const pid of targets) await queueFor(tx, m, pid, kind, people);
  // A round trip's message withdrawn with one leg: the other leg, still confirmed, is told (or reminded) on its own.
  for (const w of others) {
    const sibling = w.match_id === matchId ? w.paired_match_id! : w.match_id;
    const s = await factsOfMatch(tx, sibling);
    const { rows } = await tx.query<{ status: MatchStatus }>('SELECT status FROM matches WHERE id = $1', [sibling]);
    if (!s || rows[0]?.status !== 'confirmed') continue;
    const ppl = people.has(s.driver_id) ? people : new Map([...people, ...(await recipients(tx, [s.driver_id]))]);
    await queueFor(tx, s, w.person_id!, w.kind === 'confirmation' ? 'confirmation' : 'reminder', ppl);
  }
}

/**
 * Both legs of a round trip just confirmed (domain/round-trips.ts, same transaction): the passenger hears of both in
 * one confirmation and one reminder; a driver who does both legs likewise; when two drivers share the legs, each
 * hears of their own. Legs on different days (never for now: the return is the same day) are told one by one.
 */
export async function queueRoundTripConfirmation(tx: Queryable, outboundId: number, returnId: number) {
  const out = await factsOfMatch(tx, outboundId);
  const back = await factsOfMatch(tx, returnId);
  if (!out || !back) return;
  const passenger = out.passenger_id;
  const people = await recipients(tx, [out.driver_id, back.driver_id, ...(passenger ? [passenger] : [])]);
  if (out.date !== back.date) {
    for (const m of [out, back]) for (const pid of [m.driver_id, ...(passenger ? [passenger] : [])]) await queueFor(tx, m, pid, 'confirmation', people);
    return;
  }
  const oneDriver = out.driver_id === back.driver_id;
  if (oneDriver) await queueFor(tx, out, out.driver_id, 'confirmation', people, { match: back, otherDriver: false });
  else {
    await queueFor(tx, out, out.driver_id, 'confirmation', people);
    await queueFor(tx, back, back.driver_id, 'confirmation', people);
  }
  if (passenger) await queueFor(tx, out, passenger, 'confirmation', people, { match: back, otherDriver: !oneDriver });
}

// ---- Sending: claimed by one replica at a time

export interface OutboxRow {
  id: number;
  territory_id: number;
  kind: MessageKind;
  channel: Channel;
  recipient: string;
  body: string;
  reply_code: string | null;
  encoding: string | null;
  attempts: number;
  idempotency_key: string;
}

/** The SQL test of "now is inside this row's quiet hours", at the instant $1, Paris time. */
const IN_QUIET = `(quiet_start_min IS NOT NULL AND (
    CASE WHEN quiet_start_min > quiet_end_min
         THEN lm >= quiet_start_min OR lm < quiet_end_min
         ELSE lm >= quiet_start_min AND lm < quiet_end_min END))`;

/**
 * Due messages outside their quiet hours, claimed with SKIP LOCKED (replicas never take the same row) and leased:
 * the attempt is counted and the next one set after the lease, so a replica that dies mid-send is retried later.
 */
export async function claimDue(tx: Queryable, now: Date, batch: number, leaseS: number): Promise<OutboxRow[]> {
  const { rows } = await tx.query<OutboxRow>(
    `WITH clock AS (SELECT (extract(hour FROM $1::timestamptz AT TIME ZONE $4) * 60
                          + extract(minute FROM $1::timestamptz AT TIME ZONE $4))::int AS lm)
     UPDATE messages q SET attempts = q.attempts + 1, next_attempt_at = $1::timestamptz + make_interval(secs => $3),
       updated_at = now()
     FROM (SELECT id FROM messages, clock WHERE status = 'queued' AND next_attempt_at <= $1::timestamptz AND NOT ${IN_QUIET}
           ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE OF messages SKIP LOCKED) due
     WHERE q.id = due.id
     RETURNING q.id, q.territory_id, q.kind, q.channel, q.recipient, q.body, q.reply_code, q.encoding, q.attempts,
       q.idempotency_key`,
    [now.toISOString(), batch, leaseS, MESSAGE_TIMEZONE],
  );
  return rows;
}

export interface Sent {
  row: OutboxRow;
  provider: string;
  providerMessageId: string;
  status: 'sent' | 'dry_run';
}

/**
 * Sent (or kept by the dry run), a claimed batch at once: the provider's ids, for their delivery reports; and one
 * audit row per send.
 */
export async function markSent(tx: Queryable, sent: Sent[]) {
  if (!sent.length) return;
  const rows = JSON.stringify(
    sent.map((x) => ({
      id: x.row.id,
      t: x.row.territory_id,
      status: x.status,
      provider: x.provider,
      pid: x.providerMessageId,
      fields: [x.row.kind, x.row.channel, x.provider],
    })),
  );
  await tx.query(
    `UPDATE messages m SET status = x.status, provider = x.provider, provider_message_id = x.pid, sent_at = now(),
       last_error = NULL, updated_at = now()
     FROM jsonb_to_recordset($1::jsonb) AS x(id int, status text, provider text, pid text) WHERE m.id = x.id`,
    [rows],
  );
  await tx.query(
    `INSERT INTO audit_log (actor, actor_role, territory_id, action, subject_type, subject_id, fields, reason)
     SELECT 'outbox', 'system', x.t, 'message_sent', 'message', x.id, x.fields, x.status
     FROM jsonb_to_recordset($1::jsonb) AS x(id int, t int, status text, fields text[])`,
    [rows],
  );
}

/** A failed attempt: queued again after the backoff, or failed for good (no personal data in the error). */
export async function markAttemptFailed(tx: Queryable, row: OutboxRow, error: string, retryInS: number | null, now: Date) {
  await tx.query(
    `UPDATE messages SET status = CASE WHEN $3::float8 IS NULL THEN 'failed' ELSE 'queued' END,
       next_attempt_at = CASE WHEN $3::float8 IS NULL THEN next_attempt_at
                              ELSE $4::timestamptz + make_interval(secs => $3::float8) END,
       last_error = $2, updated_at = now() WHERE id = $1`,
    [row.id, error.slice(0, 200), retryInS, now.toISOString()],
  );
  if (retryInS === null)
    await tx.query(
      `INSERT INTO audit_log (actor, actor_role, territory_id, action, subject_type, subject_id, fields, reason)
       VALUES ('outbox', 'system', $1, 'message_failed', 'message', $2, $3, $4)`,
      [row.territory_id, row.id, [row.kind, row.channel], error.slice(0, 200)],
    );
}

/** A provider's delivery report: delivered or failed, for a message sent (an answer already recorded stays). */
export async function markDelivery(
  tx: Queryable,
  provider: string,
  providerMessageId: string,
  status: 'delivered' | 'failed',
  error: string | null,
): Promise<boolean> {
  const r = await tx.query(
    `UPDATE messages SET status = $3, delivered_at = CASE WHEN $3 = 'delivered' THEN now() ELSE delivered_at END,
       last_error = COALESCE($4, last_error), updated_at = now()
     WHERE provider = $1 AND provider_message_id = $2 AND status IN ('sent', 'delivered')`,
    [provider, providerMessageId, status, error],
  );
  return r.rowCount > 0;
}

// ---- Answers: an SMS "OUI 4821", a key pressed during a call

export type AnswerOutcome = 'accepted' | 'declined' | 'acknowledged' | 'closed' | 'unknown' | 'replayed';

export interface Answer {
  outcome: AnswerOutcome;
  matchId: number | null;
  tripId: number | null;
}

interface OpenRequest {
  id: number;
  match_id: number | null;
  person_id: number | null;
  territory_id: number;
  kind: MessageKind;
  status: MessageStatus;
  reply_code: string | null;
  match_status: MatchStatus | null;
  coordinator_phone: string | null;
}

const ANSWERABLE: MessageStatus[] = ['queued', 'sent', 'delivered', 'dry_run'];

/** "OUI 4821", "non4821", "Oui." → the word and the code (null: not an answer). */
export function parseAnswer(text: string): { yes: boolean; code: string | null } | null {
  const m = /^\s*(oui|non|o|n)(?![a-z])[\s.,:;-]*(\d{4})?[\s.!]*$/i.exec(text.normalize('NFC'));
  if (!m) return null;
  return { yes: m[1].toLowerCase().startsWith('o'), code: m[2] ?? null };
}

async function applyAnswer(tx: Queryable, msg: OpenRequest, yes: boolean, answer: string, actor: string, transition: Transition): Promise<Answer> {
  if (!ANSWERABLE.includes(msg.status)) return { outcome: 'closed', matchId: msg.match_id, tripId: null };
  let tripId: number | null = null;
  if (msg.kind === 'driver_request') {
    if (!msg.match_id || (msg.match_status !== 'contacted' && msg.match_status !== 'proposed'))
      return { outcome: 'closed', matchId: msg.match_id, tripId: null };
    try {
      const scope: Scope = { actor, territoryIds: [msg.territory_id] };
      ({ tripId } = await transition(tx, scope, msg.match_id, yes ? 'accepted' : 'declined', yes ? null : 'driver_unavailable', null));
    } catch (e) {
      // No free seat left: the match stays as it is and the driver is told the request is closed.
      if (e instanceof HttpError && e.status === 409) return { outcome: 'closed', matchId: msg.match_id, tripId: null };
      throw e;
    }
  } else if (!yes) {
    return { outcome: 'unknown', matchId: msg.match_id, tripId: null };
  }
  await tx.query(
    `UPDATE messages SET status = 'answered', answer = $2, answered_at = now(), updated_at = now() WHERE id = $1`,
    [msg.id, answer],
  );
  return {
    outcome: msg.kind === 'driver_request' ? (yes ? 'accepted' : 'declined') : 'acknowledged',
    matchId: msg.match_id,
    tripId,
  };
}

type Transition = (
  tx: Queryable,
  scope: Scope,
  matchId: number,
  to: MatchStatus,
  reason: string | null,
  note: string | null,
) => Promise<{ tripId: number | null }>;

const SELECT_OPEN = `SELECT msg.id, msg.match_id, msg.person_id, msg.territory_id, msg.kind, msg.status, msg.reply_code,
    m.status AS match_status, tr.coordinator_phone
  FROM messages msg LEFT JOIN matches m ON m.id = msg.match_id JOIN territories tr ON tr.id = msg.territory_id`;

/**
 * An SMS received from `from` (E.164): a driver's answer moves the match through the workflow (`transition`, passed
 * in by the caller to keep the modules apart). Whatever the outcome, one polite reply is queued, keyed by the
 * provider's id of the inbound SMS so a replayed webhook changes nothing twice. A number we never wrote to gets no
 * reply.
 */
export async function answerBySms(
  tx: Queryable,
  inbound: { provider: string; id: string; from: string; text: string },
  transition: Transition,
): Promise<Answer> {
  const replyKey = `reply:${inbound.provider}:${inbound.id}`;
  const seen = await tx.query('SELECT 1 FROM messages WHERE idempotency_key = $1', [replyKey]);
  if (seen.rows.length) return { outcome: 'replayed', matchId: null, tripId: null };
  const parsed = parseAnswer(inbound.text);
  const { rows } = await tx.query<OpenRequest>(
    `${SELECT_OPEN} WHERE msg.recipient = $1 AND msg.kind = 'driver_request' ORDER BY msg.created_at DESC, msg.id DESC`,
    [inbound.from],
  );
  let target: OpenRequest | undefined;
  if (parsed?.code) target = rows.find((r) => r.reply_code === parsed.code);
  else if (parsed) {
    const open = rows.filter((r) => ANSWERABLE.includes(r.status));
    if (open.length === 1) target = open[0];
  }
  let answer: Answer = { outcome: 'unknown', matchId: null, tripId: null };
  if (target && parsed)
    answer = await applyAnswer(tx, target, parsed.yes, parsed.yes ? 'OUI' : 'NON', `sms:person:${target.person_id}`, transition);
  // The reply goes to the territory this number heard from last.
  const about = target ?? rows[0] ?? (
    await tx.query<OpenRequest>(`${SELECT_OPEN} WHERE msg.recipient = $1 ORDER BY msg.created_at DESC LIMIT 1`, [inbound.from])
  ).rows[0];
  if (!about) return answer;
  const coord = nationalPhone(about.coordinator_phone);
  const body =
    answer.outcome === 'accepted'
      ? replyText.accepted(coord ? `Coordination : ${coord}` : null)
      : answer.outcome === 'declined'
        ? replyText.declined()
        : answer.outcome === 'closed'
          ? replyText.closed(coord)
          : replyText.unknown(coord);
  await insertMessage(tx, {
    territoryId: about.territory_id,
    matchId: answer.matchId,
    requestId: null,
    personId: about.person_id,
    kind: 'reply',
    address: { channel: 'sms', to: inbound.from, toRelay: false },
    body,
    replyCode: null,
    plannedAt: null,
    quiet: null,
    key: replyKey,
  });
  return answer;
}

/** A key pressed during a call about message `messageId`: 1 accepts (or acknowledges), 2 declines a request. */
export async function answerByKey(tx: Queryable, messageId: number, digits: string, transition: Transition): Promise<Answer> {
  const { rows } = await tx.query<OpenRequest>(`${SELECT_OPEN} WHERE msg.id = $1 AND msg.channel = 'voice'`, [messageId]);
  const msg = rows[0];
  if (!msg || (digits !== '1' && digits !== '2')) return { outcome: 'unknown', matchId: msg?.match_id ?? null, tripId: null };
  return applyAnswer(tx, msg, digits === '1', `touche ${digits}`, `voice:person:${msg.person_id}`, transition);
}

// ---- A driver's week on paper

export interface WeekTrip {
  date: string;
  pickupMin: number;
  place: string;
  passenger: string;
  phone: string | null;
  status: MatchStatus;
}

/**
 * The accepted and confirmed trips of a driver over the 7 days from `from`, for the weekly sheet of a driver with
 * no mobile phone: the passenger's first name, their phone only if they agreed to direct contact.
 */
export async function driverWeek(tx: Queryable, scope: Scope, driverId: number, from: string) {
  const { rows: who } = await tx.query<{ first_name: string | null; territory_id: number; territory: string; coordinator_phone: string | null }>(
    `SELECT i.first_name, p.territory_id, t.name AS territory, t.coordinator_phone FROM people p
     JOIN territories t ON t.id = p.territory_id LEFT JOIN person_identities i ON i.person_id = p.id WHERE p.id = $1`,
    [driverId],
  );
  if (!who[0] || (scope.territoryIds && !scope.territoryIds.includes(who[0].territory_id))) return null;
  const { rows } = await tx.query<{ date: string; pickup_min: number; place: string | null; first_name: string | null; phone: string | null; direct: boolean; status: MatchStatus }>(
    `SELECT m.date, m.pickup_min, m.status,
       COALESCE(CASE WHEN m.leg = 'return' THEN rq.to_label ELSE rq.from_label END,
                (SELECT c.name FROM communes c WHERE ST_Intersects(c.geom, m.pickup) LIMIT 1)) AS place,
       i.first_name, i.phone, COALESCE(pp.direct_contact_consent, false) AS direct
     FROM matches m LEFT JOIN trips t ON t.id = m.trip_id JOIN requests rq ON rq.id = m.request_id
     LEFT JOIN people pp ON pp.id = rq.passenger_id LEFT JOIN person_identities i ON i.person_id = rq.passenger_id
     WHERE COALESCE(t.driver_id, m.volunteer_id) = $1 AND m.status IN ('accepted', 'confirmed') AND m.date >= $2::date AND m.date < $2::date + 7
     ORDER BY m.date, m.pickup_min`,
    [driverId, from],
  );
  return {
    driverName: who[0].first_name,
    territoryId: who[0].territory_id,
    territory: who[0].territory,
    coordinatorPhone: nationalPhone(who[0].coordinator_phone),
    trips: rows.map(
      (r): WeekTrip => ({
        date: r.date,
        pickupMin: r.pickup_min,
        place: r.place ?? 'lieu convenu avec la coordination',
        passenger: r.first_name ?? 'passager',
        phone: r.direct ? nationalPhone(r.phone) : null,
        status: r.status,
      }),
    ),
  };
}

// ---- Reading: the simple-rest list and one message

export interface MessageRow {
  id: number;
  territory_id: number;
  match_id: number | null;
  request_id: number | null;
  person_id: number | null;
  kind: MessageKind;
  channel: Channel;
  status: MessageStatus;
  recipient: string;
  to_relay: boolean;
  body: string;
  segments: number | null;
  encoding: string | null;
  attempts: number;
  provider: string | null;
  last_error: string | null;
  answer: string | null;
  late: boolean;
  planned_at: Date;
  next_attempt_at: Date;
  created_at: Date;
  sent_at: Date | null;
  delivered_at: Date | null;
  answered_at: Date | null;
}

const FROM = 'FROM messages msg';
const SELECT = `SELECT msg.id, msg.territory_id, msg.match_id, msg.request_id, msg.person_id, msg.kind, msg.channel,
  msg.status, msg.recipient, msg.to_relay, msg.body, msg.segments, msg.encoding, msg.attempts, msg.provider,
  msg.last_error, msg.answer, (msg.status = 'queued' AND msg.last_error IS NOT NULL) AS late, msg.planned_at,
  msg.next_attempt_at, msg.created_at, msg.sent_at, msg.delivered_at, msg.answered_at ${FROM}`;

export const messageList: ListSpec = {
  select: SELECT,
  count: `SELECT count(*)::int AS n ${FROM}`,
  territoryColumn: 'msg.territory_id',
  sortable: {
    id: 'msg.id',
    createdAt: 'msg.created_at',
    plannedAt: 'msg.planned_at',
    sentAt: 'msg.sent_at',
    status: 'msg.status',
    kind: 'msg.kind',
  },
  filters: {
    matchId: filterBy.int('msg.match_id', 'matchId'),
    requestId: filterBy.int('msg.request_id', 'requestId'),
    personId: filterBy.int('msg.person_id', 'personId'),
    status: filterBy.oneOf('msg.status', 'status', MESSAGE_STATUSES),
    kind: filterBy.oneOf('msg.kind', 'kind', MESSAGE_KINDS),
    channel: filterBy.oneOf('msg.channel', 'channel', CHANNELS),
    late: (w, v) => {
      if (typeof v !== 'boolean') throw badRequest('filter.late', 'must be true or false');
      w.raw(v ? "(msg.status = 'queued' AND msg.last_error IS NOT NULL)" : "NOT (msg.status = 'queued' AND msg.last_error IS NOT NULL)");
    },
  },
};

/** Numbers masked ("06 •• •• •• 78"), letters say so; the text only when one message is asked for. */
export function presentMessage(r: MessageRow, withText: boolean) {
  return {
    id: r.id,
    territoryId: r.territory_id,
    matchId: r.match_id,
    requestId: r.request_id,
    personId: r.person_id,
    kind: r.kind,
    channel: r.channel,
    status: r.status,
    to: r.channel === 'letter' ? 'courrier postal' : maskPhone(r.recipient),
    toRelay: r.to_relay,
    segments: r.segments,
    encoding: r.encoding,
    attempts: r.attempts,
    late: r.late,
    provider: r.provider,
    lastError: r.last_error,
    answer: r.answer,
    plannedAt: r.planned_at,
    nextAttemptAt: r.status === 'queued' ? r.next_attempt_at : null,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    deliveredAt: r.delivered_at,
    answeredAt: r.answered_at,
    ...(withText ? { text: r.body } : {}),
  };
}

export async function loadMessage(tx: Queryable, id: number): Promise<MessageRow | null> {
  const { rows } = await tx.query<MessageRow>(`${SELECT} WHERE msg.id = $1`, [id]);
  return rows[0] ?? null;
}

/** Reading a message's text is reading personal data: audited like a person's identity. */
export const auditMessageRead = (tx: Queryable, reader: Principal, r: MessageRow, reason: string | null) =>
  auditPersonalRead(tx, reader, [{ id: r.id, territoryId: r.territory_id }], ['text', 'recipient'], reason, 'message');

