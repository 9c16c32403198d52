import type { Queryable } from '@comobi/db';
import { notFound } from '../http/errors.ts';
import { maskPhone } from '../messaging/phone.ts';
import type { Channel, MessageKind } from '../messaging/templates.ts';
import type { MatchStatus } from './match-workflow.ts';
import type { MessageStatus } from './messages.ts';
import { inScope, type Scope } from './scope.ts';

/**
 * The coordination's memory: notes and call records about a request, a match or a person, and the timeline that
 * puts them beside what happened (the request taken, the matches' status changes, the messages sent). Notes are
 * personal data (what a person said on the phone, their health, what was agreed with a driver): the callers give
 * them to coordinators and admins only and audit every read.
 */

export const NOTE_KINDS = ['call', 'note'] as const;
export type NoteKind = (typeof NOTE_KINDS)[number];
export const NOTE_SUBJECTS = ['request', 'match', 'person'] as const;
export type NoteSubject = (typeof NOTE_SUBJECTS)[number];
/** Longest note kept (the column's check): a call summary, not a file. */
export const NOTE_MAX = 4000;

export interface NoteInput {
  subjectType: NoteSubject;
  subjectId: number;
  kind: NoteKind;
  body: string;
}

interface NoteRow {
  id: number;
  territory_id: number;
  request_id: number | null;
  match_id: number | null;
  person_id: number | null;
  kind: NoteKind;
  body: string;
  author: string;
  created_at: Date;
}

export interface Note {
  id: number;
  territoryId: number;
  subjectType: NoteSubject;
  subjectId: number;
  kind: NoteKind;
  body: string;
  author: string;
  /** The staff member's name or e-mail when the author is a console account ("user:5"); null otherwise. */
  authorName: string | null;
  createdAt: Date;
}

/** Whom a subject is about: its territory and the people a note on it concerns (the readers' audit rows). */
export interface Subject {
  type: NoteSubject;
  id: number;
  territoryId: number;
  people: { id: number; territoryId: number }[];
}

const COLUMN: Record<NoteSubject, string> = { request: 'request_id', match: 'match_id', person: 'person_id' };

/** The subject as the scope sees it (404 otherwise): a request's passenger, a match's passenger and driver. */
export async function loadSubject(tx: Queryable, scope: Scope, type: NoteSubject, id: number): Promise<Subject> {
  const sql: Record<NoteSubject, string> = {
    request: 'SELECT territory_id, ARRAY_REMOVE(ARRAY[passenger_id], NULL) AS people FROM requests WHERE id = $1',
    // The driver: a commuter's trip, or the volunteer (whose match has no trip).
    match: `SELECT m.territory_id, ARRAY_REMOVE(ARRAY[r.passenger_id, COALESCE(t.driver_id, m.volunteer_id)], NULL) AS people
            FROM matches m JOIN requests r ON r.id = m.request_id LEFT JOIN trips t ON t.id = m.trip_id WHERE m.id = $1`,
    person: 'SELECT territory_id, ARRAY[id] AS people FROM people WHERE id = $1',
  };
  const { rows } = await tx.query<{ territory_id: number; people: number[] }>(sql[type], [id]);
  const r = rows[0];
  if (!r || !inScope(scope, r.territory_id)) throw notFound(type, id);
  return { type, id, territoryId: r.territory_id, people: r.people.map((p) => ({ id: Number(p), territoryId: r.territory_id })) };
}

const subjectOfRow = (r: NoteRow): { subjectType: NoteSubject; subjectId: number } =>
  r.request_id !== null
    ? { subjectType: 'request', subjectId: r.request_id }
    : r.match_id !== null
      ? { subjectType: 'match', subjectId: r.match_id }
      : { subjectType: 'person', subjectId: r.person_id! };

const presentNote = (r: NoteRow, names: Map<string, string>): Note => ({
  id: r.id,
  territoryId: r.territory_id,
  ...subjectOfRow(r),
  kind: r.kind,
  body: r.body,
  author: r.author,
  authorName: names.get(r.author) ?? null,
  createdAt: r.created_at,
});

/** A note written by the scope's actor about a subject it can see, in the caller's transaction. */
export async function addNote(tx: Queryable, scope: Scope, b: NoteInput): Promise<NoteRow> {
  const s = await loadSubject(tx, scope, b.subjectType, b.subjectId);
  const { rows } = await tx.query<NoteRow>(
    `INSERT INTO notes (territory_id, ${COLUMN[b.subjectType]}, kind, body, author) VALUES ($1, $2, $3, $4, $5)
     RETURNING id, territory_id, request_id, match_id, person_id, kind, body, author, created_at`,
    [s.territoryId, b.subjectId, b.kind, b.body, scope.actor],
  );
  return rows[0];
}

