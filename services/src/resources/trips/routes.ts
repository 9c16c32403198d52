import Router from '@koa/router';
import { z } from 'zod';
import { principalOf, requireRole, writeTerritory, type Principal } from '../../auth/principal.ts';
import type { Services } from '../../context.ts';
import type { Queryable } from '../../db/index.ts';
import { asPrincipal } from '../../db/scope.ts';
import { pointCols, pointSql, readPoint } from '../../geo/sql.ts';
import { badRequest, notFound } from '../../http/errors.ts';
import { filterBy, listParams, setContentRange, Where } from '../../http/simple-rest.ts';
import { clockTime, id, isoDate, parse, point, toClock, toMinutes, weekdays } from '../../http/validate.ts';
import { refreshTrip } from '../../matching/leg-store.ts';
import { RouterError } from '../../routing/types.ts';

const body = z
  .object({
    territoryId: z.number().int().positive().optional(),
    driverId: z.number().int().positive(),
    kind: z.enum(['regular', 'oneoff']),
    weekdays: weekdays.default([]),
    date: isoDate.nullable().optional(),
    validFrom: isoDate.nullable().optional(),
    validTo: isoDate.nullable().optional(),
    departureTime: clockTime,
    returnTime: clockTime.nullable().optional(),
    origin: point,
    destination: point,
    originLabel: z.string().max(200).nullable().optional(),
    destinationLabel: z.string().max(200).nullable().optional(),
    seats: z.number().int().min(1).max(8).default(3),
    active: z.boolean().default(true),
  })
  .superRefine((b, ctx) => {
    if (b.kind === 'oneoff' && !b.date)
      ctx.addIssue({ code: 'custom', path: ['date'], message: 'a one-off trip needs a date' });
    if (b.kind === 'regular' && b.weekdays.length === 0)
      ctx.addIssue({ code: 'custom', path: ['weekdays'], message: 'a regular trip needs at least one weekday' });
    if (b.validFrom && b.validTo && b.validFrom > b.validTo)
      ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'validTo is before validFrom' });
    if (b.kind === 'oneoff' && b.returnTime)
      ctx.addIssue({
        code: 'custom',
        path: ['returnTime'],
        message: 'a return time is for regular trips; create another one-off trip',
      });
  });

const SELECT = (
  withRoute: boolean,
) => `SELECT t.id, t.territory_id, t.driver_id, t.kind, t.weekdays, t.date, t.valid_from, t.valid_to,
  t.departure_min, t.return_min, ${pointCols('t.origin', 'origin')}, ${pointCols('t.destination', 'destination')},
  t.origin_label, t.destination_label, t.seats, t.distance_m, t.duration_s, t.return_distance_m, t.return_duration_s,
  t.route_approximate, t.active, t.created_at, t.updated_at
  ${withRoute ? ', ST_AsGeoJSON(t.route, 6)::json AS route, ST_AsGeoJSON(t.return_route, 6)::json AS return_route' : ''}
  FROM trips t`;

export function presentTrip(r: Record<string, any>) {
  return {
    id: r.id,
    territoryId: r.territory_id,
    driverId: r.driver_id,
    kind: r.kind,
    weekdays: r.weekdays.map(Number),
    date: r.date,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    departureTime: toClock(r.departure_min),
    returnTime: r.return_min === null ? null : toClock(r.return_min),
    origin: readPoint(r, 'origin'),
    destination: readPoint(r, 'destination'),
    originLabel: r.origin_label,
    destinationLabel: r.destination_label,
    seats: r.seats,
    distanceM: Math.round(r.distance_m),
    durationS: Math.round(r.duration_s),
    returnDistanceM: r.return_distance_m === null ? null : Math.round(r.return_distance_m),
    returnDurationS: r.return_duration_s === null ? null : Math.round(r.return_duration_s),
    routeApproximate: r.route_approximate,
    active: r.active,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...(r.route !== undefined ? { route: r.route, returnRoute: r.return_route } : {}),
  };
}

type TripBody = z.infer<typeof body>;

