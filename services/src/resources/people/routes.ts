import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { accessReason } from '../../audit/audit.ts';
import { requireRole, writeTerritory, type Principal } from '../../auth/principal.ts';
import type { Services } from '../../context.ts';
import type { Queryable } from '@comobi/db';
import { asPrincipal } from '../../auth/scope.ts';
import {
  auditPeopleRead,
  createPerson,
  deletePerson,
  inputOf,
  loadPerson,
  NEEDS,
  peopleList,
  presentPerson,
  updatePerson,
  type PersonRow,
} from '../../domain/people.ts';
import { visibilityOf } from '../../domain/scope.ts';
import { listPage } from '../../http/simple-rest.ts';
import { id, isoDate, parse, point } from '../../http/validate.ts';

const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9 .-]{6,20}$/, 'expected a phone number');
const body = z
  .object({
    territoryId: z.number().int().positive().optional(),
    isDriver: z.boolean().default(false),
    isPassenger: z.boolean().default(false),
    communeInsee: z
      .string()
      .regex(/^\w{5}$/, 'expected an INSEE code of 5 characters')
      .nullable()
      .optional(),
    home: point.nullable().optional(),
    directContactConsent: z.boolean().default(false),
    partnerAppsConsent: z.boolean().optional(),
    needs: z.array(z.enum(NEEDS)).default([]),
    firstName: z.string().trim().min(1).max(100).nullable().optional(),
    lastName: z.string().trim().min(1).max(100).nullable().optional(),
    phone: phone.nullable().optional(),
    email: z.string().email('expected an e-mail address').max(200).nullable().optional(),
    address: z.string().max(300).nullable().optional(),
    birthdate: isoDate.nullable().optional(),
  })
  .refine((b) => b.isDriver || b.isPassenger, {
    message: 'a person is a driver, a passenger or both',
    path: ['isDriver'],
  });

/** People as this reader may see them; personal fields shown are audited (who, whom, why). */
async function present(tx: Queryable, ctx: Context, p: Principal, rows: PersonRow[]) {
  const v = visibilityOf(p);
  if (v === 'personal') await auditPeopleRead(tx, p, rows, accessReason(ctx));
  return rows.map((r) => presentPerson(r, v));
}

/** The people resource: validation and presentation; the domain (domain/people.ts) does the rest. */
export function peopleRoutes(s: Services) {
  const r = new Router();

  r.get('/people', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator', 'viewer');
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      const rows = await listPage<PersonRow>(ctx, tx, 'people', peopleList, {
        territoryIds: p.territoryIds,
        readsPersonal: visibilityOf(p) === 'personal',
      });
      return present(tx, ctx, p, rows);
    });
  });

  r.get('/people/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator', 'viewer');
    const pid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, async (tx) => (await present(tx, ctx, p, [await loadPerson(tx, p, pid)]))[0]);
  });

  r.post('/people', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const b = parse(body, ctx.request.body);
    const territoryId = writeTerritory(p, b.territoryId);
    const result = await asPrincipal(s.db, p, async (tx) => {
      const made = await createPerson(tx, territoryId, b, `api:${p.actor}`);
      if ('existingId' in made) return made;
      return { person: (await present(tx, ctx, p, [await loadPerson(tx, p, made.id)]))[0] };
    });
    if ('existingId' in result) {
      // No duplicates: the console offers the existing person instead.
      ctx.status = 409;
      ctx.body = {
        error: 'conflict',
        message: `a person with this phone already exists (id ${result.existingId})`,
        fields: [{ field: 'phone', reason: 'already used' }],
        existingId: result.existingId,
      };
      return;
    }
    ctx.status = 201;
    ctx.body = result.person;
  });

  r.put('/people/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const pid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      // The consent to partner apps is not part of the current input: absent from the body, it does not change.
      const current = inputOf(await loadPerson(tx, p, pid));
      const b = parse(body, { ...current, ...(ctx.request.body as object) });
      await updatePerson(tx, pid, b, `api:${p.actor}`);
      return (await present(tx, ctx, p, [await loadPerson(tx, p, pid)]))[0];
    });
  });

  r.delete('/people/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const pid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, async (tx) => presentPerson(await deletePerson(tx, p, pid), 'coarse'));
  });

  return r;
}
