/**
 * Seeded benchmark of the embedded router on a road extract (default: the Lot fixture).
 *   npx tsx services/src/routing/embedded/bench.ts [file.osm.pbf] [points=100] [runs=30]
 * Prints graph build times (cold from the pbf, then from the cache) and the time of an N×N table with the
 * contraction hierarchy and with plain Dijkstra searches (median, p95, tables/s, ratio), and of 1×1 tables (the
 * matcher's "direct" times). CPU time beside wall time: on a shared machine it is the steadier figure.
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

  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const measure = async (router: EmbeddedRouter, from: LngLat[], to: LngLat[], times = runs) => {
    for (let i = 0; i < 5; i++) await router.table(from, to); // warm-up
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < times; i++) {
      const c0 = cpuMs();
      const started = performance.now();
      await router.table(from, to);
      wall.push(performance.now() - started);
      cpu.push(cpuMs() - c0);
    }
    wall.sort((a, b) => a - b);
    const at = (q: number) => wall[Math.min(times - 1, Math.floor(times * q))];
    return { median: at(0.5), p95: at(0.95), cpuMean: cpu.reduce((a, b) => a + b, 0) / times };
  };
  const ch = await measure(cached, sources, destinations);
  const dijkstra = await measure(new EmbeddedRouter(g), sources, destinations);
  const line = (name: string, t: { median: number; p95: number; cpuMean: number }) =>
    `${name}: median ${t.median.toFixed(2)} ms, p95 ${t.p95.toFixed(2)} ms, ${(1000 / t.median).toFixed(0)} tables/s, CPU mean ${t.cpuMean.toFixed(2)} ms`;
  console.log(`${count}×${count} table, ${runs} runs`);
  console.log(line('  contraction hierarchy', ch));
  console.log(line('  dijkstra (smaller side)', dijkstra));
  console.log(`  ratio ${(dijkstra.median / ch.median).toFixed(1)}×`);
  console.log(line(`1×1 table (hierarchy), ${runs * 20} runs`, await measure(cached, sources.slice(0, 1), destinations.slice(0, 1), runs * 20)));
  console.log(line(`1×${count} table (one point against many: a sweep over the hierarchy), ${runs} runs`, await measure(cached, sources.slice(0, 1), destinations)));
} finally {
  fs.rmSync(cacheDir, { recursive: true, force: true });
}