export function tripRoutes(s: Services) {
  const r = new Router();
  const spec = {
    sortable: {
      id: 't.id',
      departureTime: 't.departure_min',
      createdAt: 't.created_at',
      driverId: 't.driver_id',
      distanceM: 't.distance_m',
    },
    filters: {
      territoryId: filterBy.int('t.territory_id', 'territoryId'),
      driverId: filterBy.int('t.driver_id', 'driverId'),
      kind: filterBy.oneOf('t.kind', 'kind', ['regular', 'oneoff']),
      active: filterBy.bool('t.active', 'active'),
      q: (w: Where, v: unknown) => {
        if (typeof v !== 'string') throw badRequest('filter.q', 'must be text');
        const like = w.param(`%${v.replace(/[%_\\]/g, (c) => `\\${c}`)}%`);
        w.raw(`(t.origin_label ILIKE ${like} OR t.destination_label ILIKE ${like})`);
      },
      // Trips whose usual route passes within 2 km of a commune (the coordinator's "who drives through X?").
      communeInsee: (w: Where, v: unknown) => {
        if (typeof v !== 'string') throw badRequest('filter.communeInsee', 'must be an INSEE code');
        w.add(
          (ph) =>
            `EXISTS (SELECT 1 FROM communes c WHERE c.insee = ${ph} AND ST_DWithin(t.route::geography, c.geom::geography, 2000))`,
          v,
        );
      },
    },
  };

  const load = async (db: Queryable, p: Principal, tid: number, withRoute = true) => {
    const { rows } = await db.query(`${SELECT(withRoute)} WHERE t.id = $1`, [tid]);
    const row = rows[0];
    if (!row || (p.territoryIds && !p.territoryIds.includes(row.territory_id as number))) throw notFound('trip', tid);
    return row;
  };

  r.get('/trips', async (ctx) => {
    const p = principalOf(ctx);
    const where = new Where();
    if (p.territoryIds) where.add((ph) => `t.territory_id = ANY(${ph}::int[])`, p.territoryIds);
    const lp = listParams(ctx, spec, where);
    const [rows, total] = await asPrincipal(
      s.db,
      p,
      async (db) =>
        [
          await db.query(
            `${SELECT(false)} ${where} ORDER BY ${lp.orderBy} LIMIT ${lp.limit} OFFSET ${lp.offset}`,
            where.params,
          ),
          await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM trips t ${where}`, where.params),
        ] as const,
    );
    setContentRange(ctx, 'trips', lp.offset, rows.rows.length, total.rows[0].n);
    ctx.body = rows.rows.map(presentTrip);
  });

  r.get('/trips/:id', async (ctx) => {
    const p = principalOf(ctx);
    const tid = parse(id, ctx.params.id, 'id');
    ctx.body = presentTrip(await asPrincipal(s.db, p, (db) => load(db, p, tid)));
  });

  /** Route computed by the router before the transaction: a slow router never holds a database lock. */
  const routeFor = async (b: TripBody) => {
    const o: [number, number] = [b.origin.lng, b.origin.lat];
    const d: [number, number] = [b.destination.lng, b.destination.lat];
    try {
      const out = await s.router.route([o, d]);
      const back = b.returnTime ? await s.router.route([d, o]) : null;
      const approximate = s.router.approximate || Boolean((out as { approximate?: boolean }).approximate);
      return { out, back, approximate };
    } catch (e) {
      if (e instanceof RouterError)
        throw badRequest('destination', `no route between origin and destination (${e.message})`);
      throw e;
    }
  };

  const line = (coords: [number, number][]) =>
    JSON.stringify({ type: 'LineString', coordinates: coords.length >= 2 ? coords : [coords[0], coords[0]] });

  const checkDriver = async (db: Queryable, p: Principal, driverId: number, territoryId: number) => {
    const { rows } = await db.query<{ territory_id: number; is_driver: boolean }>(
      'SELECT territory_id, is_driver FROM people WHERE id = $1',
      [driverId],
    );
    const d = rows[0];
    if (!d || (p.territoryIds && !p.territoryIds.includes(d.territory_id)))
      throw badRequest('driverId', `no person ${driverId}`);
    if (d.territory_id !== territoryId) throw badRequest('driverId', 'the driver belongs to another territory');
    if (!d.is_driver) throw badRequest('driverId', 'this person is not registered as a driver');
  };

  /** Routes first (no transaction open while the router works), then one scoped transaction, then the index. */
  const save = async (p: Principal, b: TripBody, territoryId: number, tripId?: number) => {
    const { out, back, approximate } = await routeFor(b);
    const params = [
      territoryId,
      b.driverId,
      b.kind,
      b.kind === 'regular' ? b.weekdays : [],
      b.kind === 'oneoff' ? b.date : null,
      b.validFrom ?? null,
      b.validTo ?? null,
      toMinutes(b.departureTime),
      b.returnTime ? toMinutes(b.returnTime) : null,
      b.origin.lng,
      b.origin.lat,
      b.destination.lng,
      b.destination.lat,
      b.originLabel ?? null,
      b.destinationLabel ?? null,
      b.seats,
      line(out.coordinates),
      out.distanceM,
      out.durationS,
      back ? line(back.coordinates) : null,
      back?.distanceM ?? null,
      back?.durationS ?? null,
      approximate,
      b.active,
    ];
    const cols = `territory_id, driver_id, kind, weekdays, date, valid_from, valid_to, departure_min, return_min,
      origin, destination, origin_label, destination_label, seats, route, distance_m, duration_s,
      return_route, return_distance_m, return_duration_s, route_approximate, active`;
    const vals = `$1, $2, $3, $4, $5, $6, $7, $8, $9, ${pointSql('$10', '$11')}, ${pointSql('$12', '$13')}, $14, $15, $16,
      ST_SetSRID(ST_GeomFromGeoJSON($17), 4326), $18, $19, ST_SetSRID(ST_GeomFromGeoJSON($20), 4326), $21, $22, $23, $24`;
    const saved = await asPrincipal(s.db, p, async (db) => {
      await checkDriver(db, p, b.driverId, territoryId);
      const { rows } = tripId
        ? await db.query<{ id: number }>(
            `UPDATE trips SET (${cols}, updated_at) = (${vals}, now()) WHERE id = $25 RETURNING id`,
            [...params, tripId],
          )
        : await db.query<{ id: number }>(`INSERT INTO trips (${cols}) VALUES (${vals}) RETURNING id`, params);
      if (!rows[0]) throw notFound('trip', tripId);
      return rows[0].id;
    });
    // Read-your-writes in this process; other replicas follow through NOTIFY.
    await refreshTrip(s.db, s.index, saved);
    return saved;
  };

  r.post('/trips', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const b = parse(body, ctx.request.body);
    const tid = await save(p, b, writeTerritory(p, b.territoryId));
    ctx.status = 201;
    ctx.body = presentTrip(await asPrincipal(s.db, p, (db) => load(db, p, tid)));
  });

  r.put('/trips/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const tid = parse(id, ctx.params.id, 'id');
    const current = presentTrip(await asPrincipal(s.db, p, (db) => load(db, p, tid, false)));
    const b = parse(body, { ...current, ...(ctx.request.body as object) });
    await save(p, b, current.territoryId, tid);
    ctx.body = presentTrip(await asPrincipal(s.db, p, (db) => load(db, p, tid)));
  });

  r.delete('/trips/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const tid = parse(id, ctx.params.id, 'id');
    const row = await asPrincipal(s.db, p, async (db) => {
      const row = await load(db, p, tid, false);
      // Trips with match history are deactivated, not deleted: the history and statistics keep them.
      const used = await db.query('SELECT 1 FROM matches WHERE trip_id = $1 LIMIT 1', [tid]);
      if (used.rows.length) await db.query('UPDATE trips SET active = false, updated_at = now() WHERE id = $1', [tid]);
      else await db.query('DELETE FROM trips WHERE id = $1', [tid]);
      return row;
    });
    await refreshTrip(s.db, s.index, tid);
    ctx.body = presentTrip(row);
  });

  return r;
}
