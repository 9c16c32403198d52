import Router from '@koa/router';
import { z } from 'zod';
import { principalOf, requireRole, writeTerritory, type Principal } from '../../auth/principal.ts';
import type { Services } from '../../context.ts';
import { asPrincipal } from '../../auth/scope.ts';
import { NEEDS } from '../../domain/people.ts';
import { POINT_SOURCES } from '../../geocoding/types.ts';
import {
  changeRequest,
  deleteRequest,
  loadRequest,
  matchQueryOf,
  presentRequest,
  recordRequest,
  REQUEST_STATUSES,
  requestList,
  requestWithProposals,
  returnAskOf,
  UNSERVED_REASONS,
  type RequestRow,
} from '../../domain/requests.ts';
import { storeProposals } from '../../domain/matches.ts';
import { volunteerQueryOf, withCosts, withVolunteers } from '../../matching/combined.ts';
import { visibilityOf } from '../../domain/scope.ts';
import type { Queryable } from '@comobi/db';
import { listPage } from '../../http/simple-rest.ts';
import { id, parse } from '../../http/validate.ts';
import { toMinutes } from '../../time/clock.ts';
import { needsDateOrWeekdays, returnAfterOutbound, returnFields, toMatchQuery, tripAsk } from '../../matching/query.ts';
import { matchJourney } from '../../matching/round-trip.ts';
import { searchRequest, storeSearch } from '../../matching/request-search.ts';
import { confirmRoundTrip } from '../../domain/round-trips.ts';
import { reindexTrip } from '../../domain/trips.ts';
import type { MatchQuery, Proposal } from '../../matching/matcher.ts';
import { findNearMisses, NEAR_MISSES_BELOW, widen, type NearMissAnswer } from '../../matching/near-misses.ts';
import { badRequest } from '../../http/errors.ts';
import { ownedBy, READERS } from '../../auth/ownership.ts';

const fields = {
  passengerId: z.number().int().positive().nullable().optional(),
  fromLabel: z.string().max(200).nullable().optional(),
  toLabel: z.string().max(200).nullable().optional(),
  fromSource: z.enum(POINT_SOURCES).optional(),
  toSource: z.enum(POINT_SOURCES).optional(),
  needs: z.array(z.enum(NEEDS)).default([]),
  note: z.string().max(2000).nullable().optional(),
};
const createBody = tripAsk
  .extend({ ...fields, ...returnFields, storeProposals: z.boolean().default(true) })
  .superRefine(needsDateOrWeekdays)
  .superRefine(returnAfterOutbound);
const widenBody = z.object({ kind: z.enum(['tolerance', 'corridor', 'day', 'detour']) });

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

const confirmBody = z.object({
  outboundMatchId: z.number().int().positive().max(2147483647),
  returnMatchId: z.number().int().positive().max(2147483647),
  note: z.string().max(2000).nullable().optional(),
});

/** Near misses and widenings are about the outbound: a round trip's return proposals are not the outbound's drivers. */
const outboundOf = <T extends { requestLeg: string }>(ms: T[]) => ms.filter((m) => m.requestLeg === 'outbound');

/** A request as this principal may reach it: an integration only reaches the requests it made. */
async function reach(tx: Queryable, p: Principal, rid: number): Promise<RequestRow> {
  const row = await loadRequest(tx, p, rid);
  ownedBy(p, row.created_by, 'request', rid);
  return row;
}

