import Router from '@koa/router';
import { z } from 'zod';
import { requireRole, writeTerritory } from '../../auth/principal.ts';
import type { Services } from '../../context.ts';
import { asPrincipal } from '../../auth/scope.ts';
import { visibilityOf } from '../../domain/scope.ts';
import { POINT_SOURCES } from '../../geocoding/types.ts';
import {
  inputOfTrip,
  loadTrip,
  presentTrip,
  reindexTrip,
  removeTrip,
  routeTrip,
  tripList,
  writeTrip,
  type TripRow,
} from '../../domain/trips.ts';
import { listPage } from '../../http/simple-rest.ts';
import { clockTime, id, isoDate, parse, point, weekdays } from '../../http/validate.ts';

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
    originSource: z.enum(POINT_SOURCES).optional(),
    destinationSource: z.enum(POINT_SOURCES).optional(),
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

/** Readers of trips: the console's roles. Integrations use the interoperability API (their own bookings). */
const READERS = ['admin', 'coordinator', 'viewer'] as const;

export function tripRoutes(s: Services) {
  const r = new Router();

  r.get('/trips', async (ctx) => {
    const p = requireRole(ctx, ...READERS);
    const v = visibilityOf(p);
    const rows = await asPrincipal(s.db, p, (tx) =>
      listPage<TripRow>(ctx, tx, 'trips', tripList, { territoryIds: p.territoryIds, readsPersonal: v === 'personal' }),
    );
    ctx.body = rows.map((row) => presentTrip(row, v));
  });

  r.get('/trips/:id', async (ctx) => {
    const p = requireRole(ctx, ...READERS);
    const tid = parse(id, ctx.params.id, 'id');
    ctx.body = presentTrip(await asPrincipal(s.db, p, (tx) => loadTrip(tx, p, tid)), visibilityOf(p));
  });

  r.post('/trips', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const b = parse(body, ctx.request.body);
    const territoryId = writeTerritory(p, b.territoryId);
    const routed = await routeTrip(s.router, b);
    const tid = await asPrincipal(s.db, p, (tx) => writeTrip(tx, p, territoryId, routed));
    await reindexTrip(s, tid);
    ctx.status = 201;
    ctx.body = presentTrip(await asPrincipal(s.db, p, (tx) => loadTrip(tx, p, tid)), 'personal');
  });

  r.put('/trips/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const tid = parse(id, ctx.params.id, 'id');
    const current = inputOfTrip(await asPrincipal(s.db, p, (tx) => loadTrip(tx, p, tid, false)));
    const sent = (ctx.request.body ?? {}) as Record<string, unknown>;
    // An end moved without saying how: its former source no longer describes it.
    const unknownSources = {
      ...(sent.origin !== undefined && sent.originSource === undefined ? { originSource: 'unknown' } : {}),
      ...(sent.destination !== undefined && sent.destinationSource === undefined ? { destinationSource: 'unknown' } : {}),
    };
    const b = parse(body, { ...current, ...unknownSources, ...sent });
    const routed = await routeTrip(s.router, b);
    await asPrincipal(s.db, p, (tx) => writeTrip(tx, p, current.territoryId, routed, tid));
    await reindexTrip(s, tid);
    ctx.body = presentTrip(await asPrincipal(s.db, p, (tx) => loadTrip(tx, p, tid)), 'personal');
  });

  r.delete('/trips/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const tid = parse(id, ctx.params.id, 'id');
    const row = await asPrincipal(s.db, p, (tx) => removeTrip(tx, p, tid));
    await reindexTrip(s, tid);
    ctx.body = presentTrip(row, 'personal');
  });

  return r;
}
