import Router from '@koa/router';
import { z } from 'zod';
import { principalOf, requireRole } from '../../auth/principal.ts';
import { asPrincipal } from '../../db/scope.ts';
import type { Queryable } from '../../db/index.ts';
import type { Services } from '../../context.ts';
import { polygonGeoJSON } from '../../geo/sql.ts';
import { badRequest, notFound } from '../../http/errors.ts';
import { filterBy, listParams, setContentRange, Where } from '../../http/simple-rest.ts';
import { id, parse } from '../../http/validate.ts';
import { rulesSchema } from '../../matching/rules.ts';

const body = z.object({
  slug: z.string().regex(/^[a-z0-9-]{2,40}$/, 'lowercase letters, digits and dashes, 2 to 40'),
  name: z.string().min(1).max(200),
  boundary: polygonGeoJSON.nullable().optional(),
  rules: rulesSchema.partial().strict().optional(),
  coordinatorPhone: z.string().max(40).nullable().optional(),
});

const SELECT = `SELECT id, slug, name, rules, coordinator_phone, created_at, updated_at,
  ST_AsGeoJSON(boundary, 6)::json AS boundary FROM territories`;

const present = (r: Record<string, any>, withBoundary: boolean) => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  rules: rulesSchema.parse(r.rules ?? {}),
  coordinatorPhone: r.coordinator_phone,
  ...(withBoundary ? { boundary: r.boundary } : {}),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

async function checkBoundary(db: Queryable, boundary: unknown) {
  if (!boundary) return;
  const { rows } = await db.query<{ valid: boolean; reason: string }>(
    'SELECT ST_IsValid(g) AS valid, ST_IsValidReason(g) AS reason FROM ST_GeomFromGeoJSON($1) g',
    [JSON.stringify(boundary)],
  );
  if (!rows[0].valid) throw badRequest('boundary', `invalid polygon: ${rows[0].reason}`);
}

export function territoryRoutes(s: Services) {
  const r = new Router();
  const spec = {
    sortable: { id: 'id', name: 'name', slug: 'slug', createdAt: 'created_at' },
    filters: { q: filterBy.text('name', 'q'), slug: filterBy.text('slug', 'slug') },
  };

  r.get('/territories', async (ctx) => {
    const p = principalOf(ctx);
    const where = new Where();
    if (p.territoryIds) where.add((ph) => `id = ANY(${ph}::int[])`, p.territoryIds);
    const lp = listParams(ctx, spec, where);
    const [rows, total] = await asPrincipal(
      s.db,
      p,
      async (db) =>
        [
          await db.query(
            `${SELECT} ${where} ORDER BY ${lp.orderBy} LIMIT ${lp.limit} OFFSET ${lp.offset}`,
            where.params,
          ),
          await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM territories ${where}`, where.params),
        ] as const,
    );
    setContentRange(ctx, 'territories', lp.offset, rows.rows.length, total.rows[0].n);
    ctx.body = rows.rows.map((row) => present(row, false));
  });

  r.get('/territories/:id', async (ctx) => {
    const p = principalOf(ctx);
    const tid = parse(id, ctx.params.id, 'id');
    if (p.territoryIds && !p.territoryIds.includes(tid)) throw notFound('territory', tid);
    const { rows } = await asPrincipal(s.db, p, (db) => db.query(`${SELECT} WHERE id = $1`, [tid]));
    if (!rows[0]) throw notFound('territory', tid);
    ctx.body = present(rows[0], true);
  });

  r.post('/territories', async (ctx) => {
    const p = requireRole(ctx, 'admin');
    const b = parse(body, ctx.request.body);
    ctx.status = 201;
    ctx.body = await asPrincipal(s.db, p, async (db) => {
      await checkBoundary(db, b.boundary);
      const { rows } = await db.query(
        `INSERT INTO territories (slug, name, boundary, rules, coordinator_phone)
       VALUES ($1, $2, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($3), 4326)), $4, $5) RETURNING id`,
        [
          b.slug,
          b.name,
          b.boundary ? JSON.stringify(b.boundary) : null,
          JSON.stringify(b.rules ?? {}),
          b.coordinatorPhone ?? null,
        ],
      );
      return present((await db.query(`${SELECT} WHERE id = $1`, [rows[0].id])).rows[0], true);
    });
  });

  r.put('/territories/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin');
    const tid = parse(id, ctx.params.id, 'id');
    const b = parse(body.partial(), ctx.request.body);
    ctx.body = await asPrincipal(s.db, p, async (db) => {
      await checkBoundary(db, b.boundary);
      const { rows } = await db.query(
        `UPDATE territories SET slug = COALESCE($2, slug), name = COALESCE($3, name),
         boundary = CASE WHEN $4::boolean THEN ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($5), 4326)) ELSE boundary END,
         rules = COALESCE($6::jsonb, rules), coordinator_phone = CASE WHEN $7::boolean THEN $8 ELSE coordinator_phone END,
         updated_at = now()
       WHERE id = $1 RETURNING id`,
        [
          tid,
          b.slug ?? null,
          b.name ?? null,
          b.boundary !== undefined,
          b.boundary ? JSON.stringify(b.boundary) : null,
          b.rules ? JSON.stringify(b.rules) : null,
          b.coordinatorPhone !== undefined,
          b.coordinatorPhone ?? null,
        ],
      );
      if (!rows[0]) throw notFound('territory', tid);
      return present((await db.query(`${SELECT} WHERE id = $1`, [tid])).rows[0], true);
    });
  });

  r.delete('/territories/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin');
    const tid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, async (db) => {
      const { rows } = await db.query(`${SELECT} WHERE id = $1`, [tid]);
      if (!rows[0]) throw notFound('territory', tid);
      await db.query('DELETE FROM territories WHERE id = $1', [tid]);
      return present(rows[0], false);
    });
  });

  return r;
}
