import Router from '@koa/router';
import { z } from 'zod';
import { principalOf, requireRole, writeTerritory, type Principal } from '../../auth/principal.ts';
import type { Services } from '../../context.ts';
import type { Queryable } from '../../db/index.ts';
import { asPrincipal } from '../../db/scope.ts';
import { pointCols, pointSql, readPoint } from '../../geo/sql.ts';
import { badRequest, notFound } from '../../http/errors.ts';
import { filterBy, listParams, setContentRange, Where } from '../../http/simple-rest.ts';
import { id, parse, toClock } from '../../http/validate.ts';
import type { Proposal } from '../../matching/matcher.ts';
import { needsDateOrWeekdays, PURPOSES, toMatchQuery, tripAsk } from '../../matching/query.ts';
import { presentMatch, SELECT_MATCHES } from '../matches/routes.ts';
import { NEEDS } from '../people/routes.ts';

export const REQUEST_STATUSES = ['open', 'matched', 'served', 'unserved', 'cancelled'] as const;
export const UNSERVED_REASONS = [
  'no_driver',
  'no_driver_at_time',
  'no_seat',
  'driver_declined',
  'passenger_cancelled',
  'transit_used',
  'tad_used',
  'medical_transport_used',
  'out_of_territory',
  'other',
] as const;

const fields = {
  passengerId: z.number().int().positive().nullable().optional(),
  fromLabel: z.string().max(200).nullable().optional(),
  toLabel: z.string().max(200).nullable().optional(),
  needs: z.array(z.enum(NEEDS)).default([]),
  note: z.string().max(2000).nullable().optional(),
};
const createBody = tripAsk
  .extend({ ...fields, storeProposals: z.boolean().default(true) })
  .superRefine(needsDateOrWeekdays);
const updateBody = z
  .object({
    status: z.enum(REQUEST_STATUSES).optional(),
    unservedReason: z.enum(UNSERVED_REASONS).nullable().optional(),
    note: z.string().max(2000).nullable().optional(),
  })
  .superRefine((b, ctx) => {
    if (b.status === 'unserved' && !b.unservedReason)
      ctx.addIssue({
        code: 'custom',
        path: ['unservedReason'],
        message: `a coded reason is required: ${UNSERVED_REASONS.join(', ')}`,
      });
  });

const SELECT = `SELECT r.id, r.territory_id, r.passenger_id, ${pointCols('r.from_point', 'from')}, ${pointCols('r.to_point', 'to')},
  r.from_label, r.to_label, r.date, r.weekdays, r.time_min, r.time_kind, r.tolerance_min, r.seats, r.purpose, r.needs,
  r.status, r.unserved_reason, r.note, r.created_by, r.created_at, r.updated_at FROM requests r`;