/** The notes on one subject (not those on its matches or requests: the timeline gathers those), newest first. */
export async function notesOf(tx: Queryable, type: NoteSubject, id: number): Promise<NoteRow[]> {
  const { rows } = await tx.query<NoteRow>(
    `SELECT id, territory_id, request_id, match_id, person_id, kind, body, author, created_at FROM notes
     WHERE ${COLUMN[type]} = $1 ORDER BY created_at DESC, id DESC`,
    [id],
  );
  return rows;
}

export const presentNotes = (rows: NoteRow[], names: Map<string, string>) => rows.map((r) => presentNote(r, names));

/**
 * The console accounts' names for actor labels ("user:5" → "Claire Martin", or the e-mail without a name). The
 * accounts are outside the scoped role's reach (migration 200): `db` is the service's own connection.
 */
export async function staffNames(db: Queryable, actors: (string | null)[]): Promise<Map<string, string>> {
  const ids = [...new Set(actors.flatMap((a) => (a && /^user:\d+$/.test(a) ? [Number(a.slice(5))] : [])))];
  if (!ids.length) return new Map();
  const { rows } = await db.query<{ id: number; name: string }>(
    `SELECT id, coalesce(nullif(display_name, ''), email) AS name FROM users WHERE id = ANY($1::int[])`,
    [ids],
  );
  return new Map(rows.map((u) => [`user:${u.id}`, u.name]));
}

// ---- The timeline of a request or a person

interface Base {
  /** Unique in the timeline: "note:12", "status:34", "message:56", "request:7". */
  key: string;
  at: Date;
  /** Who did it: an actor label ("user:5", "public", "sms:person:12", "outbox"), null when unknown. */
  actor: string | null;
  actorName: string | null;
  requestId: number | null;
  matchId: number | null;
  /** The match's driver and passenger, when the entry is about a match (names: personal, audited by the caller). */
  driverId: number | null;
  driverName: string | null;
  passengerId: number | null;
  passengerName: string | null;
  /** The match's leg: a round trip has two matches with the same driver, told apart by it. */
  leg: 'outbound' | 'return' | null;
}
export type TimelineEntry = Base &
  (
    | { type: NoteKind; noteId: number; text: string; subjectType: NoteSubject }
    | { type: 'status'; from: MatchStatus | null; to: MatchStatus; reason: string | null; text: string | null }
    /** The request's own status (requests.status codes), e.g. marked unserved with its coded reason. */
    | { type: 'request_status'; from: string | null; to: string; reason: string | null }
    | {
        type: 'message';
        messageId: number;
        messageKind: MessageKind;
        channel: Channel;
        status: MessageStatus;
        personId: number | null;
        personName: string | null;
        /** The number masked ("06 •• •• •• 78"), or "courrier postal". */
        recipient: string;
        toRelay: boolean;
        answer: string | null;
        /** When it goes (a reminder: the day before the trip). */
        plannedAt: Date;
      }
    | { type: 'request'; text: string | null; fromLabel: string | null; toLabel: string | null; date: string | null }
  );

/** The most entries a timeline returns (the newest); a person followed for years has more. */
export const TIMELINE_LIMIT = 300;

const nameOf = (first: string | null, last: string | null) => `${first ?? ''} ${last ?? ''}`.trim() || null;

/** A match's two people, joined under the aliases dr/pa (the timeline shows who travelled with whom). */
const MATCH_PEOPLE = `LEFT JOIN matches mm ON mm.id = x.match_id LEFT JOIN trips tt ON tt.id = mm.trip_id
  LEFT JOIN requests rr ON rr.id = mm.request_id
  LEFT JOIN person_identities dr ON dr.person_id = COALESCE(tt.driver_id, mm.volunteer_id)
  LEFT JOIN person_identities pa ON pa.person_id = rr.passenger_id`;
const MATCH_PEOPLE_COLS = `COALESCE(tt.driver_id, mm.volunteer_id) AS driver_id, dr.first_name AS d_first, dr.last_name AS d_last, rr.passenger_id,
  pa.first_name AS p_first, pa.last_name AS p_last, rr.id AS m_request_id, mm.leg AS m_leg`;
