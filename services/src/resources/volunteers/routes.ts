import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Queryable } from '@comobi/db';
import { accessReason } from '../../audit/audit.ts';
import { requireRole, type Principal } from '../../auth/principal.ts';
import { asPrincipal } from '../../auth/scope.ts';
import type { Services } from '../../context.ts';
import { visibilityOf } from '../../domain/scope.ts';
import {
  auditVolunteersRead,
  inputOfVolunteer,
  loadVolunteer,
  presentVolunteer,
  removeVolunteer,
  volunteerList,
  writeVolunteer,
  type VolunteerRow,
} from '../../domain/volunteers.ts';
import { listPage } from '../../http/simple-rest.ts';
import { clockTime, id, isoDate, parse, point } from '../../http/validate.ts';
import { PURPOSES } from '../../matching/query.ts';

/** A slot may end at midnight ("24:00"). */
const endTime = z.union([clockTime, z.literal('24:00')], { error: 'expected a time HH:MM (00:00 to 24:00)' });

export const volunteerBody = z.object({
  personId: z.number().int().positive(),
  home: point,
  homeLabel: z.string().trim().max(200).nullable().optional(),
  maxKm: z.number().positive('must be more than 0').max(300, 'at most 300 km').nullable().optional(),
  maxMinutes: z.number().int().min(5, 'at least 5 minutes').max(300, 'at most 300 minutes').nullable().optional(),
  seats: z.number().int().min(1).max(8).default(3),
  wheelchair: z.boolean().default(false),
  purposes: z
    .array(z.enum(PURPOSES))
    .min(1, 'at least one purpose')
    .refine((a) => new Set(a).size === a.length, 'purposes must not repeat')
    .default([...PURPOSES]),
  active: z.boolean().default(true),
  slots: z
    .array(z.object({ weekday: z.number().int().min(1, 'weekdays are 1 (Monday) to 7 (Sunday)').max(7, 'weekdays are 1 (Monday) to 7 (Sunday)'), start: clockTime, end: endTime }))
    .max(70)
    .default([]),
  exceptions: z
    .array(
      z.object({
        dateFrom: isoDate,
        dateTo: isoDate,
        available: z.boolean().default(false),
        start: clockTime.nullable().default(null),
        end: endTime.nullable().default(null),
        note: z.string().trim().max(300).nullable().default(null),
      }),
    )
    .max(200)
    .default([]),
});

/** Volunteers as this reader may see them; the names and homes shown are audited. */
async function present(tx: Queryable, ctx: Context, p: Principal, rows: VolunteerRow[]) {
  const v = visibilityOf(p);
  if (v === 'personal') await auditVolunteersRead(tx, p, rows, accessReason(ctx));
  return rows.map((r) => presentVolunteer(r, v));
}

/** Volunteer drivers: validation and presentation; the domain (domain/volunteers.ts) does the rest. */
export function volunteerRoutes(s: Services) {
  const r = new Router();

  r.get('/volunteers', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator', 'viewer');
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      const rows = await listPage<VolunteerRow>(ctx, tx, 'volunteers', volunteerList, {
        territoryIds: p.territoryIds,
        readsPersonal: visibilityOf(p) === 'personal',
      });
      return present(tx, ctx, p, rows);
    });
  });

  r.get('/volunteers/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator', 'viewer');
    const vid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, async (tx) => (await present(tx, ctx, p, [await loadVolunteer(tx, p, vid)]))[0]);
  });

  r.post('/volunteers', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const b = parse(volunteerBody, ctx.request.body);
    ctx.status = 201;
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      await writeVolunteer(tx, p, b, true);
      return (await present(tx, ctx, p, [await loadVolunteer(tx, p, b.personId)]))[0];
    });
  });

  r.put('/volunteers/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const vid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      const current = inputOfVolunteer(await loadVolunteer(tx, p, vid));
      const sent = (ctx.request.body ?? {}) as Record<string, unknown>;
      const b = parse(volunteerBody, { ...current, ...sent, personId: vid });
      await writeVolunteer(tx, p, b, false);
      return (await present(tx, ctx, p, [await loadVolunteer(tx, p, vid)]))[0];
    });
  });

  r.delete('/volunteers/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const vid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, async (tx) => presentVolunteer(await removeVolunteer(tx, p, vid), 'coarse'));
  });

  return r;
}