export function presentRequest(r: Record<string, any>) {
  return {
    id: r.id,
    territoryId: r.territory_id,
    passengerId: r.passenger_id,
    from: readPoint(r, 'from'),
    to: readPoint(r, 'to'),
    fromLabel: r.from_label,
    toLabel: r.to_label,
    date: r.date,
    weekdays: r.weekdays.map(Number),
    time: toClock(r.time_min),
    timeKind: r.time_kind,
    toleranceMin: r.tolerance_min,
    seats: r.seats,
    purpose: r.purpose,
    needs: r.needs,
    status: r.status,
    unservedReason: r.unserved_reason,
    note: r.note,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A stored request as the matcher's query, in its own territory. */
export function matchQueryOf(r: ReturnType<typeof presentRequest>) {
  const ask = {
    from: r.from!,
    to: r.to!,
    date: r.date ?? undefined,
    weekdays: r.weekdays.length ? r.weekdays : undefined,
    time: r.time,
    timeKind: r.timeKind,
    toleranceMin: r.toleranceMin,
    seats: r.seats,
    purpose: r.purpose,
  };
  return toMatchQuery(ask, [r.territoryId], r.toleranceMin, r.passengerId ?? undefined);
}

/** Proposals become matches (status "proposed"); re-running a request refreshes them without touching handled ones. */
export async function storeProposals(
  tx: Queryable,
  requestId: number,
  territoryId: number,
  date: string | null,
  proposals: Proposal[],
  approximate: boolean,
) {
  if (!proposals.length) return;
  await tx.query(
    `INSERT INTO matches (territory_id, request_id, trip_id, leg, date, pickup, dropoff, pickup_min, dropoff_min,
       detour_m, detour_s, score, approximate)
     SELECT $1, $2, x.trip_id, x.leg, $3::date, ST_SetSRID(ST_MakePoint(x.plng, x.plat), 4326),
       ST_SetSRID(ST_MakePoint(x.dlng, x.dlat), 4326), x.pmin, x.dmin, x.dm, x.ds, x.score, $4
     FROM jsonb_to_recordset($5::jsonb) AS x(trip_id int, leg text, plng float8, plat float8, dlng float8, dlat float8,
       pmin int, dmin int, dm float8, ds float8, score float8)
     ON CONFLICT (request_id, trip_id, leg) DO UPDATE SET pickup_min = EXCLUDED.pickup_min, dropoff_min = EXCLUDED.dropoff_min,
       detour_m = EXCLUDED.detour_m, detour_s = EXCLUDED.detour_s, score = EXCLUDED.score, updated_at = now()
       WHERE matches.status = 'proposed'`,
    [
      territoryId,
      requestId,
      date,
      approximate,
      JSON.stringify(
        proposals.map((p) => ({
          trip_id: p.tripId,
          leg: p.leg,
          plng: p.pickup.lng,
          plat: p.pickup.lat,
          dlng: p.dropoff.lng,
          dlat: p.dropoff.lat,
          pmin: p.pickup.timeMin % 1440,
          dmin: p.dropoff.timeMin % 1440,
          dm: p.detourM,
          ds: p.detourS,
          score: p.score,
        })),
      ),
    ],
  );
}

export function requestRoutes(s: Services) {
  const r = new Router();
  const spec = {
    sortable: {
      id: 'r.id',
      date: 'r.date',
      createdAt: 'r.created_at',
      status: 'r.status',
      time: 'r.time_min',
      purpose: 'r.purpose',
    },
    filters: {
      territoryId: filterBy.int('r.territory_id', 'territoryId'),
      passengerId: filterBy.int('r.passenger_id', 'passengerId'),
      status: filterBy.oneOf('r.status', 'status', REQUEST_STATUSES),
      purpose: filterBy.oneOf('r.purpose', 'purpose', PURPOSES),
      unservedReason: filterBy.oneOf('r.unserved_reason', 'unservedReason', UNSERVED_REASONS),
      date: filterBy.date('r.date', 'date', '='),
      dateFrom: filterBy.date('r.date', 'dateFrom', '>='),
      dateTo: filterBy.date('r.date', 'dateTo', '<='),
      communeInsee: (w: Where, v: unknown) => {
        if (typeof v !== 'string') throw badRequest('filter.communeInsee', 'must be an INSEE code');
        w.add(
          (ph) =>
            `EXISTS (SELECT 1 FROM communes c WHERE c.insee = ${ph} AND (ST_Intersects(c.geom, r.from_point) OR ST_Intersects(c.geom, r.to_point)))`,
          v,
        );
      },
    },
  };

  const load = async (db: Queryable, p: Principal, rid: number) => {
    const { rows } = await db.query(`${SELECT} WHERE r.id = $1`, [rid]);
    const row = rows[0];
    if (!row || (p.territoryIds && !p.territoryIds.includes(row.territory_id as number)))
      throw notFound('request', rid);
    return row;
  };
  const withProposals = async (db: Queryable, row: Record<string, any>) => {
    const m = await db.query(`${SELECT_MATCHES} WHERE m.request_id = $1 ORDER BY m.score DESC, m.id`, [row.id]);
    return { ...presentRequest(row), proposals: m.rows.map(presentMatch) };
  };

  r.get('/requests', async (ctx) => {
    const p = principalOf(ctx);
    const where = new Where();
    if (p.territoryIds) where.add((ph) => `r.territory_id = ANY(${ph}::int[])`, p.territoryIds);
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
          await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM requests r ${where}`, where.params),
        ] as const,
    );
    setContentRange(ctx, 'requests', lp.offset, rows.rows.length, total.rows[0].n);
    ctx.body = rows.rows.map(presentRequest);
  });

  r.get('/requests/:id', async (ctx) => {
    const p = principalOf(ctx);
    const rid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, async (db) => withProposals(db, await load(db, p, rid)));
  });

  r.post('/requests', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator', 'integration');
    const b = parse(createBody, ctx.request.body);
    const territoryId = writeTerritory(p, b.territoryId);
    const tol = b.toleranceMin ?? s.rulesOf(territoryId).toleranceMin;
    // Matching runs before the transaction: the router may be slow, a lock must not wait on it.
    const answer = b.storeProposals
      ? await s.matcher.match(toMatchQuery(b, [territoryId], tol, b.passengerId ?? undefined))
      : { proposals: [], approximate: false };
    ctx.status = 201;
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      if (b.passengerId) {
        const who = await tx.query<{ territory_id: number }>('SELECT territory_id FROM people WHERE id = $1', [
          b.passengerId,
        ]);
        if (!who.rows[0] || who.rows[0].territory_id !== territoryId)
          throw badRequest('passengerId', `no person ${b.passengerId} in this territory`);
      }
      const { rows } = await tx.query<{ id: number }>(
        `INSERT INTO requests (territory_id, passenger_id, from_point, to_point, from_label, to_label, date, weekdays,
           time_min, time_kind, tolerance_min, seats, purpose, needs, note, created_by)
         VALUES ($1, $2, ${pointSql('$3', '$4')}, ${pointSql('$5', '$6')}, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
         RETURNING id`,
        [
          territoryId,
          b.passengerId ?? null,
          b.from.lng,
          b.from.lat,
          b.to.lng,
          b.to.lat,
          b.fromLabel ?? null,
          b.toLabel ?? null,
          b.date ?? null,
          b.weekdays ?? [],
          Number(b.time.slice(0, 2)) * 60 + Number(b.time.slice(3)),
          b.timeKind,
          tol,
          b.seats,
          b.purpose,
          b.needs,
          b.note ?? null,
          p.actor,
        ],
      );
      await storeProposals(tx, rows[0].id, territoryId, b.date ?? null, answer.proposals, answer.approximate);
      return { ...(await withProposals(tx, await load(tx, p, rows[0].id))), approximate: answer.approximate };
    });
  });

  /** Runs the search again (new drivers, changed trips); matches already handled keep their status. */
  r.post('/requests/:id/match', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator', 'integration');
    const rid = parse(id, ctx.params.id, 'id');
    const current = presentRequest(await asPrincipal(s.db, p, (db) => load(db, p, rid)));
    const answer = await s.matcher.match(matchQueryOf(current));
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      await storeProposals(tx, rid, current.territoryId, current.date, answer.proposals, answer.approximate);
      return { ...(await withProposals(tx, await load(tx, p, rid))), approximate: answer.approximate };
    });
  });

  r.put('/requests/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator', 'integration');
    const rid = parse(id, ctx.params.id, 'id');
    const b = parse(updateBody, ctx.request.body);
    ctx.body = await asPrincipal(s.db, p, async (db) => {
      await load(db, p, rid);
      await db.query(
        `UPDATE requests SET status = COALESCE($2, status),
         unserved_reason = CASE WHEN $2 = 'unserved' THEN $3 WHEN $2 IS NOT NULL THEN NULL ELSE unserved_reason END,
         note = CASE WHEN $4::boolean THEN $5 ELSE note END, updated_at = now() WHERE id = $1`,
        [rid, b.status ?? null, b.unservedReason ?? null, b.note !== undefined, b.note ?? null],
      );
      return withProposals(db, await load(db, p, rid));
    });
  });

  r.delete('/requests/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const rid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, async (db) => {
      const row = await load(db, p, rid);
      await db.query('DELETE FROM requests WHERE id = $1', [rid]);
      return presentRequest(row);
    });
  });

  return r;
}