export function requestRoutes(s: Services) {
  const r = new Router();

  /** The near misses of a request's search, leaving out the drivers it already has (proposed or handled). */
  const nearMissesOf = (q: MatchQuery, territoryId: number, own: { tripId: number | null; leg: string }[]): Promise<NearMissAnswer> =>
    // Near misses are commuters' trips: a volunteer's proposal (no trip) is not one of them.
    findNearMisses(s.matcher, q, own.filter((x): x is { tripId: number; leg: string } => x.tripId !== null), s.rulesOf(territoryId).corridorM);
  /** Few proposals: the answer says who nearly fits too (the console's review page shows them beside the alternatives). */
  const withNearMisses = async (q: MatchQuery, territoryId: number, proposals: { tripId: number | null; leg: string }[]) =>
    proposals.length < NEAR_MISSES_BELOW ? { nearMisses: await nearMissesOf(q, territoryId, proposals) } : {};

  r.get('/requests', async (ctx) => {
    const p = requireRole(ctx, ...READERS);
    const v = visibilityOf(p);
    const rows = await asPrincipal(s.db, p, (tx) =>
      listPage<RequestRow>(ctx, tx, 'requests', requestList, {
        territoryIds: p.territoryIds,
        readsPersonal: v === 'personal',
      }, p.role === 'integration' ? (w) => w.add((ph) => `r.created_by = ${ph}`, p.actor) : undefined),
    );
    ctx.body = rows.map((row) => presentRequest(row, p.role === 'integration' ? 'personal' : v));
  });

  r.get('/requests/:id', async (ctx) => {
    const p = principalOf(ctx);
    const rid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      const row = await reach(tx, p, rid);
      // An integration reads back exactly what it sent.
      return requestWithProposals(tx, row, p.role === 'integration' ? 'personal' : visibilityOf(p));
    });
  });

  r.post('/requests', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator', 'integration');
    const b = parse(createBody, ctx.request.body);
    const territoryId = writeTerritory(p, b.territoryId);
    const toleranceMin = b.toleranceMin ?? s.rulesOf(territoryId).toleranceMin;
    // Matching runs before the transaction: the router may be slow, a lock must not wait on it.
    const back = { returnMin: b.returnTime ? toMinutes(b.returnTime) : null, returnAfterMin: b.returnAfterMin ?? null };
    const q = toMatchQuery(b, [territoryId], toleranceMin, b.passengerId ?? undefined);
    const journey = b.storeProposals ? await matchJourney(s.matcher, s.router, q, back) : null;
    // The volunteers beside the commuters of the outbound: a volunteer's trip covers the way back too.
    const answer = journey
      ? await withVolunteers(s, journey.outbound, volunteerQueryOf(q, { ...b, return_min: back.returnMin, return_after_min: back.returnAfterMin }))
      : { proposals: [], approximate: false };
    const wayBack = journey?.return ? await withCosts(s.db, journey.return) : null;
    // Near misses of the outbound (the way back has its own proposals; widening is asked for the outbound).
    const near = b.storeProposals ? await withNearMisses(q, territoryId, answer.proposals) : {};
    ctx.status = 201;
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      const rid = await recordRequest(tx, p, territoryId, { ...b, toleranceMin }, answer, wayBack);
      return {
        ...(await requestWithProposals(tx, await loadRequest(tx, p, rid), 'personal')),
        approximate: answer.approximate || Boolean(journey?.return?.approximate),
        ...near,
      };
    });
  });

  /** Runs the search again (new drivers, changed trips); matches already handled keep their status. */
  r.post('/requests/:id/match', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator', 'integration');
    const rid = parse(id, ctx.params.id, 'id');
    const current = await asPrincipal(s.db, p, (tx) => reach(tx, p, rid));
    const found = await searchRequest(s, current);
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      await storeSearch(tx, current, found);
      const out = await requestWithProposals(tx, await loadRequest(tx, p, rid), 'personal');
      return {
        ...out,
        approximate: found.approximate,
        ...(await withNearMisses(found.q, current.territory_id, outboundOf(out.proposals))),
      };
    });
  });

  /**
   * Drivers who nearly fit: the same day at other times, other days at the asked time, just outside the corridor,
   * each with the gap in words; and the one-click widenings with the drivers each would add.
   */
  r.get('/requests/:id/near-misses', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const rid = parse(id, ctx.params.id, 'id');
    const { row, own } = await asPrincipal(s.db, p, async (tx) => {
      const row = await reach(tx, p, rid);
      return { row, own: outboundOf((await requestWithProposals(tx, row, 'coarse')).proposals) };
    });
    ctx.body = await nearMissesOf(matchQueryOf(row), row.territory_id, own);
  });

  /**
   * One widening (tolerance, corridor, detour, or the day before and after), run and stored: the drivers it adds become
   * proposals marked with what was widened. The request itself keeps its asked time, tolerance and date.
   */
  r.post('/requests/:id/widen', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const rid = parse(id, ctx.params.id, 'id');
    const { kind } = parse(widenBody, ctx.request.body);
    const current = await asPrincipal(s.db, p, (tx) => reach(tx, p, rid));
    const q = matchQueryOf(current);
    if (kind === 'day' && !q.date) throw badRequest('kind', 'a recurring request has no day before or after: widen its tolerance or corridor');
    const found = await widen(s.matcher, q, kind, s.rulesOf(current.territory_id).corridorM);
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      const before = outboundOf((await requestWithProposals(tx, await loadRequest(tx, p, rid), 'personal')).proposals);
      const had = new Set(before.map((m) => `${m.tripId}:${m.leg}`));
      const added: (Proposal & { date: string | null })[] = found.proposals.filter((x) => !had.has(`${x.tripId}:${x.leg}`));
      await storeProposals(tx, rid, current.territory_id, current.date, added.map((x) => ({ ...x, widened: found.widened })), found.approximate);
      const out = await requestWithProposals(tx, await loadRequest(tx, p, rid), 'personal');
      const addedKeys = new Set(added.map((x) => `${x.tripId}:${x.leg}`));
      return {
        ...out,
        approximate: found.approximate,
        widened: { ...found.widened, added: outboundOf(out.proposals).filter((m) => addedKeys.has(`${m.tripId}:${m.leg}`)).map((m) => m.id) },
      };
    });
  });

  /**
   * A round trip confirmed in one action (one driver both ways, or a driver each way): both matches reach
   * "confirmed" together, or neither (a seat taken meanwhile on the return rolls the outbound back too); the
   * passenger gets one message that tells both legs.
   */
  r.post('/requests/:id/confirm-round-trip', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const rid = parse(id, ctx.params.id, 'id');
    const b = parse(confirmBody, ctx.request.body);
    const { trips, body } = await asPrincipal(s.db, p, async (tx) => {
      const row = await reach(tx, p, rid);
      const trips = await confirmRoundTrip(tx, p, rid, b, b.note ?? null);
      return { trips, body: await requestWithProposals(tx, await loadRequest(tx, p, row.id), 'personal') };
    });
    for (const t of trips) await reindexTrip(s, t);
    ctx.body = body;
  });

  r.put('/requests/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator', 'integration');
    const rid = parse(id, ctx.params.id, 'id');
    const b = parse(updateBody, ctx.request.body);
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      await reach(tx, p, rid);
      await changeRequest(tx, rid, b, p.actor);
      return requestWithProposals(tx, await loadRequest(tx, p, rid), 'personal');
    });
  });

  r.delete('/requests/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const rid = parse(id, ctx.params.id, 'id');
    ctx.body = await asPrincipal(s.db, p, async (tx) => presentRequest(await deleteRequest(tx, p, rid), 'personal'));
  });

  return r;
}
