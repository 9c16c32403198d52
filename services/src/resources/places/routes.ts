import Router from '@koa/router';
import { z } from 'zod';
import { requireRole, writeTerritory } from '../../auth/principal.ts';
import type { Services } from '../../context.ts';
import { asPrincipal } from '../../auth/scope.ts';
import { deletePlace, inputOfPlace, loadPlace, PLACE_KINDS, placeList, presentPlace, writePlace, type PlaceRow } from '../../domain/places.ts';
import { geocoderFromConfig, searchPlaces } from '../../geocoding/search.ts';
import { accessReason, auditPersonalRead } from '../../audit/audit.ts';
import { territoryIdOfPerson } from '../../domain/people.ts';
import { inScope } from '../../domain/scope.ts';
import { badRequest } from '../../http/errors.ts';
import { listPage } from '../../http/simple-rest.ts';
import { id, lat, lng, parse, point } from '../../http/validate.ts';

const text = (max: number) =>
  z.string().trim().max(max).refine((s) => !s.includes('\u0000'), 'must not contain a NUL character');

/** POST /api/places, PUT /api/places/:id (the current place completes a partial PUT). */
export const placeBody = z
  .object({
    territoryId: z.number().int().positive().optional(),
    name: text(200).pipe(z.string().min(1, 'required')),
    kind: z.enum(PLACE_KINDS),
    address: text(300).nullable().optional().transform((v) => (v === '' ? null : v)),
    personId: z.number().int().positive().nullable().optional(),
    point,
  })
  .strict();

const searchQuery = z.object({
  q: z.string().trim().min(1, 'required').max(200),
  territoryId: z.coerce.number().int().positive().optional(),
  near: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined) return undefined;
      const parts = s.split(',').map(Number);
      const p = z.tuple([lng, lat]).safeParse(parts);
      if (!p.success) {
        ctx.addIssue({ code: 'custom', message: 'expected lng,lat in WGS 84' });
        return z.NEVER;
      }
      return { lng: p.data[0], lat: p.data[1] };
    }),
  limit: z.coerce.number().int().min(1).max(20).default(10),
  personId: z.coerce.number().int().min(1).max(2147483647).optional(),
});

/** Named places (people's homes among them) and the place search: coordinators and admins, in their territories. */
export function placeRoutes(s: Services) {
  const r = new Router();
  const geocoder = geocoderFromConfig(s.config);

  r.get('/places/search', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const q = parse(searchQuery, ctx.query);
    if (q.territoryId !== undefined && p.territoryIds !== null && !p.territoryIds.includes(q.territoryId))
      throw badRequest('territoryId', 'not one of your territories');
    const territoryIds = q.territoryId !== undefined ? [q.territoryId] : p.territoryIds;
    ctx.body = await asPrincipal(s.db, p, async (tx) => {
      const personTerritory = q.personId === undefined ? null : await territoryIdOfPerson(tx, q.personId);
      if (q.personId !== undefined && (personTerritory === null || !inScope(p, personTerritory)))
        throw badRequest('personId', `no person ${q.personId} in your territories`);
      const answer = await searchPlaces(tx, geocoder, { q: q.q, territoryIds, near: q.near, limit: q.limit, personId: q.personId }, s.log);
      // The ends of someone's past requests are where they live and go: shown, they are a personal read.
      if (q.personId !== undefined && answer.suggestions.some((x) => x.kind === 'usual'))
        await auditPersonalRead(tx, p, [{ id: q.personId, territoryId: personTerritory! }], ['usualPlaces'], accessReason(ctx));
      return answer;
    });
  });

  r.get('/places', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const rows = await asPrincipal(s.db, p, (tx) =>
      listPage<PlaceRow>(ctx, tx, 'places', placeList, { territoryIds: p.territoryIds, readsPersonal: true }),
    );
    ctx.body = rows.map(presentPlace);
  });

  r.get('/places/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const pid = parse(id, ctx.params.id, 'id');
    ctx.body = presentPlace(await asPrincipal(s.db, p, (tx) => loadPlace(tx, p, pid)));
  });

  r.post('/places', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const b = parse(placeBody, ctx.request.body);
    const territoryId = writeTerritory(p, b.territoryId);
    ctx.status = 201;
    ctx.body = presentPlace(
      await asPrincipal(s.db, p, async (tx) => loadPlace(tx, p, await writePlace(tx, p, territoryId, b))),
    );
  });

  r.put('/places/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const pid = parse(id, ctx.params.id, 'id');
    ctx.body = presentPlace(
      await asPrincipal(s.db, p, async (tx) => {
        const current = inputOfPlace(await loadPlace(tx, p, pid));
        // react-admin sends the whole record back: the read-only fields are dropped, the rest completes the place.
        const { id: _id, communeInsee: _c, communeName: _n, createdAt: _a, updatedAt: _u, ...sent } = (ctx.request.body ?? {}) as Record<string, unknown>;
        const b = parse(placeBody, { ...current, ...sent });
        const territoryId = writeTerritory(p, b.territoryId);
        await writePlace(tx, p, territoryId, b, pid);
        return loadPlace(tx, p, pid);
      }),
    );
  });

  r.delete('/places/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const pid = parse(id, ctx.params.id, 'id');
    ctx.body = presentPlace(await asPrincipal(s.db, p, (tx) => deletePlace(tx, p, pid)));
  });

  return r;
}
