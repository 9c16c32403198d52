import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedRouter } from '../../services/src/routing/embedded/index.ts';
import { FORWARD } from '../../services/src/routing/embedded/graph.ts';
import type { LngLat } from '../../services/src/routing/types.ts';
import { MONACO_PBF, parseRequest, recording } from './recorded.ts';

/** The embedded router on the same extract osrm-routed answered from: same order of magnitude, same snapping. */
let router: EmbeddedRouter;
let cacheDir: string;

beforeAll(async () => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-router-monaco-'));
  router = await EmbeddedRouter.fromPbf(MONACO_PBF, { cacheDir });
  console.log(`monaco graph: ${router.graph.nodeCount} nodes, ${router.graph.edgeCount} edges, built in ${router.buildInfo?.buildMs.toFixed(0)} ms`);
}, 60_000);

afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

/** Mean of |ours / osrm - 1| over the off-diagonal cells. */
function meanRelativeError(ours: (number | null)[][], osrm: number[][]): number {
  let sum = 0;
  let n = 0;
  osrm.forEach((row, i) =>
    row.forEach((expected, j) => {
      if (expected === 0) return;
      sum += Math.abs((ours[i][j] as number) / expected - 1);
      n++;
    }),
  );
  return sum / n;
}

describe('embedded router on Monaco vs recorded OSRM', () => {
  it('table-5x5: every pair finite, durations and distances within 35 % of OSRM on average', async () => {
    const rec = recording('table-5x5');
    const points = parseRequest(rec.request).coordinates;
    const result = await router.table(points, points);
    for (const row of result.durationsS) for (const d of row) expect(Number.isFinite(d)).toBe(true);
    const durationError = meanRelativeError(result.durationsS, rec.body.durations);
    const distanceError = meanRelativeError(result.distancesM, rec.body.distances);
    console.log(`table-5x5 mean relative error: durations ${(durationError * 100).toFixed(1)} %, distances ${(distanceError * 100).toFixed(1)} %`);
    expect(durationError).toBeLessThan(0.35);
    expect(distanceError).toBeLessThan(0.35);
    result.durationsS.forEach((row, i) => expect(row[i]).toBe(0));
  });

  it('table-sources-destinations: the sub-matrix agrees with OSRM within 35 %', async () => {
    const rec = recording('table-sources-destinations');
    const points = parseRequest(rec.request).coordinates;
    const result = await router.table(points.slice(0, 2), points.slice(2, 4));
    expect(meanRelativeError(result.durationsS, rec.body.durations)).toBeLessThan(0.35);
  });

  it('backward searches (more sources than destinations) give the same matrix as forward ones', async () => {
    const points = parseRequest(recording('table-5x5').request).coordinates;
    const forward = await router.table(points.slice(0, 2), points);
    const backward = await router.table(points, points.slice(0, 2));
    const forwardT = await router.table(points, points);
    for (let i = 0; i < points.length; i++) {
      for (let j = 0; j < 2; j++) expect(backward.durationsS[i][j]).toBeCloseTo(forwardT.durationsS[i][j] as number, 1);
    }
    for (let i = 0; i < 2; i++) expect(forward.durationsS[i]).toEqual(forwardT.durationsS[i]);
  });

  it.each(['route-two-points-steps', 'route-via-point-polyline', 'route-alternatives', 'route-steps-french-needs-text'])(
    '%s: leg durations within 35 % of OSRM, geometry from first to last snapped point',
    async (name) => {
      const rec = recording(name);
      const points = parseRequest(rec.request).coordinates;
      const result = await router.route(points, { steps: true });
      const osrmLegs = rec.body.routes[0].legs as { duration: number; distance: number }[];
      expect(result.legs).toHaveLength(osrmLegs.length);
      result.legs.forEach((leg, i) => {
        expect(Math.abs(leg.durationS / osrmLegs[i].duration - 1)).toBeLessThan(0.35);
        expect(Math.abs(leg.distanceM / osrmLegs[i].distance - 1)).toBeLessThan(0.35);
      });
      expect(result.coordinates[0]).toEqual(result.waypoints?.[0].location);
      expect(result.coordinates[result.coordinates.length - 1]).toEqual(result.waypoints?.[points.length - 1].location);
      const steps = result.legs[0].steps as { maneuver: { type: string } }[];
      expect(steps[0].maneuver.type).toBe('depart');
      expect(steps[steps.length - 1].maneuver.type).toBe('arrive');
    },
  );

  it('snaps like OSRM: waypoint distances close to the recorded waypoints[].distance', async () => {
    for (const name of ['table-5x5', 'route-via-point-polyline', 'far-away-coordinate-still-snaps']) {
      const rec = recording(name);
      const points = parseRequest(rec.request).coordinates;
      const expected = (rec.body.waypoints ?? rec.body.sources) as { distance: number; location: LngLat }[];
      const result = await router.route(points);
      result.snapDistancesM.forEach((d, i) => {
        expect(Math.abs(d - expected[i].distance)).toBeLessThan(Math.max(5, 0.1 * expected[i].distance));
      });
    }
  });

  it('respects one-way streets: on a oneway=yes street A→B is direct, B→A has to go around', async () => {
    const g = router.graph;
    const at = (i: number): LngLat => [g.geomLng[i], g.geomLat[i]];
    const between = (p: LngLat, q: LngLat, t: number): LngLat => [p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t];
    // The longest named one-way (not roundabout) stretch whose two test points snap back onto it.
    const candidates: number[] = [];
    for (let e = 0; e < g.edgeCount; e++) {
      const oneWay = g.edgeFlags[e] === FORWARD; // forward only, not a roundabout
      if (oneWay && g.strings[g.edgeName[e]] !== '' && g.edgeLengthM[e] > 80) candidates.push(e);
    }
    candidates.sort((x, y) => g.edgeLengthM[y] - g.edgeLengthM[x]);
    const pick = candidates
      .map((e) => {
        const first = at(g.edgeGeomStart[e]);
        const second = at(g.edgeGeomStart[e] + 1);
        // Both points on the first shape segment, so "A before B" follows the drawing direction.
        return { e, A: between(first, second, 0.2), B: between(first, second, 0.8) };
      })
      .find(({ e, A, B }) => router.snap(A).edge === e && router.snap(B).edge === e && router.snap(A).offsetM + 20 < router.snap(B).offsetM);
    expect(pick).toBeDefined();
    const { e, A, B } = pick!;
    const ab = await router.route([A, B]);
    const ba = await router.route([B, A]);
    console.log(
      `one-way "${g.strings[g.edgeName[e]]}" (${g.edgeLengthM[e].toFixed(0)} m): A→B ${ab.distanceM} m / ${ab.durationS} s, B→A ${ba.distanceM} m / ${ba.durationS} s`,
    );
    expect(ab.distanceM).toBeLessThan(g.edgeLengthM[e]);
    expect(ba.distanceM).toBeGreaterThan(ab.distanceM * 1.5);
    expect(ba.durationS).toBeGreaterThan(ab.durationS);
    expect(ba.durationS).not.toEqual(ab.durationS);
  });

  it('a point far outside the network still snaps, and the off-network leg is counted', async () => {
    const rec = recording('far-away-coordinate-still-snaps');
    const points = parseRequest(rec.request).coordinates;
    const result = await router.route(points);
    expect(result.snapDistancesM[0]).toBeGreaterThan(600_000);
    expect(result.distanceM).toBeGreaterThan(result.snapDistancesM[0]);
  });
});