interface MatchPeople {
  /** The match's request. */
  m_request_id: number | null;
  m_leg: 'outbound' | 'return' | null;
  driver_id: number | null;
  d_first: string | null;
  d_last: string | null;
  passenger_id: number | null;
  p_first: string | null;
  p_last: string | null;
}
const people = (r: MatchPeople) => ({
  driverId: r.driver_id,
  driverName: r.driver_id === null ? null : nameOf(r.d_first, r.d_last),
  passengerId: r.passenger_id,
  passengerName: r.passenger_id === null ? null : nameOf(r.p_first, r.p_last),
  leg: r.m_leg,
});

/** What a timeline covers: these requests and matches, the notes on this person, the messages sent to them. */
interface Span {
  requestIds: number[];
  matchIds: number[];
  personId: number | null;
}

async function spanOf(tx: Queryable, s: Subject): Promise<Span> {
  if (s.type === 'request') {
    const { rows } = await tx.query<{ id: number }>('SELECT id FROM matches WHERE request_id = $1', [s.id]);
    return { requestIds: [s.id], matchIds: rows.map((r) => r.id), personId: null };
  }
  if (s.type === 'match') return { requestIds: [], matchIds: [s.id], personId: null };
  const { rows: reqs } = await tx.query<{ id: number }>('SELECT id FROM requests WHERE passenger_id = $1', [s.id]);
  const { rows: ms } = await tx.query<{ id: number }>(
    `SELECT m.id FROM matches m WHERE m.request_id IN (SELECT id FROM requests WHERE passenger_id = $1)
       OR m.trip_id IN (SELECT id FROM trips WHERE driver_id = $1) OR m.volunteer_id = $1`,
    [s.id],
  );
  return { requestIds: reqs.map((r) => r.id), matchIds: ms.map((r) => r.id), personId: s.id };
}

/**
 * Everything that happened on a request (its matches included) or to a person (their requests, the matches of their
 * requests and trips, the notes about them, the messages sent to them), newest first. The people named in it are
 * returned for the caller's audit.
 */
