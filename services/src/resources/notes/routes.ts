import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { accessReason, auditPersonalRead } from '../../audit/audit.ts';
import { requireRole, type Principal } from '../../auth/principal.ts';
import { asPrincipal } from '../../auth/scope.ts';
import type { Services } from '../../context.ts';
import type { Queryable } from '@comobi/db';
import {
  addNote,
  loadSubject,
  NOTE_KINDS,
  NOTE_MAX,
  NOTE_SUBJECTS,
  notesOf,
  presentNotes,
  staffNames,
  timelineOf,
  type NoteSubject,
  type Subject,
} from '../../domain/notes.ts';
import { id, parse } from '../../http/validate.ts';

const subjectId = z.coerce.number().int('expected an id').min(1, 'expected an id').max(2147483647, 'expected an id');
export const noteQuery = z.object({ subjectType: z.enum(NOTE_SUBJECTS), subjectId });
export const noteBody = z
  .object({
    subjectType: z.enum(NOTE_SUBJECTS),
    subjectId: z.number().int().min(1).max(2147483647),
    kind: z.enum(NOTE_KINDS).default('note'),
    body: z
      .string()
      .trim()
      .min(1, 'required')
      .max(NOTE_MAX, `at most ${NOTE_MAX} characters`)
      .refine((s) => !s.includes('\u0000'), 'must not contain a NUL character'),
  })
  .strict();

/** Notes and timelines are what people said: coordinators and admins only (never viewers or integrations). */
const NOTE_READERS = ['admin', 'coordinator'] as const;

/** One audit row per person the notes are about; a request without a passenger is itself the subject. */
async function auditNotesRead(tx: Queryable, ctx: Context, p: Principal, s: Subject, people: Subject['people']) {
  if (people.length) await auditPersonalRead(tx, p, people, ['notes', 'history'], accessReason(ctx));
  else await auditPersonalRead(tx, p, [{ id: s.id, territoryId: s.territoryId }], ['notes', 'history'], accessReason(ctx), s.type);
}

/** GET/POST /api/notes, and the timelines of a request and of a person (domain/notes.ts). */
export function noteRoutes(s: Services) {
  const r = new Router();

  r.get('/notes', async (ctx) => {
    const p = requireRole(ctx, ...NOTE_READERS);
    const q = parse(noteQuery, ctx.query);
    const rows = await asPrincipal(s.db, p, async (tx) => {
      const subject = await loadSubject(tx, p, q.subjectType, q.subjectId);
      await auditNotesRead(tx, ctx, p, subject, subject.people);
      return notesOf(tx, q.subjectType, q.subjectId);
    });
    ctx.body = presentNotes(rows, await staffNames(s.db, rows.map((n) => n.author)));
  });

  r.post('/notes', async (ctx) => {
    const p = requireRole(ctx, ...NOTE_READERS);
    const b = parse(noteBody, ctx.request.body);
    const row = await asPrincipal(s.db, p, (tx) => addNote(tx, p, b));
    ctx.status = 201;
    ctx.body = presentNotes([row], await staffNames(s.db, [row.author]))[0];
  });

  const timeline = (type: NoteSubject) => async (ctx: Context) => {
    const p = requireRole(ctx, ...NOTE_READERS);
    const sid = parse(id, ctx.params.id, 'id');
    const { entries } = await asPrincipal(s.db, p, async (tx) => {
      const subject = await loadSubject(tx, p, type, sid);
      const t = await timelineOf(tx, subject);
      await auditNotesRead(tx, ctx, p, subject, t.named);
      return t;
    });
    const names = await staffNames(s.db, entries.map((e) => e.actor));
    ctx.body = entries.map((e) => ({ ...e, actorName: e.actor ? (names.get(e.actor) ?? null) : null }));
  };
  r.get('/requests/:id/timeline', timeline('request'));
  r.get('/people/:id/timeline', timeline('person'));

  return r;
}
