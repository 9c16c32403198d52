import Router from '@koa/router';
import { z } from 'zod';
import { principalOf, requireRole, type Principal } from '../../auth/principal.ts';
import type { Services } from '../../context.ts';
import type { Queryable } from '../../db/index.ts';
import { asPrincipal } from '../../db/scope.ts';
import { pointCols, readPoint } from '../../geo/sql.ts';
import { badRequest, conflict, notFound } from '../../http/errors.ts';
import { filterBy, listParams, setContentRange, Where } from '../../http/simple-rest.ts';
import { id, parse, toClock } from '../../http/validate.ts';
import { refreshTrip } from '../../matching/leg-store.ts';
import { frenchDirections } from '../../routing/directions.ts';
import { HOLDS_SEAT, MATCH_STATUSES, REASONS, TRANSITIONS, type MatchStatus } from './workflow.ts';

export const SELECT_MATCHES = `SELECT m.id, m.territory_id, m.request_id, m.trip_id, t.driver_id, m.leg, m.date,
  ${pointCols('m.pickup', 'pickup')}, ${pointCols('m.dropoff', 'dropoff')}, m.pickup_min, m.dropoff_min,
  m.detour_m, m.detour_s, m.score, m.approximate, m.status, m.status_reason, m.note, m.status_changed_at,
  m.status_changed_by, m.created_at, m.updated_at, p.direct_contact_consent AS direct_contact
  FROM matches m JOIN trips t ON t.id = m.trip_id JOIN people p ON p.id = t.driver_id`;

