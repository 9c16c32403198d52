import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@comobi/db';
import { createTestDatabase, flexFeed, makeZip, tinyFeed } from './helpers.ts';

const root = path.resolve(import.meta.dirname, '../..');
let db: Db;
let url: string;
let drop: () => Promise<void>;
let server: http.Server;
let api: string;
let requests: string[] = [];

// Responses shaped like transport.data.gouv.fr's (shared/reference/transport-data-gouv/schemas.ex: DatasetSummary,
// DatasetDetails, SummarizedResource), served on loopback: no test reaches the internet.
const resource = (id: number, format: string, title: string, file: string) => ({
  id, datagouv_id: `r-${id}`, title, format, url: `${file}`, original_url: file, is_available: true,
  updated: '2025-01-22T08:00:00Z', page_url: `https://transport.data.gouv.fr/resources/${id}`, type: 'public-transit',
  filesize: 4020, modes: ['bus'], features: [], metadata: {},
});
const dataset = (id: string, title: string, slug: string, resources: object[]) => ({
  datagouv_id: id, id, title, slug, type: 'public-transit', sub_types: [], licence: 'odc-odbl', created_at: '2020-01-01',
  page_url: `https://transport.data.gouv.fr/datasets/${slug}`, updated: '2025-01-22T08:00:00Z',
  publisher: { name: 'Grand Figeac', id: 'org-1', type: 'organization' }, resources, community_resources: [],
  covered_area: [{ type: 'epci', insee: '200067361', nom: 'Grand-Figeac' }], legal_owners: [], tags: ['tad'], offers: [],
});

beforeAll(async () => {
  const t = await createTestDatabase();
  ({ db, url, drop } = t);
  const tiny = fs.readFileSync(await makeZip(tinyFeed()));
  const flex = fs.readFileSync(flexFeed('on-demand-service'));
  server = http.createServer((req, res) => {
    requests.push(req.url!);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const datasets = [
      dataset('tad-figeac', 'Transport à la demande du Grand Figeac', 'tad-grand-figeac', [resource(11, 'GTFS', 'TAD GTFS-Flex', `${base}/files/flex.zip`)]),
      dataset('lio-lot', 'Réseau liO – Lot', 'lio-lot', [resource(21, 'NeTEx', 'liO NeTEx', `${base}/files/none.xml`), resource(22, 'GTFS', 'liO GTFS', `${base}/files/tiny.zip`)]),
      dataset('velo', 'Vélos en libre-service', 'velo', [resource(31, 'gbfs', 'GBFS', `${base}/gbfs.json`)]),
    ];
    const send = (status: number, body: unknown, type = 'application/json') => {
      const buf = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
      res.writeHead(status, { 'content-type': type, 'content-length': buf.length }).end(buf);
    };
    if (req.url === '/api/datasets') return send(200, datasets);
    const m = /^\/api\/datasets\/([\w-]+)$/.exec(req.url!);
    if (m) {
      const d = datasets.find((x) => x.id === m[1]);
      return d ? send(200, { ...d, history: [] }) : send(404, { errors: 'dataset not found' });
    }
    if (req.url === '/files/flex.zip') return send(200, flex, 'application/zip');
    if (req.url === '/files/tiny.zip') return send(200, tiny, 'application/zip');
    send(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
}, 60_000);

afterAll(async () => {
  server?.close();
  await drop?.();
});

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const dataDir = fs.mkdtempSync(path.join(root, 'data', 'gtfs-cli-test-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'gtfs-import/src/cli.ts', ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url, DATA_DIR: dataDir, TDG_API_URL: api, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

fs.mkdirSync(path.join(root, 'data'), { recursive: true });

describe('gtfs-import CLI', () => {
  it('search lists GTFS/NeTEx datasets matching every word, accents ignored', async () => {
    requests = [];
    const r = await cli(['search', 'figeac', 'DEMANDE']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('tad-figeac  Transport à la demande du Grand Figeac (Grand Figeac)');
    expect(r.stdout).toContain('resource 11  GTFS  TAD GTFS-Flex');
    expect(r.stdout).not.toContain('velo');
    expect(r.stdout).not.toContain('lio-lot'); // in the Grand-Figeac area, but not "à la demande"
    expect(r.stdout).toContain('1 dataset');
    expect(requests).toEqual(['/api/datasets']);
    const lio = await cli(['search', 'lot']);
    expect(lio.stdout).toContain('lio-lot  Réseau liO – Lot');
    expect(lio.stdout).toContain('resource 22  GTFS  liO GTFS');
  }, 60_000);

  it('pan downloads the dataset’s GTFS resource and imports it under the dataset’s slug', async () => {
    const r = await cli(['pan', 'tad-figeac']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Feed "tad-grand-figeac"');
    expect(r.stdout).toMatch(/locations\.geojson\s+1 rows/);
    const feed = await db.query<{ tdg_dataset_id: string; source_url: string; status: string }>(
      `SELECT f.tdg_dataset_id, f.source_url, v.status FROM gtfs.feeds f JOIN gtfs.feed_versions v ON v.feed_id = f.id WHERE f.name = 'tad-grand-figeac'`,
    );
    expect(feed.rows).toEqual([{ tdg_dataset_id: 'tad-figeac', source_url: expect.stringMatching(/\/files\/flex\.zip$/), status: 'active' }]);
  }, 120_000);

  it('imports a local zip, lists versions, and exits 1 with file, line, column and code on bad input', async () => {
    const ok = await cli([await makeZip(tinyFeed()), '--name', 'local-tiny']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/stop_times\.txt\s+4 rows/);
    // Not a terminal: one plain progress line per file loaded, names and counts filled in.
    expect(ok.stderr).toMatch(/^stop_times\.txt +4 rows$/m);
    expect(ok.stderr).toMatch(/^trips\.txt +2 rows$/m);
    expect(ok.stderr).not.toContain('{file}');
    const versions = await cli(['versions', 'local-tiny']);
    expect(versions.stdout).toMatch(/local-tiny {2}v1 {2}active/);
    const broken = { ...tinyFeed(), 'stop_times.txt': 'trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,08:00:00,08:00:00,S1,1\nT1,8:61:00,8:61:00,S2,2\n' };
    const bad = await cli([await makeZip(broken), '--name', 'local-tiny']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('E_INVALID_TIME (stop_times.txt, line 3, column arrival_time)');
    expect((await cli(['pan', 'nope'])).code).toBe(1);
  }, 120_000);

  it('imports an expired feed with a warning, and refuses it with --strict', async () => {
    const old = { ...tinyFeed(), 'calendar.txt': 'service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20200101,20201231\n' };
    const zip = await makeZip(old);
    const ok = await cli([zip, '--name', 'old-tiny']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/expired feed: the service ends on 2020-12-31, before today \(\d{4}-\d\d-\d\d\); activated anyway/);
    expect(ok.stderr).toMatch(/^warning: expired feed \(service ended 2020-12-31/m);
    const strict = await cli([zip, '--name', 'old-tiny', '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('E_EXPIRED (calendar.txt, column end_date)');
    expect((await cli([])).code).toBe(2);
  }, 120_000);
});
