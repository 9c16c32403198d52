import Router from '@koa/router';
import { z } from 'zod';
import { accessReason, auditPersonalRead, PERSONAL_FIELDS } from '../../audit/audit.ts';
import { principalOf, requireRole, seesPersonalData, writeTerritory, type Principal } from '../../auth/principal.ts';
import type { Services } from '../../context.ts';
import type { Queryable } from '../../db/index.ts';
import { asPrincipal } from '../../db/scope.ts';
import { pointCols, pointSql, readPoint } from '../../geo/sql.ts';
import { badRequest, notFound } from '../../http/errors.ts';
import { filterBy, listParams, setContentRange, Where } from '../../http/simple-rest.ts';
import { id, isoDate, parse, point } from '../../http/validate.ts';

export const NEEDS = [
  'wheelchair',
  'reduced_mobility',
  'visual',
  'hearing',
  'assistance_dog',
  'child_seat',
  'luggage',
] as const;

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

const SELECT = `SELECT p.id, p.territory_id, p.is_driver, p.is_passenger, p.commune_insee, ${pointCols('p.home', 'home')},
  p.direct_contact_consent, p.direct_contact_consent_at, p.needs, p.anonymized_at, p.created_at, p.updated_at,
  c.name AS commune_name, i.first_name, i.last_name, i.phone, i.email, i.address, i.birthdate
  FROM people p LEFT JOIN person_identities i ON i.person_id = p.id LEFT JOIN communes c ON c.insee = p.commune_insee`;

/** $2…$8 of the people insert and update, in the same order. */
const personParams = (b: z.infer<typeof body>) => [
  b.isDriver,
  b.isPassenger,
  b.communeInsee ?? null,
  b.home?.lng ?? null,
  b.home?.lat ?? null,
  b.directContactConsent,
  b.needs,
];

export const normalizePhone = (v: string) => v.replace(/[ .-]/g, '').replace(/^\+33/, '0');

function present(r: Record<string, any>, personal: boolean) {
  return {
    id: r.id,
    territoryId: r.territory_id,
    isDriver: r.is_driver,
    isPassenger: r.is_passenger,
    communeInsee: r.commune_insee,
    communeName: r.commune_name,
    home: personal ? readPoint(r, 'home') : null,
    directContactConsent: r.direct_contact_consent,
    directContactConsentAt: r.direct_contact_consent_at,
    needs: r.needs,
    anonymized: r.anonymized_at !== null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...(personal
      ? {
          firstName: r.first_name,
          lastName: r.last_name,
          phone: r.phone,
          email: r.email,
          address: r.address,
          birthdate: r.birthdate,
        }
      : {}),
  };
}

/** Presents people to a principal: personal fields only for roles that handle people, and every such read audited. */
export async function presentPeople(
  db: Queryable,
  ctx: { get(h: string): string; query: any },
  p: Principal,
  rows: Record<string, any>[],
) {
  const personal = seesPersonalData(p);
  if (personal) {
    await auditPersonalRead(
      db,
      p,
      rows.map((r) => ({ id: r.id, territoryId: r.territory_id })),
      PERSONAL_FIELDS,
      accessReason(ctx as any),
    );
  }
  return rows.map((r) => present(r, personal));
}

