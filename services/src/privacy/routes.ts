import type Router from '@koa/router';
import type { Context } from 'koa';
import { accessReason, auditPersonalRead, PERSONAL_FIELDS } from '../audit/audit.ts';
import { canSeeTerritory, requireRole } from '../auth/principal.ts';
import type { Services } from '../context.ts';
import { notFound } from '../http/errors.ts';
import { id, parse } from '../http/validate.ts';
import { territoryIdOfPerson } from '../domain/people.ts';
import { reindexTrip, tripsOfDriver } from '../domain/trips.ts';
import { erasePerson } from './erase.ts';
import { exportPerson } from './export.ts';

/** Rights exercised by a coordinator on a person's behalf: export (audited as a read) and erasure. */
export function privacyApiRoutes(api: Router, s: Services) {
  const personIn = async (ctx: Context) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const pid = parse(id, ctx.params.id, 'id');
    const territoryId = await territoryIdOfPerson(s.db, pid);
    if (territoryId === null || !canSeeTerritory(p, territoryId)) throw notFound('person', pid);
    return { p, pid, territoryId };
  };

  api.get('/people/:id/export', async (ctx) => {
    const { p, pid, territoryId } = await personIn(ctx);
    const data = await exportPerson(s.db, pid);
    await auditPersonalRead(s.db, p, [{ id: pid, territoryId }], [...PERSONAL_FIELDS, 'export'], accessReason(ctx));
    ctx.set('Content-Disposition', `attachment; filename="comobi-personne-${pid}.json"`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = data;
  });

  api.post('/people/:id/erase', async (ctx) => {
    const { p, pid } = await personIn(ctx);
    await s.db.transaction((tx) => erasePerson(tx, pid, { actor: p.actor, role: p.role }));
    // An erased driver's trips stop: out of the index at once.
    for (const t of await tripsOfDriver(s.db, pid)) await reindexTrip(s, t.id);
    ctx.body = { id: pid, anonymized: true };
  });
}
