/**
 * Seeded benchmark of the embedded router on a road extract (default: the Lot fixture).
 *   npx tsx services/src/routing/embedded/bench.ts [file.osm.pbf] [points=100] [runs=30]
 * Prints graph build times (cold from the pbf, then from the cache) and the time of an N×N table with the
 * contraction hierarchy and with plain Dijkstra searches (median, p95, tables/s, ratio).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LngLat } from '../types.ts';
import { EmbeddedRouter } from './embedded-router.ts';

const pbf = process.argv[2] ?? path.resolve(import.meta.dirname, '../../../../fixtures/lot-classified-roads.osm.pbf');
const count = Number(process.argv[3] ?? 100);
const runs = Number(process.argv[4] ?? 30);

const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-router-bench-'));
try {
  const cold = await EmbeddedRouter.fromPbf(pbf, { cacheDir });
  const cached = await EmbeddedRouter.fromPbf(pbf, { cacheDir });
  const info = cold.buildInfo!;
  console.log(`graph ${path.basename(pbf)}: ${info.nodeCount} nodes, ${info.edgeCount} edges, ${info.shortcutCount} shortcuts`);
  console.log(`build cold ${info.buildMs.toFixed(0)} ms (of which hierarchy ${info.hierarchyMs?.toFixed(0)} ms), cached ${cached.buildInfo!.buildMs.toFixed(0)} ms`);

  // Seeded points near roads (a shape point moved by up to a few hundred metres).
  let state = 42;
  const random = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const g = cold.graph;
  const points = (): LngLat[] =>
    Array.from({ length: count }, () => {
      const i = Math.floor(random() * g.geomLng.length);
      return [g.geomLng[i] + (random() - 0.5) * 0.008, g.geomLat[i] + (random() - 0.5) * 0.006];
    });
  const sources = points();
  const destinations = points();

  const measure = async (router: EmbeddedRouter) => {
    for (let i = 0; i < 5; i++) await router.table(sources, destinations); // warm-up
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      await router.table(sources, destinations);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return { median: times[Math.floor(runs / 2)], p95: times[Math.min(runs - 1, Math.floor(runs * 0.95))] };
  };
  const ch = await measure(cached);
  const dijkstra = await measure(new EmbeddedRouter(g));
  const line = (name: string, t: { median: number; p95: number }) =>
    `${name}: median ${t.median.toFixed(2)} ms, p95 ${t.p95.toFixed(2)} ms, ${(1000 / t.median).toFixed(0)} tables/s`;
  console.log(`${count}×${count} table, ${runs} runs`);
  console.log(line('  contraction hierarchy', ch));
  console.log(line('  dijkstra (smaller side)', dijkstra));
  console.log(`  ratio ${(dijkstra.median / ch.median).toFixed(1)}×`);
} finally {
  fs.rmSync(cacheDir, { recursive: true, force: true });
}
