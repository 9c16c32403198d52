import Router from '@koa/router';
import { z } from 'zod';
import { assertTusAllowsConfirmation } from '../../domain/tus.ts';
import { accessReason, auditPersonalRead } from '../../audit/audit.ts';
import { ownedBy, READERS } from '../../auth/ownership.ts';
import { requireRole, type Principal } from '../../auth/principal.ts';
import type { Services } from '../../context.ts';
import type { Queryable } from '@comobi/db';
import { asPrincipal } from '../../auth/scope.ts';
import { MATCH_STATUSES } from '../../domain/match-workflow.ts';
import {
  eventsOfMatch,
  legEnds,
  loadMatch,
  matchList,
  namedPeople,
  presentMatch,
  setMatchNote,
  transition,
  type MatchRow,
} from '../../domain/matches.ts';
import { addNote } from '../../domain/notes.ts';
import { visibilityOf } from '../../domain/scope.ts';
import { reindexTrip } from '../../domain/trips.ts';
import { listPage } from '../../http/simple-rest.ts';
import { id, parse } from '../../http/validate.ts';
import { frenchDirections } from '../../routing/directions.ts';

const change = z.object({
  status: z.enum(MATCH_STATUSES).optional(),
  reason: z.string().max(60).nullable().optional(),
  statusReason: z.string().max(60).nullable().optional(),
  note: z.string().max(2000).nullable().optional(),
});

/** A match as this principal may reach it: an integration only reaches the matches of its own requests. */
async function reach(tx: Queryable, p: Principal, mid: number): Promise<MatchRow> {
  const row = await loadMatch(tx, p, mid);
  ownedBy(p, row.request_created_by, 'match', mid);
  return row;
}

/** An integration sees its own records as it sent them; the console's roles by their visibility. */
const visibilityFor = (p: Principal) => (p.role === 'integration' ? 'personal' : visibilityOf(p));

export function matchResourceRoutes(s: Services) {
  const r = new Router();

  r.get('/matches', async (ctx) => {
    const p = requireRole(ctx, ...READERS);
    // Coordinators and admins see who travels with whom (an integration never sees other people's names).
    const names = p.role !== 'integration' && visibilityOf(p) === 'personal';
    const rows = await asPrincipal(s.db, p, async (tx) => {
      const page = await listPage<MatchRow>(
        ctx,
        tx,
        'matches',
        matchList,
        { territoryIds: p.territoryIds, readsPersonal: visibilityOf(p) === 'personal' },
        p.role === 'integration' ? (w) => w.add((ph) => `rq.created_by = ${ph}`, p.actor) : undefined,
      );
      if (names) await auditPersonalRead(tx, p, namedPeople(page), ['firstName', 'lastName'], accessReason(ctx));
      return page;
    });
    ctx.body = rows.map((row) => presentMatch(row, visibilityFor(p), names));
  });

  r.get('/matches/:id', async (ctx) => {
    const p = requireRole(ctx, ...READERS);
    const mid = parse(id, ctx.params.id, 'id');
    const v = visibilityFor(p);
    const names = p.role !== 'integration' && visibilityOf(p) === 'personal';
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      const row = await reach(tx, p, mid);
      if (names) await auditPersonalRead(tx, p, namedPeople([row]), ['firstName', 'lastName'], accessReason(ctx));
      return { ...presentMatch(row, v, names), events: await eventsOfMatch(tx, mid, v) };
    });
  });

  /**
   * The driver's detour, turn by turn in French: origin → pickup → drop-off → destination, one list per leg, with
   * the route geometry for the map. It shows where the driver and the passenger live: coordinators only.
   */
  r.get('/matches/:id/directions', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const mid = parse(id, ctx.params.id, 'id');
    const { m, ends } = await asPrincipal(s.db, p, async (tx) => {
      const m = await loadMatch(tx, p, mid);
      return { m, ends: await legEnds(tx, m) };
    });
    const points: [number, number][] = [
      [ends.origin.lng, ends.origin.lat],
      [m.pickup_lng, m.pickup_lat],
      [m.dropoff_lng, m.dropoff_lat],
      [ends.destination.lng, ends.destination.lat],
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
      const row = await reach(tx, p, mid);
      if (b.status === 'confirmed' && row.status !== 'confirmed') await assertTusAllowsConfirmation(tx, p, row.request_id, s.router);
      if (b.status && b.status !== row.status) await transition(tx, p, mid, b.status, reason, b.note ?? null);
      else if (b.note !== undefined) {
        await setMatchNote(tx, mid, b.note);
        // A note without a status change goes into the match's timeline too (with a change, its event holds it).
        if (b.note?.trim()) await addNote(tx, p, { subjectType: 'match', subjectId: mid, kind: 'note', body: b.note.trim() });
      }
      return loadMatch(tx, p, mid);
    });
    await reindexTrip(s, after.trip_id);
    ctx.body = presentMatch(after, visibilityFor(p));
  });

  return r;
}