export async function timelineOf(
  tx: Queryable,
  s: Subject,
): Promise<{ entries: TimelineEntry[]; named: { id: number; territoryId: number }[] }> {
  const span = await spanOf(tx, s);
  const params = [span.requestIds, span.matchIds, span.personId, TIMELINE_LIMIT];
  const notes = await tx.query<NoteRow & MatchPeople>(
    `SELECT x.id, x.territory_id, x.request_id, x.match_id, x.person_id, x.kind, x.body, x.author, x.created_at, ${MATCH_PEOPLE_COLS}
     FROM notes x ${MATCH_PEOPLE}
     WHERE x.request_id = ANY($1::int[]) OR x.match_id = ANY($2::int[]) OR x.person_id = $3
     ORDER BY x.created_at DESC, x.id DESC LIMIT $4`,
    params,
  );
  const events = await tx.query<
    { id: number; match_id: number; request_id: number; from_status: MatchStatus | null; to_status: MatchStatus; reason: string | null; note: string | null; actor: string; at: Date } & MatchPeople
  >(
    `SELECT x.id, x.match_id, mm.request_id, x.from_status, x.to_status, x.reason, x.note, x.actor, x.at, ${MATCH_PEOPLE_COLS}
     FROM match_events x ${MATCH_PEOPLE} WHERE x.match_id = ANY($1::int[])
     ORDER BY x.at DESC, x.id DESC LIMIT $2`,
    [span.matchIds, TIMELINE_LIMIT],
  );
  const messages = await tx.query<
    { id: number; match_id: number | null; request_id: number | null; person_id: number | null; kind: MessageKind; channel: Channel; status: MessageStatus; recipient: string; to_relay: boolean; answer: string | null; at: Date; planned_at: Date; r_first: string | null; r_last: string | null } & MatchPeople
  >(
    `SELECT x.id, x.match_id, x.request_id, x.person_id, x.kind, x.channel, x.status, x.recipient, x.to_relay, x.answer,
       coalesce(x.sent_at, x.created_at) AS at, x.planned_at, ri.first_name AS r_first, ri.last_name AS r_last, ${MATCH_PEOPLE_COLS}
     FROM messages x ${MATCH_PEOPLE} LEFT JOIN person_identities ri ON ri.person_id = x.person_id
     WHERE ($3::int IS NULL AND (x.request_id = ANY($1::int[]) OR x.match_id = ANY($2::int[]))) OR x.person_id = $3
     ORDER BY at DESC, x.id DESC LIMIT $4`,
    params,
  );
  const requestEvents = await tx.query<{ id: number; request_id: number; from_status: string | null; to_status: string; reason: string | null; actor: string; at: Date }>(
    `SELECT id, request_id, from_status, to_status, reason, actor, at FROM request_events WHERE request_id = ANY($1::int[])
     ORDER BY at DESC, id DESC LIMIT $2`,
    [span.requestIds, TIMELINE_LIMIT],
  );
  const requests = await tx.query<{ id: number; created_at: Date; created_by: string | null; note: string | null; from_label: string | null; to_label: string | null; date: string | null }>(
    `SELECT id, created_at, created_by, note, from_label, to_label, date::text AS date FROM requests WHERE id = ANY($1::int[])
     ORDER BY created_at DESC, id DESC LIMIT $2`,
    [span.requestIds, TIMELINE_LIMIT],
  );
  const none = { driverId: null, driverName: null, passengerId: null, passengerName: null, leg: null };
  // actorName: filled by the caller, who may read the staff accounts (staffNames).
  const entries: TimelineEntry[] = [
    ...notes.rows.map((r) => ({
      key: `note:${r.id}`,
      type: r.kind,
      at: r.created_at,
      actor: r.author,
      actorName: null,
      requestId: r.request_id ?? r.m_request_id,
      matchId: r.match_id,
      ...(r.match_id === null ? none : people(r)),
      noteId: r.id,
      text: r.body,
      subjectType: subjectOfRow(r).subjectType,
    })),
    ...events.rows.map((r) => ({
      key: `status:${r.id}`,
      type: 'status' as const,
      at: r.at,
      actor: r.actor,
      actorName: null,
      requestId: r.request_id,
      matchId: r.match_id,
      ...people(r),
      from: r.from_status,
      to: r.to_status,
      reason: r.reason,
      text: r.note,
    })),
    ...messages.rows.map((r) => ({
      key: `message:${r.id}`,
      type: 'message' as const,
      at: r.at,
      // Messages are sent by the outbox, caused by a status change (shown on its own line).
      actor: 'outbox',
      actorName: null,
      requestId: r.request_id ?? r.m_request_id,
      matchId: r.match_id,
      ...(r.match_id === null ? none : people(r)),
      messageId: r.id,
      messageKind: r.kind,
      channel: r.channel,
      status: r.status,
      personId: r.person_id,
      personName: r.person_id === null ? null : nameOf(r.r_first, r.r_last),
      recipient: r.channel === 'letter' ? 'courrier postal' : r.recipient ? maskPhone(r.recipient) : '',
      toRelay: r.to_relay,
      answer: r.answer,
      plannedAt: r.planned_at,
    })),
    ...requestEvents.rows.map((r) => ({
      key: `request_status:${r.id}`,
      type: 'request_status' as const,
      at: r.at,
      actor: r.actor,
      actorName: null,
      requestId: r.request_id,
      matchId: null,
      ...none,
      from: r.from_status,
      to: r.to_status,
      reason: r.reason,
    })),
    ...requests.rows.map((r) => ({
      key: `request:${r.id}`,
      type: 'request' as const,
      at: r.created_at,
      actor: r.created_by,
      actorName: null,
      requestId: r.id,
      matchId: null,
      ...none,
      text: r.note,
      fromLabel: r.from_label,
      toLabel: r.to_label,
      date: r.date,
    })),
  ];
  // Newest first; at the same instant (one transaction) the request taken comes last, being what the rest follows.
  const taken = (e: TimelineEntry) => (e.type === 'request' ? 1 : 0);
  const [typeOf, idOf] = [(e: TimelineEntry) => e.key.split(':')[0], (e: TimelineEntry) => Number(e.key.split(':')[1])];
  entries.sort((a, b) => b.at.getTime() - a.at.getTime() || taken(a) - taken(b) || typeOf(b).localeCompare(typeOf(a)) || idOf(b) - idOf(a));
  const kept = entries.slice(0, TIMELINE_LIMIT);
  const named = new Map<number, { id: number; territoryId: number }>();
  for (const p of s.people) named.set(p.id, p);
  for (const e of kept) {
    for (const pid of [e.driverId, e.passengerId, e.type === 'message' ? e.personId : null])
      if (pid !== null) named.set(pid, { id: pid, territoryId: s.territoryId });
  }
  return { entries: kept, named: [...named.values()] };
}
