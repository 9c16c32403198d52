import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueJob, JobRunner } from '../../services/src/jobs/queue.ts';
import { launchChromium } from '../helpers/browser.ts';
import type { TestServer } from '../helpers/server.ts';
import { addUser, ensureConsoleBuilt, openConsole, startConsoleServer } from './helpers.ts';

const SHOTS = path.resolve(import.meta.dirname, '../output/screenshots');
const PW = 'correct horse battery';

/**
 * A first start with the Lot demo: its requests are loaded without a search, and a job of the PostgreSQL queue
 * matches them once the service listens, as the console does when a request is saved. The work queue then counts as
 * a real territory's would: the requests with proposals out of "Demandes sans solution".
 */
let srv: TestServer;
let lotId: number;
const q = async <T = any>(sql: string, params: unknown[] = []) => (await srv.booted.services.db.query<T & object>(sql, params)).rows as T[];

beforeAll(async () => {
  ensureConsoleBuilt();
  // startServer waits for the demo's job (services.jobs.idle()) before answering.
  srv = await startConsoleServer({ demo: true });
  lotId = (await q<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`))[0].id;
  await addUser(srv.booted.services.db, { email: 'file@demo-matched.fr', password: PW, role: 'coordinator', territoryIds: [lotId] });
}, 300_000);
afterAll(async () => srv?.close());

describe('the demo’s requests, matched on load', () => {
  it('one job matched the demo’s 210 requests: many have proposals, the others are the work queue’s "sans solution"', async () => {
    const jobs = await q<{ kind: string; status: string; attempts: number; n: number }>(
      `SELECT kind, status, attempts, jsonb_array_length(payload->'requestIds')::int AS n FROM jobs`,
    );
    expect(jobs).toEqual([{ kind: 'match_requests', status: 'done', attempts: 1, n: 210 }]);
    const [demo] = await q<{ total: number; with: number }>(
      `SELECT count(*)::int AS total,
         count(*) FILTER (WHERE EXISTS (SELECT 1 FROM matches m WHERE m.request_id = r.id AND m.status = 'proposed'))::int AS with
       FROM requests r WHERE r.territory_id = $1 AND r.created_by = 'demo'`,
      [lotId],
    );
    expect(demo.total).toBe(211); // the 210 of demo-lot.json and the volunteers' one (matched at load)
    expect(demo.with).toBeGreaterThanOrEqual(30);
    expect(demo.with).toBeLessThan(demo.total);

    const queue = (await srv.api('GET', `/api/work-queue?territoryId=${lotId}`)).body;
    const noSolution = queue.sections.find((s: any) => s.key === 'noSolution');
    const [open] = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM requests r WHERE r.territory_id = $1 AND r.status = 'open'
         AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.request_id = r.id AND m.status IN ('proposed', 'contacted', 'accepted', 'confirmed'))`,
      [lotId],
    );
    expect(noSolution.count).toBe(open.n);
    expect(noSolution.count).toBe(demo.total - demo.with);
    console.log(`demo: ${demo.with} of ${demo.total} requests with proposals, ${noSolution.count} without a solution`);

    // The dashboard says the same.
    fs.mkdirSync(SHOTS, { recursive: true });
    const browser = await launchChromium();
    try {
      const page = await openConsole(browser, srv.url, 'file@demo-matched.fr', PW);
      await page.setViewportSize({ width: 1280, height: 720 });
      const count = page.getByTestId('queue-count-noSolution');
      await count.waitFor({ timeout: 30_000 });
      expect(await count.innerText()).toBe(String(noSolution.count));
      await page.getByTestId('queue-noSolution').scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SHOTS, '36-demo-work-queue.png') });
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('stored what the console’s "search again" finds: the same drivers, nothing added', async () => {
    const sample = await q<{ id: number }>(
      `SELECT r.id FROM requests r WHERE r.territory_id = $1 AND r.created_by = 'demo'
         AND EXISTS (SELECT 1 FROM matches m WHERE m.request_id = r.id) ORDER BY r.id LIMIT 5`,
      [lotId],
    );
    expect(sample).toHaveLength(5);
    for (const { id } of sample) {
      const before = (await srv.api('GET', `/api/requests/${id}`)).body.proposals.map((p: any) => p.id).sort();
      const again = await srv.api('POST', `/api/requests/${id}/match`);
      expect(again.status).toBe(200);
      expect(again.body.proposals.map((p: any) => p.id).sort()).toEqual(before);
    }
  });
});

describe('the job queue', () => {
  it('a job stopped half-way is claimed again and finishes; a failing one is retried later with its error', async () => {
    const db = srv.booted.services.db;
    const seen: number[] = [];
    let stop = false;
    let fail = true;
    const runner = new JobRunner(db, {
      match_requests: async (payload: { requestIds: number[] }, { stopping }) => {
        if (payload.requestIds[0] === -1) {
          if (fail) throw new Error('router unreachable');
          return 'done';
        }
        for (const id of payload.requestIds) {
          if (stopping() || (stop && id === 3)) return 'interrupted';
          seen.push(id);
        }
        return 'done';
      },
    });
    await db.query(`UPDATE jobs SET status = 'done' WHERE status = 'queued'`);
    const a = await enqueueJob(db, 'match_requests', { requestIds: [1, 2, 3, 4] });
    stop = true;
    await runner.drain();
    expect(seen).toEqual([1, 2]);
    let [row] = await q<{ status: string; attempts: number }>('SELECT status, attempts FROM jobs WHERE id = $1', [a]);
    expect(row).toEqual({ status: 'queued', attempts: 0 });
    stop = false;
    expect(await runner.drain()).toBe(1);
    expect(seen).toEqual([1, 2, 1, 2, 3, 4]);
    [row] = await q('SELECT status, attempts FROM jobs WHERE id = $1', [a]);
    expect(row).toEqual({ status: 'done', attempts: 1 });

    const b = await enqueueJob(db, 'match_requests', { requestIds: [-1] });
    expect(await runner.drain()).toBe(1);
    const [failed] = await q<{ status: string; attempts: number; last_error: string; later: boolean }>(
      `SELECT status, attempts, last_error, next_attempt_at > clock_timestamp() AS later FROM jobs WHERE id = $1`,
      [b],
    );
    expect(failed).toEqual({ status: 'queued', attempts: 1, last_error: 'router unreachable', later: true });
    // Not due yet: a drain leaves it; once due, it runs.
    expect(await runner.drain()).toBe(0);
    fail = false;
    await db.query('UPDATE jobs SET next_attempt_at = now() WHERE id = $1', [b]);
    expect(await runner.drain()).toBe(1);
    expect((await q('SELECT status FROM jobs WHERE id = $1', [b]))[0]).toEqual({ status: 'done' });
  });
});
