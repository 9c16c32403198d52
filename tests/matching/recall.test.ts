import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeLegs, makeQueries, readRoutes } from '../../services/bench/synthetic.ts';
import { loadConfig } from '../../services/src/config.ts';
import { LegIndex } from '../../services/src/matching/leg-index.ts';
import { Matcher } from '../../services/src/matching/matcher.ts';
import { DEFAULT_RULES } from '../../services/src/matching/rules.ts';
import { createRouter } from '../../services/src/routing/index.ts';
import type { Router } from '../../services/src/routing/types.ts';

const BENCH_ROUTES = path.resolve(import.meta.dirname, '../../../shared/data/bench/lot-routes-20k.ndjson.gz');

let router: Router;
let matcher: Matcher;
let legs: ReturnType<typeof makeLegs>;

beforeAll(async () => {
  const config = loadConfig({ DATA_DIR: path.join(os.tmpdir(), 'comobi-test-data') });
  router = await createRouter(config);
  expect(router.name).toBe('embedded');
  legs = makeLegs(readRoutes(BENCH_ROUTES).slice(0, 2500), 2, 'recall-legs');
  const index = new LegIndex();
  index.load(legs);
  matcher = new Matcher(index, router, () => DEFAULT_RULES, { tableBatch: 200, oneTable: false });
});

describe('recall of the corridor index against brute force', () => {
  it('finds exactly the drivers that a scan of every trip finds, under the same rules', async () => {
    const queries = makeQueries(legs, 150, 'recall-queries');
    let found = 0;
    let nonEmpty = 0;
    for (const q of queries) {
      const viaIndex = await matcher.match(q, 'index');
      const viaScan = await matcher.match(q, 'scan');
      const key = (p: { tripId: number; leg: string; detourS: number; pickup: { time: string } }) =>
        `${p.tripId}/${p.leg}/${p.detourS}/${p.pickup.time}`;
      expect(viaIndex.proposals.map(key).sort()).toEqual(viaScan.proposals.map(key).sort());
      // The scan routes every trip that passes corridor, order, day and seats: the index's time pre-check dropped
      // none that the exact rules would keep.
      expect(viaScan.stats.routed).toBeGreaterThanOrEqual(viaIndex.stats.routed);
      found += viaIndex.proposals.length;
      if (viaIndex.proposals.length) nonEmpty++;
    }
    // The check is only worth something if many requests do have drivers.
    expect(nonEmpty).toBeGreaterThan(40);
    expect(found).toBeGreaterThan(100);
  });

  it('gives each candidate the same nearest points as the scan, for dated and recurring requests, bookings and seats', () => {
    // A fresh index (its buffers grow during these queries), some seats booked, some requests recurring or for two.
    const booked = legs.map((l, i) => ({ ...l, bookedByDate: new Map(i % 7 === 0 ? [['2026-12-01', l.seats]] : []) }));
    const index = new LegIndex();
    index.load(booked);
    const m = new Matcher(index, router, () => DEFAULT_RULES, { tableBatch: 200, oneTable: false });
    let compared = 0;
    makeQueries(booked, 120, 'positions').forEach((q0, i) => {
      const q =
        i % 3 === 1
          ? { ...q0, date: null, weekdays: [1 + (i % 7), 1 + ((i + 3) % 7)] }
          : i % 3 === 2
            ? { ...q0, seats: 2, passengerId: booked[i].driverId }
            : q0;
      const scan = new Map(m.candidates(q, 'scan').list.map((c) => [c.leg.key, c]));
      for (const c of m.candidates(q).list) {
        const s = scan.get(c.leg.key);
        expect(s, `leg ${c.leg.key} is not a candidate of the scan`).toBeDefined();
        expect([c.pickup.distM, c.pickup.alongM, c.dropoff.distM, c.dropoff.alongM]).toEqual([
          s!.pickup.distM,
          s!.pickup.alongM,
          s!.dropoff.distM,
          s!.dropoff.alongM,
        ]);
        expect(c.weekdays).toEqual(s!.weekdays);
        compared++;
      }
    });
    expect(compared).toBeGreaterThan(1000);
  });

  it('ranks proposals best first, every one within the detour rules', async () => {
    for (const q of makeQueries(legs, 40, 'ranking')) {
      const { proposals } = await matcher.match(q);
      for (let i = 1; i < proposals.length; i++)
        expect(proposals[i - 1].score).toBeGreaterThanOrEqual(proposals[i].score);
      for (const p of proposals) {
        expect(p.detourS).toBeLessThanOrEqual(DEFAULT_RULES.maxDetourMin * 60);
        expect(p.pickupOffRouteM).toBeLessThanOrEqual(DEFAULT_RULES.corridorM);
        expect(p.dropoffOffRouteM).toBeLessThanOrEqual(DEFAULT_RULES.corridorM);
      }
    }
  });
});
