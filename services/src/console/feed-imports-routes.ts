import type Router from '@koa/router';
import { z } from 'zod';
import { canSeeTerritory, requireRole, writeTerritory } from '../auth/principal.ts';
import type { Services } from '../context.ts';
import { asPrincipal } from '../auth/scope.ts';
import { conflict, notFound } from '../http/errors.ts';
import { filterBy, listPage, type ListSpec } from '../http/simple-rest.ts';
import { id, parse } from '../http/validate.ts';
import { importQueues, JOB_COLUMNS, presentJob, RUNNER, runImport, type ImportOptions, type JobRow } from './feed-imports.ts';

const body = z
  .object({
    url: z
      .string()
      .max(2000)
      .url('expected a URL')
      .refine((u) => /^https?:\/\//i.test(u), 'expected an http:// or https:// URL')
      .optional(),
    datasetId: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/^[\w.-]+$/, 'expected a transport.data.gouv.fr dataset id')
      .optional(),
    name: z.string().trim().min(1, 'a name is required').max(200),
    territoryId: z.number().int().positive().optional(),
  })
  .superRefine((b, ctx) => {
    if (Boolean(b.url) === Boolean(b.datasetId))
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'give either a url or a datasetId' });
  });

/**
 * Feed imports started from the console (admins and coordinators): 202 with the job, which runs in this process,
 * one at a time per territory (see importQueues); progress is polled.
 */
export function feedImportRoutes(api: Router, s: Services, o: ImportOptions = {}): void {
  const queues = importQueues();

  api.post('/feeds/imports', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const b = parse(body, ctx.request.body);
    const territoryId =
      p.territoryIds === null && b.territoryId === undefined ? null : writeTerritory(p, b.territoryId);
    // A new version replaces a feed of the same name: only someone who sees that feed may replace it.
    const existing = await s.db.query<{ territory_id: number | null }>(
      'SELECT territory_id FROM gtfs.feeds WHERE name = $1',
      [b.name],
    );
    const owner = existing.rows[0];
    if (owner && p.territoryIds !== null && (owner.territory_id === null || !canSeeTerritory(p, owner.territory_id)))
      throw conflict('a feed of this name belongs to another territory', 'name');
    const { rows } = await s.db.query<JobRow>(
      `INSERT INTO feed_imports (territory_id, name, url, tdg_dataset_id, runner, created_by) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING ${JOB_COLUMNS}`,
      [territoryId, b.name, b.url ?? null, b.datasetId ?? null, RUNNER, p.actor],
    );
    const job = rows[0];
    queues.push(job.territory_id, () =>
      runImport(
        s,
        { id: job.id, name: job.name, territoryId: job.territory_id, url: job.url, tdgDatasetId: job.tdg_dataset_id },
        o,
      ),
    );
    ctx.status = 202;
    ctx.set('Location', `/api/feeds/imports/${job.id}`);
    ctx.body = presentJob(job);
  });

  const spec: ListSpec = {
    select: `SELECT ${JOB_COLUMNS} FROM feed_imports`,
    count: 'SELECT count(*)::int AS n FROM feed_imports',
    // Row-level security limits the jobs to the principal's territories (a job may have none: a shared feed).
    territoryColumn: null,
    sortable: { id: 'id', createdAt: 'created_at', name: 'name', status: 'status' },
    filters: {
      status: filterBy.oneOf('status', 'status', ['queued', 'downloading', 'importing', 'done', 'failed']),
      territoryId: filterBy.int('territory_id', 'territoryId'),
    },
  };

  api.get('/feeds/imports', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const rows = await asPrincipal(s.db, p, (tx) =>
      listPage<JobRow>(ctx, tx, 'feeds/imports', spec, { territoryIds: p.territoryIds, readsPersonal: false }),
    );
    ctx.body = rows.map(presentJob);
  });

  api.get('/feeds/imports/:id', async (ctx) => {
    const p = requireRole(ctx, 'admin', 'coordinator');
    const jid = parse(id, ctx.params.id, 'id');
    const { rows } = await asPrincipal(s.db, p, (tx) =>
      tx.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM feed_imports WHERE id = $1`, [jid]),
    );
    if (!rows[0]) throw notFound('feed import', jid);
    ctx.body = presentJob(rows[0]);
  });
}