export function peopleRoutes(s: Services) {
  const r = new Router();
  const spec = {
    sortable: {
      id: 'p.id',
      createdAt: 'p.created_at',
      lastName: 'i.last_name',
      firstName: 'i.first_name',
      communeInsee: 'p.commune_insee',
    },
    filters: {
      territoryId: filterBy.int('p.territory_id', 'territoryId'),
      isDriver: filterBy.bool('p.is_driver', 'isDriver'),
      isPassenger: filterBy.bool('p.is_passenger', 'isPassenger'),
      communeInsee: filterBy.oneOf('p.commune_insee', 'communeInsee', []),
      q: (w: Where, v: unknown) => {
        if (typeof v !== 'string') throw badRequest('filter.q', 'must be text');
        const like = w.param(`%${v.replace(/[%_\\]/g, (c) => `\\${c}`)}%`);
        const digits = w.param(normalizePhone(v));
        w.raw(`(i.first_name ILIKE ${like} OR i.last_name ILIKE ${like} OR (i.first_name || ' ' || i.last_name) ILIKE ${like}
                OR (length(${digits}) >= 4 AND replace(replace(replace(i.phone, ' ', ''), '.', ''), '-', '') LIKE '%' || ${digits} || '%'))`);
      },
      phone: (w: Where, v: unknown) => {
        if (typeof v !== 'string') throw badRequest('filter.phone', 'must be text');
        w.add((ph) => `replace(replace(replace(i.phone, ' ', ''), '.', ''), '-', '') = ${ph}`, normalizePhone(v));
      },
    },
  };
  spec.filters.communeInsee = (w: Where, v: unknown) => {
    const vals = Array.isArray(v) ? v : [v];
    if (!vals.every((x) => typeof x === 'string')) throw badRequest('filter.communeInsee', 'must be INSEE codes');
    w.add((ph) => `p.commune_insee = ANY(${ph}::text[])`, vals);
  };

  r.get('/people', async (ctx) => {
    const p = principalOf(ctx);
    const where = new Where();
    if (p.territoryIds) where.add((ph) => `p.territory_id = ANY(${ph}::int[])`, p.territoryIds);
    const lp = listParams(ctx, spec, where);
    if (!seesPersonalData(p) && (lp.filter.q || lp.filter.phone))
      throw badRequest('filter.q', 'searching by name or phone requires a coordinator role');
    ctx.body = await asPrincipal(s.db, p, async (db) => {
      const rows = await db.query(
        `${SELECT} ${where} ORDER BY ${lp.orderBy} LIMIT ${lp.limit} OFFSET ${lp.offset}`,
        where.params,
      );
      const total = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM people p LEFT JOIN person_identities i ON i.person_id = p.id ${where}`,
        where.params,
      );
      setContentRange(ctx, 'people', lp.offset, rows.rows.length, total.rows[0].n);
      return presentPeople(db, ctx, p, rows.rows);
    });
  });

  const load = async (db: Queryable, p: Principal, pid: number) => {
    const { rows } = await db.query(`${SELECT} WHERE p.id = $1`, [pid]);
    const row = rows[0];
    if (!row || (p.territoryIds && !p.territoryIds.includes(row.territory_id as number))) throw notFound('person', pid);
    return row;
  };

  r.get('/people/:id', async (ctx) => {
    const p = principalOf(ctx);
    const pid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, async (db) => (await presentPeople(db, ctx, p, [await load(db, p, pid)]))[0]);
  });

  const write = async (tx: import('../../db/index.ts').Queryable, pid: number, b: z.infer<typeof body>) => {
    await tx.query(
      `INSERT INTO person_identities (person_id, first_name, last_name, phone, email, address, birthdate)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (person_id) DO UPDATE SET first_name = $2, last_name = $3, phone = $4, email = $5, address = $6, birthdate = $7`,
      [
        pid,
        b.firstName ?? null,
        b.lastName ?? null,
        b.phone ?? null,
        b.email ?? null,
        b.address ?? null,
        b.birthdate ?? null,
      ],
    );
  };

  r.post('/people', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const b = parse(body, ctx.request.body);
    const territoryId = writeTerritory(p, b.territoryId);
    const result = await asPrincipal(s.db, p, async (tx) => {
      if (b.phone) {
        const dup = await tx.query(
          `SELECT p.id FROM people p JOIN person_identities i ON i.person_id = p.id
         WHERE p.territory_id = $1 AND replace(replace(replace(i.phone, ' ', ''), '.', ''), '-', '') = $2`,
          [territoryId, normalizePhone(b.phone)],
        );
        if (dup.rows[0]) return { existingId: dup.rows[0].id as number };
      }
      const { rows } = await tx.query<{ id: number }>(
        `INSERT INTO people (territory_id, is_driver, is_passenger, commune_insee, home, direct_contact_consent,
           direct_contact_consent_at, needs)
         VALUES ($1, $2, $3, $4, CASE WHEN $5::float8 IS NULL THEN NULL ELSE ${pointSql('$5', '$6')} END, $7,
           CASE WHEN $7 THEN now() END, $8) RETURNING id`,
        [territoryId, ...personParams(b)],
      );
      await write(tx, rows[0].id, b);
      return { person: (await presentPeople(tx, ctx, p, [await load(tx, p, rows[0].id)]))[0] };
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
      const current = present(await load(tx, p, pid), true);
      const b = parse(body, { ...current, home: current.home, ...(ctx.request.body as object) });
      await tx.query(
        `UPDATE people SET is_driver = $2, is_passenger = $3, commune_insee = $4,
           home = CASE WHEN $5::float8 IS NULL THEN NULL ELSE ${pointSql('$5', '$6')} END,
           direct_contact_consent = $7,
           direct_contact_consent_at = CASE WHEN $7 AND NOT direct_contact_consent THEN now()
                                            WHEN NOT $7 THEN NULL ELSE direct_contact_consent_at END,
           needs = $8, updated_at = now() WHERE id = $1`,
        [pid, ...personParams(b)],
      );
      await write(tx, pid, b);
      return (await presentPeople(tx, ctx, p, [await load(tx, p, pid)]))[0];
    });
  });

  r.delete('/people/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const pid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, async (db) => {
      const row = await load(db, p, pid);
      await db.query('DELETE FROM people WHERE id = $1', [pid]);
      return present(row, false);
    });
  });

  return r;
}
