import { z } from 'zod';
import { NOTE_KINDS, NOTE_SUBJECTS, TIMELINE_LIMIT } from '../../domain/notes.ts';
import { noteBody } from './routes.ts';

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
const err = { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
const dateTime = { type: 'string', format: 'date-time' };
const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((n) => [n, err]));

const note = {
  type: 'object',
  required: ['id', 'territoryId', 'subjectType', 'subjectId', 'kind', 'body', 'author', 'authorName', 'createdAt'],
  properties: {
    id: { type: 'integer' },
    territoryId: { type: 'integer' },
    subjectType: { enum: NOTE_SUBJECTS },
    subjectId: { type: 'integer' },
    kind: { enum: NOTE_KINDS, description: 'call: a phone call and what came of it; note: anything else' },
    body: { type: 'string' },
    author: { type: 'string', description: 'actor label, e.g. user:5' },
    authorName: nullable({ type: 'string' }),
    createdAt: dateTime,
  },
};

const entry = {
  type: 'object',
  required: ['key', 'type', 'at', 'actor', 'actorName', 'requestId', 'matchId'],
  description:
    'One line of a timeline. type call/note: a note (text, noteId, subjectType); status: a match changed status (from, to, reason, text: the note typed with it); request_status: the request’s own status changed (from, to, reason: the coded unserved reason); message: a message of the outbox (messageId, messageKind, channel, status, personId, personName, recipient masked, toRelay, answer, plannedAt); request: the request was taken (text: its note, fromLabel, toLabel, date). driverId/driverName/passengerId/passengerName name the match’s people when the entry is about a match.',
  properties: {
    key: { type: 'string', example: 'note:12' },
    type: { enum: [...NOTE_KINDS, 'status', 'request_status', 'message', 'request'] },
    at: dateTime,
    actor: nullable({ type: 'string' }),
    actorName: nullable({ type: 'string' }),
    requestId: nullable({ type: 'integer' }),
    matchId: nullable({ type: 'integer' }),
    driverId: nullable({ type: 'integer' }),
    driverName: nullable({ type: 'string' }),
    passengerId: nullable({ type: 'integer' }),
    passengerName: nullable({ type: 'string' }),
    leg: nullable({ enum: ['outbound', 'return'], description: 'the match’s leg when the entry is about a match' }),
    text: nullable({ type: 'string' }),
    from: nullable({ type: 'string' }),
    to: { type: 'string', description: 'a match status (type status) or a request status (type request_status)' },
    reason: nullable({ type: 'string' }),
    noteId: { type: 'integer' },
    subjectType: { enum: NOTE_SUBJECTS },
    messageId: { type: 'integer' },
    messageKind: { type: 'string' },
    channel: { enum: ['sms', 'voice', 'letter'] },
    status: { type: 'string' },
    personId: nullable({ type: 'integer' }),
    personName: nullable({ type: 'string' }),
    recipient: { type: 'string' },
    toRelay: { type: 'boolean' },
    answer: nullable({ type: 'string' }),
    plannedAt: dateTime,
    fromLabel: nullable({ type: 'string' }),
    toLabel: nullable({ type: 'string' }),
    date: nullable({ type: 'string', format: 'date' }),
  },
};

const timeline = (what: string) => ({
  get: {
    tags: ['note'],
    summary: `The timeline of a ${what}, newest first (at most ${TIMELINE_LIMIT} entries): notes and calls, status changes, messages, who did what and when; coordinators and admins, each person named audited`,
    parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
    responses: {
      200: { description: 'entries', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/TimelineEntry' } } } } },
      ...errors(400, 401, 403, 404),
    },
  },
});

/** Notes on requests, matches and people, and the timelines (coordinators and admins only; reads audited). */
export const notePaths = () => ({
  '/api/notes': {
    get: {
      tags: ['note'],
      summary: 'The notes on one request, match or person, newest first; coordinators and admins, the read audited',
      parameters: [
        { name: 'subjectType', in: 'query', required: true, schema: { enum: NOTE_SUBJECTS } },
        { name: 'subjectId', in: 'query', required: true, schema: { type: 'integer', minimum: 1 } },
      ],
      responses: {
        200: { description: 'notes', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Note' } } } } },
        ...errors(400, 401, 403, 404),
      },
    },
    post: {
      tags: ['note'],
      summary: 'Write a note or a call record about a request, a match or a person (author and time recorded)',
      requestBody: { required: true, content: { 'application/json': { schema: json(noteBody) } } },
      responses: {
        201: { description: 'created', content: { 'application/json': { schema: { $ref: '#/components/schemas/Note' } } } },
        ...errors(400, 401, 403, 404),
      },
    },
  },
  '/api/requests/{id}/timeline': timeline('request (its matches included)'),
  '/api/people/{id}/timeline': timeline('person (their requests, the matches of their requests and trips, messages sent to them)'),
});

export const noteSchemas = { Note: note, TimelineEntry: entry };
