import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedRouter } from '../../services/src/routing/embedded/index.ts';
import type { LngLat } from '../../services/src/routing/types.ts';

/** The embedded router on the Lot fixture (classified roads of the département), as the matcher uses it. */
const LOT_PBF = path.resolve(import.meta.dirname, '../../fixtures/lot-classified-roads.osm.pbf');
const CAHORS: LngLat = [1.4419, 44.4475];
const FIGEAC: LngLat = [2.0316, 44.6086];

let cacheDir: string;
let router: EmbeddedRouter;

beforeAll(async () => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-router-lot-'));
  router = await EmbeddedRouter.fromPbf(LOT_PBF, { cacheDir });
});

afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

/** Seeded points near the roads of the graph (a shape point moved up to ~300 m), reproducible across runs. */
function pointsNearRoads(count: number, seed: number): LngLat[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const g = router.graph;
  return Array.from({ length: count }, () => {
    const i = Math.floor(random() * g.geomLng.length);
    return [g.geomLng[i] + (random() - 0.5) * 0.008, g.geomLat[i] + (random() - 0.5) * 0.006] as LngLat;
  });
}

describe('embedded router on the Lot classified roads', () => {
  it('Cahors → Figeac: about 60-75 km and 45-75 min', async () => {
    const result = await router.route([CAHORS, FIGEAC]);
    console.log(`Cahors → Figeac: ${(result.distanceM / 1000).toFixed(1)} km, ${(result.durationS / 60).toFixed(1)} min`);
    expect(result.distanceM).toBeGreaterThan(60_000);
    expect(result.distanceM).toBeLessThan(75_000);
    expect(result.durationS).toBeGreaterThan(45 * 60);
    expect(result.durationS).toBeLessThan(75 * 60);
    expect(result.legs[0].durationS).toBe(result.durationS);
  });

  it('the table is symmetric-ish (roads are mostly two-way) and agrees with route()', async () => {
    const points = [CAHORS, FIGEAC, ...pointsNearRoads(8, 46)];
    const table = await router.table(points, points);
    for (let i = 0; i < points.length; i++) {
      for (let j = 0; j < points.length; j++) {
        const there = table.durationsS[i][j] as number;
        const back = table.durationsS[j][i] as number;
        expect(Number.isFinite(there)).toBe(true);
        if (i !== j) expect(Math.abs(there - back) / Math.max(there, back)).toBeLessThan(0.15);
      }
    }
    const route = await router.route([points[0], points[1]]);
    expect(table.durationsS[0][1]).toBeCloseTo(route.durationS, 0);
    expect(table.distancesM[0][1]).toBeCloseTo(route.distanceM, 0);
  });

  it('100 × 100 table in one call (the matcher shape: pickup, dropoff, then origins / destinations)', async () => {
    const pickup = CAHORS;
    const dropoff = FIGEAC;
    const origins = pointsNearRoads(98, 7);
    const destinations = pointsNearRoads(98, 8);
    const sources = [pickup, dropoff, ...origins];
    const targets = [pickup, dropoff, ...destinations];
    await router.table(sources, targets); // warm-up (JIT)
    const timesMs: number[] = [];
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      const table = await router.table(sources, targets);
      timesMs.push(performance.now() - started);
      expect(table.durationsS).toHaveLength(100);
      expect(table.durationsS[0]).toHaveLength(100);
    }
    timesMs.sort((a, b) => a - b);
    console.log(`100×100 table on ${router.graph.nodeCount} nodes: median ${timesMs[2].toFixed(2)} ms, min ${timesMs[0].toFixed(2)} ms, max ${timesMs[4].toFixed(2)} ms`);
  });

  it('the contraction hierarchy (buckets, one-to-all sweeps) gives the same matrix as plain Dijkstra searches', async () => {
    const plain = new EmbeddedRouter(router.graph); // no hierarchy
    const sources = [CAHORS, ...pointsNearRoads(12, 3)];
    const destinations = [FIGEAC, ...pointsNearRoads(30, 4)];
    for (const [from, to] of [
      [sources, destinations],
      [destinations, sources], // more sources than destinations: backward searches
      [sources.slice(0, 1), destinations], // one or two against many: one-to-all sweeps over the hierarchy
      [sources.slice(0, 2), destinations],
      [destinations, sources.slice(0, 1)],
      [destinations, sources.slice(0, 2)],
    ]) {
      const withHierarchy = await router.table(from, to);
      const withDijkstra = await plain.table(from, to);
      withHierarchy.durationsS.forEach((row, i) =>
        row.forEach((d, j) => expect(d).toBeCloseTo(withDijkstra.durationsS[i][j] as number, 0)),
      );
    }
  });

  it('the second build reads the cache (same graph)', async () => {
    const cold = router.buildInfo!;
    const cached = await EmbeddedRouter.fromPbf(LOT_PBF, { cacheDir });
    console.log(`Lot graph build: cold ${cold.buildMs.toFixed(0)} ms (${cold.source}), cached ${cached.buildInfo!.buildMs.toFixed(0)} ms (${cached.buildInfo!.source})`);
    expect(cold.source).toBe('pbf');
    expect(cached.buildInfo!.source).toBe('cache');
    expect(fs.existsSync(cached.buildInfo!.cacheFile!)).toBe(true);
    expect(cached.graph.nodeCount).toBe(router.graph.nodeCount);
    expect(Array.from(cached.graph.edgeDurationS)).toEqual(Array.from(router.graph.edgeDurationS));
    expect(await cached.route([CAHORS, FIGEAC])).toEqual(await router.route([CAHORS, FIGEAC]));
  });

  it('a corrupt cache file is rebuilt from the pbf', async () => {
    const file = router.buildInfo!.cacheFile!;
    fs.writeFileSync(file, Buffer.from('not a graph'));
    const rebuilt = await EmbeddedRouter.fromPbf(LOT_PBF, { cacheDir });
    expect(rebuilt.buildInfo!.source).toBe('pbf');
    expect(rebuilt.graph.edgeCount).toBe(router.graph.edgeCount);
    expect((await EmbeddedRouter.fromPbf(LOT_PBF, { cacheDir })).buildInfo!.source).toBe('cache');
  });
});