export function presentMatch(r: Record<string, any>) {
  return {
    id: r.id,
    territoryId: r.territory_id,
    requestId: r.request_id,
    tripId: r.trip_id,
    driverId: r.driver_id,
    leg: r.leg,
    date: r.date,
    pickup: { ...readPoint(r, 'pickup'), time: toClock(r.pickup_min) },
    dropoff: { ...readPoint(r, 'dropoff'), time: toClock(r.dropoff_min) },
    detourM: Math.round(r.detour_m),
    detourS: Math.round(r.detour_s),
    score: r.score,
    approximate: r.approximate,
    directContact: r.direct_contact,
    status: r.status,
    statusReason: r.status_reason,
    note: r.note,
    statusChangedAt: r.status_changed_at,
    statusChangedBy: r.status_changed_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const change = z.object({
  status: z.enum(MATCH_STATUSES).optional(),
  reason: z.string().max(60).nullable().optional(),
  statusReason: z.string().max(60).nullable().optional(),
  note: z.string().max(2000).nullable().optional(),
});

/** Applies a status change inside a transaction: checks the workflow, the coded reason and the free seats. */
export async function transition(
  tx: Queryable,
  p: Principal,
  matchId: number,
  to: MatchStatus,
  reason: string | null,
  note: string | null,
) {
  const { rows } = await tx.query<{
    status: MatchStatus;
    trip_id: number;
    leg: string;
    date: string | null;
    seats: number;
    trip_seats: number;
    request_id: number;
  }>(
    `SELECT m.status, m.trip_id, m.leg, m.date, r.seats, t.seats AS trip_seats, m.request_id
     FROM matches m JOIN requests r ON r.id = m.request_id JOIN trips t ON t.id = m.trip_id
     WHERE m.id = $1 FOR UPDATE OF m, t`,
    [matchId],
  );
  const m = rows[0];
  if (!m) throw notFound('match', matchId);
  if (m.status === to) return m;
  if (!TRANSITIONS[m.status].includes(to)) {
    throw conflict(
      `cannot go from ${m.status} to ${to}; allowed: ${TRANSITIONS[m.status].join(', ') || 'none (final)'}`,
      'status',
    );
  }
  if (to === 'declined' || to === 'cancelled') {
    const allowed: readonly string[] = REASONS[to];
    if (!reason || !allowed.includes(reason))
      throw badRequest('reason', `a coded reason is required: ${allowed.join(', ')}`);
  }
  if (HOLDS_SEAT.includes(to) && !HOLDS_SEAT.includes(m.status) && m.date) {
    const taken = await tx.query<{ n: number }>(
      `SELECT COALESCE(sum(r.seats), 0)::int AS n FROM matches x JOIN requests r ON r.id = x.request_id
       WHERE x.trip_id = $1 AND x.date = $2 AND x.leg = $5 AND x.status = ANY($3::text[]) AND x.id <> $4`,
      [m.trip_id, m.date, HOLDS_SEAT, matchId, m.leg],
    );
    if (taken.rows[0].n + m.seats > m.trip_seats)
      throw conflict('no free seat left on this trip for that date', 'status');
  }
  await tx.query(
    `UPDATE matches SET status = $2, status_reason = $3, note = COALESCE($4, note), status_changed_at = now(),
       status_changed_by = $5, updated_at = now() WHERE id = $1`,
    [matchId, to, reason, note, p.actor],
  );
  await tx.query(
    'INSERT INTO match_events (match_id, from_status, to_status, reason, note, actor) VALUES ($1, $2, $3, $4, $5, $6)',
    [matchId, m.status, to, reason, note, p.actor],
  );
  // The request follows its best match: confirmed → matched, done → served.
  if (to === 'confirmed')
    await tx.query(`UPDATE requests SET status = 'matched', updated_at = now() WHERE id = $1 AND status = 'open'`, [
      m.request_id,
    ]);
  if (to === 'done')
    await tx.query(`UPDATE requests SET status = 'served', updated_at = now() WHERE id = $1`, [m.request_id]);
  return m;
}

export function matchResourceRoutes(s: Services) {
  const r = new Router();
  const spec = {
    sortable: {
      id: 'm.id',
      score: 'm.score',
      detourS: 'm.detour_s',
      createdAt: 'm.created_at',
      status: 'm.status',
      date: 'm.date',
    },
    filters: {
      territoryId: filterBy.int('m.territory_id', 'territoryId'),
      requestId: filterBy.int('m.request_id', 'requestId'),
      tripId: filterBy.int('m.trip_id', 'tripId'),
      driverId: filterBy.int('t.driver_id', 'driverId'),
      status: filterBy.oneOf('m.status', 'status', MATCH_STATUSES),
      date: filterBy.date('m.date', 'date', '='),
      dateFrom: filterBy.date('m.date', 'dateFrom', '>='),
      dateTo: filterBy.date('m.date', 'dateTo', '<='),
    },
  };

  const load = async (db: Queryable, p: Principal, mid: number) => {
    const { rows } = await db.query(`${SELECT_MATCHES} WHERE m.id = $1`, [mid]);
    const row = rows[0];
    if (!row || (p.territoryIds && !p.territoryIds.includes(row.territory_id as number))) throw notFound('match', mid);
    return row;
  };

  r.get('/matches', async (ctx) => {
    const p = principalOf(ctx);
    const where = new Where();
    if (p.territoryIds) where.add((ph) => `m.territory_id = ANY(${ph}::int[])`, p.territoryIds);
    const lp = listParams(ctx, spec, where);
    const [rows, total] = await asPrincipal(
      s.db,
      p,
      async (db) =>
        [
          await db.query(
            `${SELECT_MATCHES} ${where} ORDER BY ${lp.orderBy} LIMIT ${lp.limit} OFFSET ${lp.offset}`,
            where.params,
          ),
          await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM matches m JOIN trips t ON t.id = m.trip_id ${where}`,
            where.params,
          ),
        ] as const,
    );
    setContentRange(ctx, 'matches', lp.offset, rows.rows.length, total.rows[0].n);
    ctx.body = rows.rows.map(presentMatch);
  });

  r.get('/matches/:id', async (ctx) => {
    const p = principalOf(ctx);
    const mid = parse(id, ctx.params.id, 'id');
    const [row, events] = await asPrincipal(
      s.db,
      p,
      async (db) =>
        [
          await load(db, p, mid),
          await db.query(
            'SELECT from_status, to_status, reason, note, actor, at FROM match_events WHERE match_id = $1 ORDER BY at, id',
            [mid],
          ),
        ] as const,
    );
    ctx.body = {
      ...presentMatch(row),
      events: events.rows.map((e: any) => ({
        from: e.from_status,
        to: e.to_status,
        reason: e.reason,
        note: e.note,
        actor: e.actor,
        at: e.at,
      })),
    };
  });

  /**
   * The driver's detour, turn by turn in French: origin → pickup → drop-off → destination, one list per leg, with
   * the route geometry for the map.
   */
  r.get('/matches/:id/directions', async (ctx) => {
    const p = principalOf(ctx);
    const mid = parse(id, ctx.params.id, 'id');
    const row = await asPrincipal(s.db, p, async (db) => {
      const m = await load(db, p, mid);
      const ends = await db.query<{ o_lng: number; o_lat: number; d_lng: number; d_lat: number }>(
        `SELECT ST_X(CASE WHEN $2 = 'return' THEN destination ELSE origin END) AS o_lng,
                ST_Y(CASE WHEN $2 = 'return' THEN destination ELSE origin END) AS o_lat,
                ST_X(CASE WHEN $2 = 'return' THEN origin ELSE destination END) AS d_lng,
                ST_Y(CASE WHEN $2 = 'return' THEN origin ELSE destination END) AS d_lat
         FROM trips WHERE id = $1`,
        [m.trip_id, m.leg],
      );
      return { m, ends: ends.rows[0] };
    });
    const m = presentMatch(row.m);
    const points: [number, number][] = [
      [row.ends.o_lng, row.ends.o_lat],
      [m.pickup.lng!, m.pickup.lat!],
      [m.dropoff.lng!, m.dropoff.lat!],
      [row.ends.d_lng, row.ends.d_lat],
    ];
    const route = await s.router.route(points, { steps: true });
    const names = ['Vers le point de prise en charge', 'Avec le passager, vers la dépose', 'Vers votre destination'];
    ctx.body = {
      matchId: mid,
      approximate: s.router.approximate || Boolean(route.approximate),
      distanceM: Math.round(route.distanceM),
      durationS: Math.round(route.durationS),
      geometry: { type: 'LineString', coordinates: route.coordinates },
      legs: route.legs.map((leg, i) => ({
        title: names[i],
        distanceM: Math.round(leg.distanceM),
        durationS: Math.round(leg.durationS),
        instructions: frenchDirections(leg.steps ?? [], { legCount: route.legs.length, legIndex: i }),
      })),
    };
  });

  r.put('/matches/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator', 'integration');
    const mid = parse(id, ctx.params.id, 'id');
    const b = parse(change, ctx.request.body);
    const reason = b.reason ?? b.statusReason ?? null;
    const after = await asPrincipal(s.db, p, async (tx) => {
      const row = await load(tx, p, mid);
      if (b.status && b.status !== row.status) await transition(tx, p, mid, b.status, reason, b.note ?? null);
      else if (b.note !== undefined)
        await tx.query('UPDATE matches SET note = $2, updated_at = now() WHERE id = $1', [mid, b.note]);
      return load(tx, p, mid);
    });
    await refreshTrip(s.db, s.index, after.trip_id as number);
    ctx.body = presentMatch(after);
  });

  return r;
}
