import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedRouter } from '../../services/src/routing/embedded/index.ts';
import type { LngLat } from '../../services/src/routing/types.ts';
import { MONACO_PBF, parseRequest, recorded } from './recorded.ts';

/**
 * The embedded router's durations and distances against what a real osrm-routed 6.0.0 (car profile) answered on
 * the same extracts: every recorded Monaco answer that carries durations (routes, tables, the far-away point), and
 * the 20,005 Lot routes of the matching benchmark (OSRM over the Lot fixture). Like OSRM, the router is asked
 * not to count the straight stretch from an input point to its road (countOffNetwork: false).
 */
const LOT_PBF = path.resolve(import.meta.dirname, '../../fixtures/lot-classified-roads.osm.pbf');
/** One JSON object a line: `c` the OSRM route's coordinates, `m` its metres, `s` its seconds (see data PROVENANCE). */
const LOT_OSRM_ROUTES = '/work/shared/data/bench/lot-routes-20k.ndjson.gz';

/** Target of issue 13: median errors against a real OSRM. */
const MAX_MEDIAN_DURATION_ERROR = 0.05;
const MAX_MEDIAN_DISTANCE_ERROR = 0.03;

interface Pair {
  label: string;
  ours: number;
  osrm: number;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const relativeErrors = (pairs: Pair[]) => pairs.filter((p) => p.osrm > 0).map((p) => Math.abs(p.ours / p.osrm - 1));
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

function report(name: string, durations: Pair[], distances: Pair[]): { duration: number; distance: number } {
  const d = relativeErrors(durations);
  const m = relativeErrors(distances);
  const signed = durations.filter((p) => p.osrm > 0).map((p) => p.ours / p.osrm - 1);
  console.log(
    `${name}: durations ${d.length} compared, median error ${pct(quantile(d, 0.5))}, p90 ${pct(quantile(d, 0.9))}, ` +
      `median signed ${pct(quantile(signed, 0.5))}; distances ${m.length} compared, median error ${pct(quantile(m, 0.5))}, ` +
      `p90 ${pct(quantile(m, 0.9))}`,
  );
  return { duration: quantile(d, 0.5), distance: quantile(m, 0.5) };
}

const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-router-osrm-'));
afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

describe('embedded router vs recorded OSRM answers on Monaco', () => {
  let router: EmbeddedRouter;
  beforeAll(async () => {
    router = await EmbeddedRouter.fromPbf(MONACO_PBF, { cacheDir, countOffNetwork: false });
  });

  it('every recorded route leg and table cell: median errors within 5 % (durations) and 3 % (distances)', async () => {
    const durations: Pair[] = [];
    const distances: Pair[] = [];
    let answers = 0;
    for (const rec of recorded) {
      if (rec.status !== 200) continue;
      const request = parseRequest(rec.request);
      const points = request.coordinates;
      if (request.service === 'route') {
        answers++;
        const ours = await router.route(points);
        (rec.body.routes[0].legs as { duration: number; distance: number }[]).forEach((leg, i) => {
          durations.push({ label: `${rec.name} leg ${i}`, ours: ours.legs[i].durationS, osrm: leg.duration });
          distances.push({ label: `${rec.name} leg ${i}`, ours: ours.legs[i].distanceM, osrm: leg.distance });
        });
      } else if (request.service === 'table') {
        answers++;
        const pick = (key: string) => request.query[key]?.split(';').map((i) => points[Number(i)]) ?? points;
        const ours = await router.table(pick('sources'), pick('destinations'));
        (rec.body.durations as number[][]).forEach((row, i) =>
          row.forEach((osrm, j) => {
            durations.push({ label: `${rec.name} ${i}→${j}`, ours: ours.durationsS[i][j] as number, osrm });
            const osrmM = rec.body.distances?.[i][j];
            if (osrmM !== undefined) distances.push({ label: `${rec.name} ${i}→${j}`, ours: ours.distancesM[i][j] as number, osrm: osrmM });
          }),
        );
      }
    }
    expect(answers).toBeGreaterThanOrEqual(6);
    expect(durations.length).toBeGreaterThan(25);
    const medians = report('Monaco', durations, distances);
    expect(medians.duration).toBeLessThanOrEqual(MAX_MEDIAN_DURATION_ERROR);
    expect(medians.distance).toBeLessThanOrEqual(MAX_MEDIAN_DISTANCE_ERROR);
  });

  it('a destination behind the start on a one-way street: the table goes around the block like the route', async () => {
    const rec = recorded.find((r) => r.name === 'route-two-points-steps')!;
    const [from] = parseRequest(rec.request).coordinates;
    const snap = router.snap(from);
    const g = router.graph;
    expect(g.edgeFlags[snap.edge] & 2).toBe(0); // Tunnel Rocher Palais: one-way
    // A point a few metres behind the start, on the same one-way edge.
    const start = g.edgeGeomStart[snap.edge];
    const behind: LngLat = [g.geomLng[start] * 0.5 + snap.location[0] * 0.5, g.geomLat[start] * 0.5 + snap.location[1] * 0.5];
    expect(router.snap(behind).edge).toBe(snap.edge);
    const route = await router.route([from, behind]);
    const table = await router.table([from], [behind]);
    expect(route.distanceM).toBeGreaterThan(200);
    expect(table.durationsS[0][0]).toBeCloseTo(route.durationS, 0);
    expect(table.distancesM[0][0]).toBeCloseTo(route.distanceM, 0);
    // The same cell in a one-against-many table (one-to-all sweep over the hierarchy), and the other way round.
    const others = Array.from({ length: 20 }, (_, k): LngLat => [g.geomLng[k * 97], g.geomLat[k * 97]]);
    const row = await router.table([from], [behind, ...others]);
    const column = await router.table([from, ...others], [behind]);
    expect(row.durationsS[0][0]).toBeCloseTo(route.durationS, 0);
    expect(column.durationsS[0][0]).toBeCloseTo(route.durationS, 0);
  });
});

describe('embedded router vs OSRM routes on the Lot classified roads', () => {
  let router: EmbeddedRouter;
  beforeAll(async () => {
    router = await EmbeddedRouter.fromPbf(LOT_PBF, { cacheDir, countOffNetwork: false });
  });

  it('every bench route from its first to its last point: median errors within 5 % (durations) and 3 % (distances)', async () => {
    const lines = zlib.gunzipSync(fs.readFileSync(LOT_OSRM_ROUTES)).toString('utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(20_000);
    const durations: Pair[] = [];
    const distances: Pair[] = [];
    for (const [k, line] of lines.entries()) {
      const route = JSON.parse(line) as { c: LngLat[]; m: number; s: number };
      const ours = await router.table([route.c[0]], [route.c[route.c.length - 1]]);
      durations.push({ label: `route ${k}`, ours: ours.durationsS[0][0] as number, osrm: route.s });
      distances.push({ label: `route ${k}`, ours: ours.distancesM[0][0] as number, osrm: route.m });
    }
    const medians = report('Lot', durations, distances);
    expect(medians.duration).toBeLessThanOrEqual(MAX_MEDIAN_DURATION_ERROR);
    expect(medians.distance).toBeLessThanOrEqual(MAX_MEDIAN_DISTANCE_ERROR);
  }, 180_000); // 20,005 routes: about 20 s alone, more on a loaded machine
});
