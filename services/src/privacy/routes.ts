import type Router from '@koa/router';
import type { Context } from 'koa';
import { accessReason, auditPersonalRead, PERSONAL_FIELDS } from '../audit/audit.ts';
import { canSeeTerritory, requireRole } from '../auth/principal.ts';
import type { Services } from '../context.ts';
import { notFound } from '../http/errors.ts';
import { id, parse } from '../http/validate.ts';
import { refreshTrip } from '../matching/leg-store.ts';
import { erasePerson } from './erase.ts';
import { exportPerson } from './export.ts';

/** Rights exercised by a coordinator on a person's behalf: export (audited as a read) and erasure. */
export function privacyApiRoutes(api: Router, s: Services) {
  const personIn = async (ctx: Context) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const pid = parse(id, ctx.params.id, 'id');
    const { rows } = await s.db.query<{ territory_id: number }>('SELECT territory_id FROM people WHERE id = $1', [pid]);
    if (!rows[0] || !canSeeTerritory(p, rows[0].territory_id)) throw notFound('person', pid);
    return { p, pid, territoryId: rows[0].territory_id };
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
    const { rows } = await s.db.query<{ id: number }>('SELECT id FROM trips WHERE driver_id = $1', [pid]);
    for (const t of rows) await refreshTrip(s.db, s.index, t.id);
    ctx.body = { id: pid, anonymized: true };
  });
}
