import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frenchDirections } from '../../services/src/routing/directions.ts';
import { EmbeddedRouter } from '../../services/src/routing/embedded/index.ts';
import type { RouteStep } from '../../services/src/routing/types.ts';
import { MONACO_PBF, parseRequest, recording } from './recorded.ts';

/** osrm-text-instructions v5 in French, on OSRM's own steps and on the embedded router's steps. */
const FRENCH = /Tourner|Continuer|Prendre le giratoire|Sortir du giratoire|Vous êtes arrivé|Se diriger/;

let cacheDir: string;
let router: EmbeddedRouter;
beforeAll(async () => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-router-directions-'));
  router = await EmbeddedRouter.fromPbf(path.resolve(import.meta.dirname, '../../fixtures/lot-classified-roads.osm.pbf'), {
    cacheDir,
  });
}, 60_000);
afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

describe('frenchDirections', () => {
  it('phrases the steps OSRM recorded (turns, roundabouts, arrival)', () => {
    const steps = recording('route-steps-french-needs-text').body.routes[0].legs[0].steps as RouteStep[];
    const sentences = frenchDirections(steps);
    expect(sentences).toHaveLength(steps.length);
    for (const sentence of sentences) expect(sentence).toMatch(FRENCH);
    expect(sentences.some((s) => s.includes('giratoire'))).toBe(true);
    expect(sentences[sentences.length - 1]).toMatch(/Vous êtes arrivé/);
    console.log(sentences.join('\n'));
  });

  it('phrases the embedded router steps (Cahors → Figeac)', async () => {
    const route = await router.route(
      [
        [1.4419, 44.4475],
        [2.0316, 44.6086],
      ],
      { steps: true },
    );
    const sentences = frenchDirections(route.legs[0].steps ?? []);
    console.log(sentences.join('\n'));
    expect(sentences.length).toBeGreaterThan(3);
    for (const sentence of sentences) expect(sentence).toMatch(FRENCH);
    expect(sentences.some((s) => /Tourner|Continuer/.test(s))).toBe(true);
    expect(sentences[sentences.length - 1]).toMatch(/Vous êtes arrivé/);
  });

  it('phrases embedded steps through Monaco roundabouts', async () => {
    const monacoCache = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-router-directions-monaco-'));
    try {
      const monaco = await EmbeddedRouter.fromPbf(MONACO_PBF, { cacheDir: monacoCache });
      const points = parseRequest(recording('route-steps-french-needs-text').request).coordinates;
      const route = await monaco.route(points, { steps: true });
      const sentences = frenchDirections(route.legs[0].steps ?? []);
      console.log(sentences.join('\n'));
      for (const sentence of sentences) expect(sentence).toMatch(FRENCH);
    } finally {
      fs.rmSync(monacoCache, { recursive: true, force: true });
    }
  }, 60_000);
});
