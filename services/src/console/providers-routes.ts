import type Router from '@koa/router';
import { z } from 'zod';
import { principalOf, requireRole, writeTerritory } from '../auth/principal.ts';
import type { Services } from '../context.ts';
import { asPrincipal } from '../auth/scope.ts';
import { polygonGeoJSON } from '../geo/sql.ts';
import { notFound } from '../http/errors.ts';
import { filterBy, listPage, type ListSpec } from '../http/simple-rest.ts';
import { id, parse } from '../http/validate.ts';

export const PROVIDER_KINDS = ['tad', 'seated_patient', 'taxi'] as const;

const body = z.object({
  territoryId: z.number().int().positive().optional(),
  kind: z.enum(PROVIDER_KINDS),
  name: z.string().trim().min(1, 'required').max(200),
  phone: z.string().trim().regex(/^\+?[0-9 .-]{6,20}$/, 'expected a phone number').nullable().optional(),
  area: polygonGeoJSON.nullable().optional(),
  notes: z.string().max(2000).nullable().optional(),
  active: z.boolean().default(true),
});

const SELECT = `SELECT id, territory_id, kind, name, phone, notes, active, created_at, updated_at,
  ST_AsGeoJSON(area, 6)::json AS area FROM transport_providers`;

interface ProviderRow {
  id: number;
  territory_id: number;
  kind: (typeof PROVIDER_KINDS)[number];
  name: string;
  phone: string | null;
  notes: string | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
  area: unknown;
}

const present = (r: ProviderRow) => ({
  id: r.id,
  territoryId: r.territory_id,
  kind: r.kind,
  name: r.name,
  phone: r.phone,
  area: r.area,
  notes: r.notes,
  active: r.active,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** On-demand transport, seated-patient transport and taxis of a territory (table from migration 100). */
export function providerRoutes(api: Router, s: Services): void {
  const spec: ListSpec = {
    select: SELECT,
    count: 'SELECT count(*)::int AS n FROM transport_providers',
    territoryColumn: 'territory_id',
    sortable: { id: 'id', name: 'name', kind: 'kind', territoryId: 'territory_id' },
    filters: {
      q: filterBy.text('name', 'q'),
      kind: filterBy.oneOf('kind', 'kind', PROVIDER_KINDS),
      territoryId: filterBy.int('territory_id', 'territoryId'),
      active: filterBy.bool('active', 'active'),
    },
  };
  const load = async (tx: import('@comobi/db').Queryable, pid: number) => {
    const { rows } = await tx.query<ProviderRow>(`${SELECT} WHERE id = $1`, [pid]);
    if (!rows[0]) throw notFound('provider', pid);
    return present(rows[0]);
  };
  const geom = `CASE WHEN $AREA::text IS NULL THEN NULL ELSE ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($AREA), 4326)) END`;

  api.get('/providers', async (ctx) => {
    const p = principalOf(ctx);
    const rows = await asPrincipal(s.db, p, (tx) =>
      listPage<ProviderRow>(ctx, tx, 'providers', spec, { territoryIds: p.territoryIds, readsPersonal: false }),
    );
    ctx.body = rows.map(present);
  });

  api.get('/providers/:id', async (ctx) => {
    const p = principalOf(ctx);
    ctx.body = await asPrincipal(s.db, p, (tx) => load(tx, parse(id, ctx.params.id, 'id')));
  });

  api.post('/providers', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const b = parse(body, ctx.request.body);
    const territoryId = writeTerritory(p, b.territoryId);
    ctx.status = 201;
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      const { rows } = await tx.query<{ id: number }>(
        `INSERT INTO transport_providers (territory_id, kind, name, phone, area, notes, active)
         VALUES ($1, $2, $3, $4, ${geom.replaceAll('$AREA', '$5')}, $6, $7) RETURNING id`,
        [territoryId, b.kind, b.name, b.phone ?? null, b.area ? JSON.stringify(b.area) : null, b.notes ?? null, b.active],
      );
      return load(tx, rows[0].id);
    });
  });

  api.put('/providers/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const pid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      const before = await load(tx, pid);
      const b = parse(body, { ...before, ...(ctx.request.body as object) });
      const territoryId = writeTerritory(p, b.territoryId);
      await tx.query(
        `UPDATE transport_providers SET territory_id = $2, kind = $3, name = $4, phone = $5, area = ${geom.replaceAll('$AREA', '$6')},
           notes = $7, active = $8, updated_at = now() WHERE id = $1`,
        [pid, territoryId, b.kind, b.name, b.phone ?? null, b.area ? JSON.stringify(b.area) : null, b.notes ?? null, b.active],
      );
      return load(tx, pid);
    });
  });

  api.delete('/providers/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const pid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      const before = await load(tx, pid);
      await tx.query('DELETE FROM transport_providers WHERE id = $1', [pid]);
      return before;
    });
  });
}
