import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consolePlugin } from '../../services/src/console/plugin.ts';
import { readRoadLines, roadClassOf, roadFeatures, simplifyLine } from '../../services/src/console/road-layer.ts';
import { ADMIN_TOKEN, startServer, type TestServer } from '../helpers/server.ts';
import { addUser, DIST, Session } from './helpers.ts';

/**
 * GET /api/map/roads: the Lot's classified roads (fixtures/lot-classified-roads.osm.pbf, the embedded router's
 * extract) by class, cut to the reader's territories, cached by ETag and on disk; nothing without a road network.
 */
const PW = 'correct horse battery';
const PBF = path.resolve(import.meta.dirname, '../../fixtures/lot-classified-roads.osm.pbf');
let srv: TestServer;
let bare: TestServer;
let lotId: number;
let emptyId: number;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-roads-'));

beforeAll(async () => {
  srv = await startServer({
    demo: true,
    env: { DATA_DIR: dataDir },
    plugins: async (b) => [await consolePlugin(b.services, { distDir: DIST })],
  });
  lotId = (await srv.booted.services.db.query<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`)).rows[0].id;
  emptyId = (await srv.api('POST', '/api/territories', { slug: 'sans-communes', name: 'Sans communes' })).body.id;
  await addUser(srv.booted.services.db, { email: 'routes-viewer@lot.fr', password: PW, role: 'viewer', territoryIds: [lotId] });
  await addUser(srv.booted.services.db, { email: 'routes@vide.fr', password: PW, role: 'coordinator', territoryIds: [emptyId] });
  bare = await startServer({ env: { ROAD_NETWORK: 'none' }, plugins: async (b) => [await consolePlugin(b.services, { distDir: DIST })] });
}, 240_000);
afterAll(async () => {
  await srv?.close();
  await bare?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the road layer', () => {
  it('keeps the ends and the shape of a line, and drops what the tolerance hides', () => {
    const line: [number, number][] = [[0, 0], [1, 0.00001], [2, 0], [3, 1], [4, 0]];
    expect(simplifyLine(line, 0.001)).toEqual([[0, 0], [2, 0], [3, 1], [4, 0]]);
    expect(simplifyLine(line, 2)).toEqual([[0, 0], [4, 0]]);
    expect(simplifyLine([[0, 0], [1, 1]], 1)).toEqual([[0, 0], [1, 1]]);
    expect([roadClassOf('motorway_link'), roadClassOf('primary'), roadClassOf('residential'), roadClassOf('')]).toEqual(['motorway', 'primary', 'minor', 'minor']);
  });

  it('reads every way of the extract, simplified, in its classes', async () => {
    const lines = await readRoadLines(PBF);
    expect(lines.length).toBeGreaterThan(900);
    const classes = new Set(lines.map((l) => l.cls));
    expect([...classes].sort()).toEqual(['motorway', 'primary', 'secondary', 'tertiary', 'trunk']);
    const raw = await readRoadLines(PBF, 0);
    const count = (ls: typeof lines) => ls.reduce((n, l) => n + l.coords.length, 0);
    expect(count(lines)).toBeLessThan(count(raw));
    // A box far from the Lot cuts everything out; main roads come last (drawn on top).
    expect(roadFeatures(lines, [10, 10, 11, 11]).features).toEqual([]);
    expect(roadFeatures(lines, null).features.map((f) => f.properties.class)).toEqual(['tertiary', 'secondary', 'primary', 'trunk', 'motorway']);
  });
});

describe('GET /api/map/roads', () => {
  it('answers the territory’s roads by class, inside its box, with the licence, then 304 on the same ETag', async () => {
    const r = await fetch(`${srv.url}/api/map/roads?territoryId=${lotId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(r.status).toBe(200);
    const body = (await r.json()) as any;
    expect(body.type).toBe('FeatureCollection');
    expect(body.attribution).toContain('OpenStreetMap');
    const byClass = Object.fromEntries(body.features.map((f: any) => [f.properties.class, f]));
    for (const cls of ['motorway', 'primary', 'secondary', 'tertiary']) {
      expect(byClass[cls].geometry.type).toBe('MultiLineString');
      expect(byClass[cls].geometry.coordinates.length).toBe(byClass[cls].properties.lines);
    }
    // The Lot lies within 1.0–2.3° E, 44.2–45.1° N; the answer keeps to its box and a small margin.
    for (const f of body.features)
      for (const line of f.geometry.coordinates)
        for (const [lng, lat] of line) {
          expect(lng).toBeGreaterThan(0.7);
          expect(lng).toBeLessThan(2.6);
          expect(lat).toBeGreaterThan(43.9);
          expect(lat).toBeLessThan(45.3);
        }
    const etag = r.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(r.headers.get('cache-control')).toBe('private, max-age=3600');
    const again = await fetch(`${srv.url}/api/map/roads?territoryId=${lotId}`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    // Written once to the cache beside the router's, for the next start.
    expect(fs.readdirSync(path.join(dataDir, 'router-cache')).some((f) => /^roads-v\d+-[0-9a-f]{32}\.json$/.test(f))).toBe(true);
  });

  it('serves viewers (no personal data in roads), scopes to the reader’s territories, and refuses a bad or foreign territory', async () => {
    const viewer = new Session(srv.url, '10.8.0.1');
    expect((await viewer.login('routes-viewer@lot.fr', PW)).status).toBe(200);
    const v = await viewer.req('GET', '/api/map/roads');
    expect(v.status).toBe(200);
    expect(v.body.features.length).toBeGreaterThan(3);
    expect((await viewer.req('GET', `/api/map/roads?territoryId=${emptyId}`)).status).toBe(403);
    const bad = await viewer.req('GET', '/api/map/roads?territoryId=x');
    expect(bad.status).toBe(400);
    expect(bad.body.fields[0].field).toBe('territoryId');
    // A territory without communes or boundary: nothing to frame, nothing drawn.
    const empty = new Session(srv.url, '10.8.0.2');
    await empty.login('routes@vide.fr', PW);
    expect((await empty.req('GET', '/api/map/roads')).body.features).toEqual([]);
    expect((await new Session(srv.url).req('GET', '/api/map/roads')).status).toBe(401);
  });

  it('answers an empty layer without a road network (ROAD_NETWORK=none)', async () => {
    const r = await bare.api('GET', '/api/map/roads');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ type: 'FeatureCollection', features: [], attribution: '' });
  });
});
