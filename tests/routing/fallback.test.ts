import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/src/config.ts';
import { createRouter, FallbackRouter } from '../../services/src/routing/index.ts';
import { StraightLineRouter } from '../../services/src/routing/straight-line.ts';
import type { LngLat, RouteResult, Router, TableResult } from '../../services/src/routing/types.ts';
import { RouterError } from '../../services/src/routing/types.ts';

const CAHORS: LngLat = [1.4419, 44.4475];
const FIGEAC: LngLat = [2.0316, 44.6086];
const quiet = { info: () => {}, warn: () => {} };

/** A router that fails or never answers, to exercise the fallback. */
function brokenRouter(mode: 'error' | 'hang'): Router {
  const answer = <T>(): Promise<T> =>
    mode === 'error' ? Promise.reject(new RouterError('down', 'NetworkError')) : new Promise<T>(() => {});
  return {
    name: 'osrm',
    approximate: false,
    route: () => answer<RouteResult>(),
    table: () => answer<TableResult>(),
  };
}

describe('straight-line router', () => {
  it('haversine × 1.3 at 60 km/h, approximate', async () => {
    const router = new StraightLineRouter();
    const table = await router.table([CAHORS], [CAHORS, FIGEAC]);
    expect(table.approximate).toBe(true);
    expect(table.durationsS[0][0]).toBe(0);
    // Cahors–Figeac is ~50 km as the crow flies.
    expect(table.distancesM[0][1]).toBeGreaterThan(60_000);
    expect(table.distancesM[0][1]).toBeLessThan(70_000);
    expect(table.durationsS[0][1]).toBeCloseTo((table.distancesM[0][1] as number) / (60 / 3.6), 6);
    const route = await router.route([CAHORS, FIGEAC]);
    expect(route.distanceM).toBeCloseTo(table.distancesM[0][1] as number, 6);
    expect(route.approximate).toBe(true);
  });
});

describe('FallbackRouter', () => {
  it('answers from straight lines, marked approximate, when the primary fails', async () => {
    const router = new FallbackRouter(brokenRouter('error'), 1000, quiet);
    const table = await router.table([CAHORS], [FIGEAC]);
    expect(table.approximate).toBe(true);
    expect(table.durationsS[0][0]).toBeGreaterThan(0);
  });

  it('answers from straight lines when the primary misses the deadline', async () => {
    const router = new FallbackRouter(brokenRouter('hang'), 50, quiet);
    const started = Date.now();
    const route = await router.route([CAHORS, FIGEAC]);
    expect(route.approximate).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('passes the primary answer through when it is in time', async () => {
    const router = new FallbackRouter(new StraightLineRouter(), 1000);
    const table = await router.table([CAHORS], [FIGEAC]);
    expect(table.durationsS[0][0]).toBeGreaterThan(0);
    expect(router.name).toBe('straight-line');
  });
});

describe('the service’s router', () => {
  it('logs when the fallback answers in place of the primary', async () => {
    const { boot } = await import('../../services/src/boot.ts');
    const { createTestDb } = await import('../helpers/db.ts');
    const t = await createTestDb();
    const lines: string[] = [];
    const config = loadConfig({ DATA_DIR: path.join(import.meta.dirname, '../output/router-data'), DEMO: 'off', ROAD_NETWORK: 'none' });
    const booted = await boot(config, { db: t.db, router: brokenRouter('error'), log: (m) => lines.push(m) });
    try {
      const r = await booted.services.router.route([CAHORS, FIGEAC]);
      expect(r.approximate).toBe(true);
      expect(lines.some((l) => /osrm route failed \(NetworkError: down\); answering with straight-line estimates/.test(l))).toBe(true);
    } finally {
      await booted.close();
      await t.drop();
    }
  });
});

describe('createRouter', () => {
  const config = (env: Record<string, string>) =>
    loadConfig({ DATA_DIR: path.join(import.meta.dirname, '../output/router-data'), ...env });

  it('OSRM_URL → OSRM client', async () => {
    expect((await createRouter(config({ OSRM_URL: 'http://127.0.0.1:5000' }), quiet)).name).toBe('osrm');
  });
  it('ROAD_NETWORK=none or a missing file → straight-line', async () => {
    expect((await createRouter(config({ ROAD_NETWORK: 'none' }), quiet)).name).toBe('straight-line');
    expect((await createRouter(config({ ROAD_NETWORK: '/nonexistent.osm.pbf' }), quiet)).name).toBe('straight-line');
  });
  it('default → embedded router on the Lot roads', async () => {
    const router = await createRouter(config({}), quiet);
    expect(router.name).toBe('embedded');
    expect(router.approximate).toBe(false);
  });
});
