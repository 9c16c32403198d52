import type Router from '@koa/router';
import { principalOf, requireRole } from '../auth/principal.ts';
import type { Services } from '../context.ts';
import { asPrincipal } from '../auth/scope.ts';
import { id, parse } from '../http/validate.ts';
import { notFound } from '../http/errors.ts';
import { setContentRange } from '../http/simple-rest.ts';

const SELECT = `SELECT f.id, f.name, f.territory_id, f.source_url, f.tdg_dataset_id, f.created_at,
  v.id AS version_id, v.version, v.status, v.report, v.service_start, v.service_end, v.created_at AS imported_at, v.activated_at,
  (SELECT count(*)::int FROM gtfs.feed_versions x WHERE x.feed_id = f.id) AS versions
  FROM gtfs.feeds f
  LEFT JOIN LATERAL (SELECT * FROM gtfs.feed_versions x WHERE x.feed_id = f.id ORDER BY (x.status = 'active') DESC, x.version DESC LIMIT 1) v ON true
  WHERE ($1::int[] IS NULL OR f.territory_id = ANY($1::int[]))`;

interface FeedRow {
  id: number;
  name: string;
  territory_id: number | null;
  source_url: string | null;
  tdg_dataset_id: string | null;
  created_at: Date;
  version_id: number | null;
  version: number | null;
  status: string | null;
  report: unknown;
  service_start: string | null;
  service_end: string | null;
  imported_at: Date | null;
  activated_at: Date | null;
  versions: number;
}

const present = (r: FeedRow, withReport: boolean) => ({
  id: r.id,
  name: r.name,
  territoryId: r.territory_id,
  sourceUrl: r.source_url,
  tdgDatasetId: r.tdg_dataset_id,
  createdAt: r.created_at,
  versions: r.versions,
  current: r.version_id === null ? null : {
    id: r.version_id,
    version: r.version,
    status: r.status,
    serviceStart: r.service_start,
    serviceEnd: r.service_end,
    importedAt: r.imported_at,
    activatedAt: r.activated_at,
    // A timetable replayed over the current period (the demo's TER): by how much, and its dates as published.
    calendarShift: (r.report as { calendarShift?: unknown } | null)?.calendarShift ?? null,
    ...(withReport ? { report: r.report } : {}),
  },
});

/** Imported GTFS feeds, read-only (the importer owns the tables); empty when the GTFS schema is not there. */
export function feedRoutes(api: Router, s: Services): void {
  const present_ = async () => (await s.db.query<{ t: string | null }>(`SELECT to_regclass('gtfs.feeds')::text AS t`)).rows[0].t !== null;

  api.get('/feeds', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const rows = (await present_())
      ? await asPrincipal(s.db, p, async (tx) => (await tx.query<FeedRow>(`${SELECT} ORDER BY f.name`, [p.territoryIds])).rows)
      : [];
    setContentRange(ctx, 'feeds', 0, rows.length, rows.length);
    ctx.body = rows.map((r) => present(r, false));
  });

  api.get('/feeds/:id', async (ctx) => {
    const p = principalOf(ctx);
    requireRole(ctx, 'admin', 'coordinator');
    const fid = parse(id, ctx.params.id, 'id');
    if (!(await present_())) throw notFound('feed', fid);
    const rows = await asPrincipal(s.db, p, async (tx) => (await tx.query<FeedRow>(`${SELECT} AND f.id = $2`, [p.territoryIds, fid])).rows);
    if (!rows[0]) throw notFound('feed', fid);
    ctx.body = present(rows[0], true);
  });
}
