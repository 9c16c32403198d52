import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { flexFeed, makeZip, tinyFeed } from '../gtfs/helpers.ts';
import { CORREZE, root, territoryCli } from './helpers.ts';

/**
 * `npm run territory -- attach --gtfs`: the feeds whose declared area touches the territory, found on a replay of
 * transport.data.gouv.fr's API (shapes of shared/reference/transport-data-gouv/schemas.ex) served on loopback.
 */
let testDb: TestDb;
let env: Record<string, string>;
let dataDir: string;
let server: http.Server;
let requests: string[] = [];
const q = async <T = any>(sql: string, params: unknown[] = []) => (await testDb.db.query<T>(sql, params)).rows;

const resource = (id: number, format: string, title: string, url: string) => ({
  id, datagouv_id: `r-${id}`, title, format, url, original_url: url, is_available: true, updated: '2025-01-22T08:00:00Z',
  page_url: `https://transport.data.gouv.fr/resources/${id}`, type: 'public-transit', filesize: 4020, modes: ['bus'], features: [], metadata: {},
});
const dataset = (id: string, title: string, area: { type: string; insee: string; nom: string }[], resources: object[]) => ({
  datagouv_id: id, id, title, slug: id, type: 'public-transit', sub_types: [], licence: 'odc-odbl', created_at: '2020-01-01',
  page_url: `https://transport.data.gouv.fr/datasets/${id}`, updated: '2025-01-22T08:00:00Z',
  publisher: { name: title, id: `org-${id}`, type: 'organization' }, resources, community_resources: [],
  covered_area: area, legal_owners: [], tags: [], offers: [],
});

beforeAll(async () => {
  testDb = await createTestDb('postgres');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-territory-feeds-'));
  const tiny = fs.readFileSync(await makeZip(tinyFeed()));
  const flex = fs.readFileSync(flexFeed('on-demand-service'));
  server = http.createServer((req, res) => {
    requests.push(req.url!);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const send = (status: number, body: unknown, type = 'application/json') => {
      const buf = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
      res.writeHead(status, { 'content-type': type, 'content-length': buf.length }).end(buf);
    };
    if (req.url === '/api/datasets') {
      return send(200, [
        // Tulle (19272) is a commune of the Corrèze: its on-demand service covers it.
        dataset('tad-tulle', 'Transport à la demande de Tulle', [{ type: 'commune', insee: '19272', nom: 'Tulle' }], [resource(11, 'GTFS', 'TAD GTFS-Flex', `${base}/files/flex.zip`)]),
        // The Lot's network: elsewhere, ignored.
        dataset('lio-lot', 'Réseau liO – Lot', [{ type: 'departement', insee: '46', nom: 'Lot' }], [resource(21, 'GTFS', 'liO GTFS', `${base}/files/tiny.zip`)]),
        // National: not imported by default.
        dataset('sncf-ter', 'TER national', [{ type: 'pays', insee: 'FR', nom: 'France' }], [resource(31, 'GTFS', 'TER', `${base}/files/tiny.zip`)]),
        // Nouvelle-Aquitaine (75), the Corrèze's région, in NeTEx only: found, not importable.
        dataset('na-netex', 'Réseau régional', [{ type: 'region', insee: '75', nom: 'Nouvelle-Aquitaine' }], [resource(41, 'NeTEx', 'NeTEx', `${base}/files/none.xml`)]),
      ]);
    }
    if (req.url === '/files/flex.zip') return send(200, flex, 'application/zip');
    if (req.url === '/files/tiny.zip') return send(200, tiny, 'application/zip');
    send(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  env = { DATABASE_URL: testDb.url!, DATA_DIR: dataDir, TDG_API_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api` };
  const run = await territoryCli(['create', '--name', 'Corrèze', '--communes', CORREZE], env);
  expect(run.code, run.stderr).toBe(0);
}, 300_000);
afterAll(async () => {
  server?.close();
  await testDb?.drop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run territory -- attach --gtfs', () => {
  it('with --dry-run lists the feeds covering the territory and imports nothing', async () => {
    requests = [];
    const run = await territoryCli(['attach', '--slug', 'correze', '--gtfs', '--dry-run'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('1 jeu de données sur 4 couvre Corrèze');
    expect(run.stdout).toContain('tad-tulle  Transport à la demande de Tulle — ressource 11 TAD GTFS-Flex (zone : commune Tulle, 19272)');
    expect(run.stdout).not.toContain('lio-lot');
    expect(run.stdout).toContain('sans ressource GTFS (non importables) : na-netex Réseau régional');
    expect(run.stdout).toContain('1 jeu national non importé d’office');
    expect(run.stdout).toContain('--dry-run : rien n’a été importé');
    expect(requests).toEqual(['/api/datasets']);
    expect(await q('SELECT name FROM gtfs.feeds')).toEqual([]);
  }, 120_000);

  it('imports the feed covering the territory for it, and leaves the one elsewhere alone', async () => {
    const run = await territoryCli(['attach', '--territory', 'correze', '--gtfs'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/tad-tulle : importé, version 1, \d+ lignes \(téléchargement [\d,]+ s, import [\d,]+ s\)/);
    // Not a terminal: plain progress lines, placeholders filled.
    expect(run.stderr).toMatch(/^tad-tulle téléchargement : \d+ octets$/m);
    expect(run.stderr).toMatch(/^tad-tulle locations\.geojson : 1 lignes$/m);
    expect(run.stderr).not.toContain('{');
    expect(run.stderr).not.toContain('░');
    const feeds = await q<{ name: string; tdg_dataset_id: string; territory: string }>(
      `SELECT f.name, f.tdg_dataset_id, t.slug AS territory FROM gtfs.feeds f
       JOIN gtfs.feed_versions v ON v.feed_id = f.id AND v.status = 'active' LEFT JOIN territories t ON t.id = f.territory_id`,
    );
    expect(feeds).toEqual([{ name: 'tad-tulle', tdg_dataset_id: 'tad-tulle', territory: 'correze' }]);
    expect(fs.existsSync(path.join(dataDir, 'downloads', 'tad-tulle.zip'))).toBe(false);
  }, 180_000);

  it('shows bars on a terminal', async () => {
    // `script` gives the command a pseudo-terminal: stderr is a TTY there, as for a person at a console.
    const cmd = [process.execPath, '--import', 'tsx', 'services/src/territory/cli.ts', 'attach', '--territory', 'correze', '--gtfs'];
    const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('script', ['-qec', cmd.map((a) => `'${a}'`).join(' '), '/dev/null'], {
        cwd: root,
        env: { ...process.env, DEMO: 'off', LOG_LEVEL: 'silent', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', (code) => resolve({ code, out }));
    });
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/tad-tulle téléchargement [█░]+ \d+\/\d+ octets/);
    expect(run.out).toMatch(/tad-tulle locations\.geojson [█░]+ 1\/1 lignes/);
    expect(run.out).toContain('tad-tulle : importé, version 2');
  }, 180_000);

  it('says when the access point cannot be reached, importing nothing', async () => {
    const run = await territoryCli(['attach', '--territory', 'correze', '--gtfs'], { ...env, TDG_API_URL: 'http://127.0.0.1:1/api' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('point d’accès injoignable');
  }, 60_000);
});
