import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failInterruptedImports, RUNNER } from '../../services/src/console/feed-imports.ts';
import { flexFeed, makeZip, tinyFeed } from '../gtfs/helpers.ts';
import type { TestServer } from '../helpers/server.ts';
import { addUser, Session, startConsoleServer } from './helpers.ts';

const PW = 'correct horse battery';
const FLEX = flexFeed('on-demand-service');

let srv: TestServer;
let feedServer: http.Server;
let base: string;
let lotId: number;
let otherId: number;

/** A loopback web server for the feeds, and a fake transport.data.gouv.fr API pointing at one of them. */
async function serveFeeds(files: Record<string, Buffer>) {
  const server = http.createServer((req, res) => {
    if (req.url === '/api/datasets/flex-ds') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        id: 'flex-ds', datagouv_id: 'x', title: 'Flex', slug: 'flex', type: 'public-transit',
        resources: [{ id: 1, title: 'NeTEx', format: 'NeTEx', url: `${base}/nope` }, { id: 2, title: 'GTFS', format: 'GTFS', url: `${base}/flex.zip`, updated: '2025-01-01' }],
      }));
      return;
    }
    const body = files[req.url ?? ''];
    if (!body) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-length', body.length);
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

beforeAll(async () => {
  const broken = tinyFeed();
  broken['stops.txt'] = 'stop_id,stop_name,stop_lat,stop_lon\nS1,Cahors Gare,44.4491,1.4340\nS2,Figeac Gare,north,2.0317\n';
  feedServer = await serveFeeds({ '/flex.zip': fs.readFileSync(FLEX), '/broken.zip': fs.readFileSync(await makeZip(broken)) });
  base = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}`;
  srv = await startConsoleServer({ options: { tdgApiUrl: `${base}/api` } });
  lotId = (await srv.api('POST', '/api/territories', { slug: 'lot', name: 'Lot' })).body.id;
  otherId = (await srv.api('POST', '/api/territories', { slug: 'autre', name: 'Autre' })).body.id;
  const db = srv.booted.services.db;
  await addUser(db, { email: 'lot@test.fr', password: PW, role: 'coordinator', territoryIds: [lotId] });
  await addUser(db, { email: 'autre@test.fr', password: PW, role: 'coordinator', territoryIds: [otherId] });
  await addUser(db, { email: 'viewer@test.fr', password: PW, role: 'viewer', territoryIds: [lotId] });
});
afterAll(async () => {
  await srv?.close();
  await new Promise((r) => feedServer?.close(r));
});

/** Polls the job every 100 ms until it is done or failed (bounded by the test timeout, not by a clock assertion). */
async function finished(jobId: number, as: (p: string) => Promise<{ status: number; body: any }> = (p) => srv.api('GET', p)) {
  const seen: string[] = [];
  for (;;) {
    const r = await as(`/api/feeds/imports/${jobId}`);
    expect(r.status).toBe(200);
    if (seen.at(-1) !== r.body.status) seen.push(r.body.status);
    if (r.body.status === 'done' || r.body.status === 'failed') return { job: r.body, seen };
    await new Promise((res) => setTimeout(res, 100));
  }
}

describe('feed imports from the console API', () => {
  it('downloads a loopback feed, imports it, and keeps the report on the job and on the feed version', async () => {
    const start = await srv.api('POST', '/api/feeds/imports', { url: `${base}/flex.zip`, name: 'Flex à la demande', territoryId: lotId });
    expect(start.status).toBe(202);
    expect(start.body).toMatchObject({ status: 'queued', name: 'Flex à la demande', territoryId: lotId, url: `${base}/flex.zip` });
    expect(start.headers.get('location')).toBe(`/api/feeds/imports/${start.body.id}`);
    const { job } = await finished(start.body.id);
    expect(job.error).toBeNull();
    expect(job.status).toBe('done');
    expect(job.progress).toMatchObject({ stage: 'importing', receivedBytes: fs.statSync(FLEX).size, totalBytes: fs.statSync(FLEX).size });
    expect(job.progress.files.map((f: { file: string }) => f.file)).toContain('stop_times.txt');
    expect(job.progress.files.every((f: { done: boolean }) => f.done)).toBe(true);
    expect(job.report.files.find((f: { file: string }) => f.file === 'trips.txt').rows).toBeGreaterThan(0);

    const db = srv.booted.services.db;
    const v = await db.query<{ id: number; status: string; report: any }>(
      `SELECT v.id, v.status, v.report FROM gtfs.feed_versions v JOIN gtfs.feeds f ON f.id = v.feed_id WHERE f.name = 'Flex à la demande'`,
    );
    expect(v.rows).toHaveLength(1);
    expect(v.rows[0]).toMatchObject({ id: job.feedVersionId, status: 'active' });
    expect(v.rows[0].report.files.length).toBe(job.report.files.length);

    const feed = await srv.api('GET', `/api/feeds/${job.feedId}`);
    expect(feed.status).toBe(200);
    expect(feed.body).toMatchObject({ name: 'Flex à la demande', territoryId: lotId, sourceUrl: `${base}/flex.zip`, current: { status: 'active' } });
    expect(feed.body.current.report.files.map((f: { file: string }) => f.file)).toEqual(job.report.files.map((f: { file: string }) => f.file));
    expect(feed.body.current.report.servicePeriod).toEqual(job.report.servicePeriod);
    expect(feed.body.current.report.bbox).toHaveLength(4);
    expect(Array.isArray(feed.body.current.report.warnings)).toBe(true);
    // The zip was a working file only.
    expect(fs.existsSync(`${srv.config.DATA_DIR}/feeds/import-${job.id}.zip`)).toBe(false);

    const list = await srv.api('GET', '/api/feeds/imports?sort=["id","DESC"]');
    expect(list.status).toBe(200);
    expect(list.body.map((j: { id: number }) => j.id)).toContain(job.id);
    expect(list.headers.get('content-range')).toMatch(/^feeds\/imports 0-\d+\/\d+$/);
  });

  it('fails a broken feed with the file, line and column, and writes nothing of it', async () => {
    const s = new Session(srv.url, '10.1.0.1');
    await s.login('lot@test.fr', PW);
    const start = await s.req('POST', '/api/feeds/imports', { url: `${base}/broken.zip`, name: 'Cassé' });
    expect(start.status).toBe(202);
    expect(start.body.territoryId).toBe(lotId);
    const { job } = await finished(start.body.id, (p) => s.req('GET', p));
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'E_INVALID_COORDINATE', file: 'stops.txt', line: 3, column: 'stop_lat' });
    expect(job.report).toBeNull();
    const n = await srv.booted.services.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM gtfs.feeds WHERE name = 'Cassé'`);
    expect(n.rows[0].n).toBe(0);
  });

  it('fails a download that answers 404 with a stable code', async () => {
    const start = await srv.api('POST', '/api/feeds/imports', { url: `${base}/missing.zip`, name: 'Absent' });
    const { job } = await finished(start.body.id);
    expect(job).toMatchObject({ status: 'failed', error: { code: 'E_DOWNLOAD' } });
  });

  it('imports a transport.data.gouv.fr dataset through its GTFS resource', async () => {
    const start = await srv.api('POST', '/api/feeds/imports', { datasetId: 'flex-ds', name: 'Flex par jeu de données', territoryId: lotId });
    expect(start.status).toBe(202);
    const { job } = await finished(start.body.id);
    expect(job).toMatchObject({ status: 'done', tdgDatasetId: 'flex-ds', url: `${base}/flex.zip` });
    const f = await srv.booted.services.db.query(`SELECT tdg_dataset_id FROM gtfs.feeds WHERE id = $1`, [job.feedId]);
    expect(f.rows[0].tdg_dataset_id).toBe('flex-ds');
  });

  it('refuses bad input naming the field, other roles, and other territories', async () => {
    const both = await srv.api('POST', '/api/feeds/imports', { url: `${base}/flex.zip`, datasetId: 'x', name: 'X' });
    expect(both.status).toBe(400);
    expect(both.body.fields[0].field).toBe('url');
    const ftp = await srv.api('POST', '/api/feeds/imports', { url: 'ftp://example.org/feed.zip', name: 'X' });
    expect(ftp.status).toBe(400);
    expect(ftp.body.fields[0].field).toBe('url');
    const noName = await srv.api('POST', '/api/feeds/imports', { url: `${base}/flex.zip` });
    expect(noName.body.fields[0].field).toBe('name');

    const viewer = new Session(srv.url, '10.1.0.2');
    await viewer.login('viewer@test.fr', PW);
    expect((await viewer.req('POST', '/api/feeds/imports', { url: `${base}/flex.zip`, name: 'V' })).status).toBe(403);
    expect((await viewer.req('GET', '/api/feeds/imports')).status).toBe(403);

    const other = new Session(srv.url, '10.1.0.3');
    await other.login('autre@test.fr', PW);
    const mine = (await srv.api('GET', '/api/feeds/imports')).body.find((j: { name: string }) => j.name === 'Flex à la demande');
    expect((await other.req('GET', `/api/feeds/imports/${mine.id}`)).status).toBe(404);
    expect((await other.req('GET', '/api/feeds/imports')).body).toEqual([]);
    expect((await other.req('POST', '/api/feeds/imports', { url: `${base}/flex.zip`, name: 'X', territoryId: lotId })).status).toBe(403);
    // Replacing the Lot's feed by reusing its name is refused.
    const reuse = await other.req('POST', '/api/feeds/imports', { url: `${base}/flex.zip`, name: 'Flex à la demande' });
    expect(reuse.status).toBe(409);
    expect(reuse.body.fields[0].field).toBe('name');
  });

  it('marks the jobs a restart interrupted as failed', async () => {
    const db = srv.booted.services.db;
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO feed_imports (name, url, status, runner, created_by) VALUES ('Coupé', 'http://127.0.0.1/x.zip', 'importing', $1, 'test') RETURNING id`,
      [RUNNER],
    );
    const other = await db.query<{ id: number }>(
      `INSERT INTO feed_imports (name, url, status, runner, created_by) VALUES ('Ailleurs', 'http://127.0.0.1/x.zip', 'downloading', 'another-host', 'test') RETURNING id`,
    );
    expect(await failInterruptedImports(srv.booted.services)).toBe(1);
    const job = (await srv.api('GET', `/api/feeds/imports/${rows[0].id}`)).body;
    expect(job).toMatchObject({ status: 'failed', error: { code: 'E_INTERRUPTED' } });
    expect((await srv.api('GET', `/api/feeds/imports/${other.rows[0].id}`)).body.status).toBe('downloading');
  });
});
