import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedRouter } from '../../services/src/routing/embedded/index.ts';
import { decodePolyline, encodePolyline, osrmRoutes } from '../../services/src/routing/osrm-endpoints.ts';
import { MONACO_PBF, recorded, recording } from './recorded.ts';

/**
 * The /osrm endpoints over the embedded Monaco router, served by a Koa app on loopback, answering the very
 * requests osrm-routed was recorded answering: same fields, same JSON types, same error answers.
 */
let server: http.Server;
let baseUrl: string;
let cacheDir: string;

beforeAll(async () => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-router-endpoints-'));
  const router = await EmbeddedRouter.fromPbf(MONACO_PBF, { cacheDir });
  const app = new Koa();
  app.use(osrmRoutes(router).routes());
  server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

async function get(recordedRequest: string): Promise<{ status: number; body: any }> {
  const target = recordedRequest.split(' ')[1];
  const response = await fetch(`${baseUrl}/osrm${target}`);
  return { status: response.status, body: await response.json() };
}

/**
 * Fields OSRM sends only sometimes (by road, by maneuver, by option): allowed in our answers even when the one
 * recording of that kind does not show them.
 */
const OPTIONAL_KEYS = new Set(['ref', 'exit', 'modifier', 'classes', 'in', 'out', 'annotation', 'destinations', 'rotary_name']);

type Kind = 'array' | 'null' | 'object' | 'number' | 'string' | 'boolean';
const kindOf = (v: unknown): Kind => (Array.isArray(v) ? 'array' : v === null ? 'null' : (typeof v as Kind));

/**
 * Compare shapes recursively: same JSON kind at every path; every key of ours is a key OSRM sends there; every key
 * OSRM sends in all its objects at that path, we send too. Array elements are compared against all recorded elements.
 */
function compareShapes(ours: unknown, theirs: unknown[], at: string, problems: string[]): void {
  const kinds = new Set(theirs.map(kindOf));
  const kind = kindOf(ours);
  // Matrices may hold null for unreachable pairs; numbers may be either in both.
  if (!kinds.has(kind) && !(kind === 'null' && at.includes('[]'))) {
    problems.push(`${at}: ${kind}, OSRM sends ${[...kinds].join('|')}`);
    return;
  }
  if (kind === 'object') {
    const objects = theirs.filter((t) => kindOf(t) === 'object') as Record<string, unknown>[];
    const known = new Set(objects.flatMap((o) => Object.keys(o)));
    const always = [...known].filter((k) => objects.every((o) => k in o));
    const mine = ours as Record<string, unknown>;
    for (const key of Object.keys(mine)) {
      if (!known.has(key)) {
        if (!OPTIONAL_KEYS.has(key)) problems.push(`${at}.${key}: not an OSRM field here`);
        continue;
      }
      compareShapes(mine[key], objects.filter((o) => key in o).map((o) => o[key]), `${at}.${key}`, problems);
    }
    for (const key of always) if (!(key in mine)) problems.push(`${at}.${key}: missing`);
  } else if (kind === 'array') {
    const elements = (theirs.filter((t) => kindOf(t) === 'array') as unknown[][]).flat();
    if (elements.length === 0) return;
    (ours as unknown[]).forEach((element) => compareShapes(element, elements, `${at}[]`, problems));
  }
}

const okRecordings = recorded.filter((r) => r.status === 200 && !r.request.includes('/nearest/'));
const errorRecordings = recorded.filter((r) => r.status !== 200);

describe('/osrm endpoints answer like osrm-routed', () => {
  it.each(okRecordings.map((r) => [r.name, r] as const))('%s: same fields and types as the recording', async (_name, rec) => {
    const { status, body } = await get(rec.request);
    expect(status).toBe(200);
    expect(body.code).toBe('Ok');
    const problems: string[] = [];
    compareShapes(body, [rec.body], '', problems);
    expect(problems).toEqual([]);
  });

  it.each(errorRecordings.map((r) => [r.name, r] as const))('%s: same error answer', async (_name, rec) => {
    const { status, body } = await get(rec.request);
    expect(status).toBe(rec.status);
    expect(Object.keys(body).sort()).toEqual(Object.keys(rec.body).sort());
    expect(body.code).toBe(rec.body.code);
    expect(body.message).toBe(rec.body.message);
  });

  it('route: one route even when alternatives are asked; legs and waypoints match the inputs', async () => {
    const { body } = await get(recording('route-alternatives').request);
    expect(body.routes).toHaveLength(1);
    const via = await get(recording('route-via-point-polyline').request);
    expect(via.body.routes[0].legs).toHaveLength(2);
    expect(via.body.waypoints).toHaveLength(3);
    // Polyline geometry decodes to a line from the first waypoint to the last.
    const line = decodePolyline(via.body.routes[0].geometry);
    expect(line.length).toBeGreaterThan(2);
    expect(line[0][0]).toBeCloseTo(via.body.waypoints[0].location[0], 4);
  });

  it('table: sources/destinations select rows and columns; distances only when asked', async () => {
    const { body } = await get(recording('table-sources-destinations').request);
    expect(body.durations).toHaveLength(2);
    expect(body.durations[0]).toHaveLength(2);
    expect(body.distances).toBeUndefined();
    const both = await get(recording('table-5x5').request);
    expect(both.body.distances).toHaveLength(5);
  });

  it('other malformed requests: InvalidUrl, InvalidQuery for unknown options, InvalidOptions for bad indices', async () => {
    const bad = async (target: string): Promise<{ status: number; body: any }> => {
      const response = await fetch(`${baseUrl}/osrm${target}`);
      return { status: response.status, body: await response.json() };
    };
    const url = await bad('/route/v1/driving/7.41,43.73;nonsense');
    expect(url.status).toBe(400);
    expect(url.body.code).toBe('InvalidUrl');
    const query = await bad('/table/v1/driving/7.4190,43.7312;7.4270,43.7390?frobnicate=1');
    expect(query.body.code).toBe('InvalidQuery');
    const options = await bad('/table/v1/driving/7.4190,43.7312;7.4270,43.7390?sources=5');
    expect(options.body.code).toBe('InvalidOptions');
    expect(options.body.message).toEqual(expect.any(String));
  });

  it('accepts polyline(…) coordinates', async () => {
    const coords = encodePolyline([
      [7.419, 43.7312],
      [7.427, 43.739],
    ]);
    const response = await fetch(`${baseUrl}/osrm/route/v1/driving/polyline(${encodeURIComponent(coords)})?overview=false`);
    const body = (await response.json()) as any;
    expect(body.code).toBe('Ok');
    expect(body.routes[0].distance).toBeGreaterThan(1000);
  });
});
