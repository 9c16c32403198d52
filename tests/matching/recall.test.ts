import os from 'node:os';
import { bruteForce } from '../../services/bench/brute-force.ts';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeLegs, makeQueries, readRoutes, type RawRoute } from '../../services/bench/synthetic.ts';
import { loadConfig } from '../../services/src/config.ts';
import { LegIndex, type NearHit } from '../../services/src/matching/leg-index.ts';
import type { Leg } from '../../services/src/matching/legs.ts';
import { MAX_CROW_SPEED_KMH, Matcher, type MatchQuery } from '../../services/src/matching/matcher.ts';
import { DEFAULT_RULES } from '../../services/src/matching/rules.ts';
import { createRouter, EmbeddedRouter } from '../../services/src/routing/index.ts';
import type { LngLat, Router } from '../../services/src/routing/types.ts';

const BENCH_ROUTES =
  process.env.BENCH_ROUTES ?? path.resolve(import.meta.dirname, '../../../shared/data/bench/lot-routes-20k.ndjson.gz');

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
      const viaIndex = await matcher.match(q);
      const viaScan = await bruteForce(matcher).match(q);
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
      const scan = new Map(bruteForce(m).candidates(q).list.map((c) => [c.leg.key, c]));
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

  it('stays exact through trips added, changed and removed one by one after the bulk load', () => {
    const index = new LegIndex();
    index.load(legs.slice(0, 2500));
    for (const l of legs.slice(2500)) index.upsert(l);
    // Changed trips: the same key with the route of another leg; removed trips: every third of the first ones.
    for (let i = 0; i < 300; i++) index.upsert({ ...legs[4000 + i], key: legs[i].key, tripId: legs[i].tripId });
    for (let i = 300; i < 1500; i += 3) index.remove(legs[i].key);
    expect(index.size).toBe(legs.length - 400);
    // The same legs bulk loaded: the same candidates, at the same distances; and a subset of the scan's.
    const fresh = new LegIndex();
    fresh.load(index.legs.values());
    const m = new Matcher(index, router, () => DEFAULT_RULES, { tableBatch: 200, oneTable: false });
    const f = new Matcher(fresh, router, () => DEFAULT_RULES, { tableBatch: 200, oneTable: false });
    const keys = (list: { leg: Leg; pickup: NearHit; dropoff: NearHit }[]) =>
      list.map((c) => `${c.leg.key}/${c.pickup.distM}/${c.dropoff.alongM}`).sort();
    let compared = 0;
    for (const q of makeQueries(legs, 60, 'upserts')) {
      const viaIndex = keys(m.candidates(q).list);
      expect(viaIndex).toEqual(keys(f.candidates(q).list));
      const scan = new Set(keys(bruteForce(m).candidates(q).list));
      for (const c of viaIndex) expect(scan.has(c), c).toBe(true);
      compared += viaIndex.length;
    }
    expect(compared).toBeGreaterThan(300);
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

interface Passage {
  route: RawRoute;
  /** Metres along the route at each vertex. */
  cumM: number[];
  /** Two vertices less than 1.5 km apart, the second at least 40 km further along the route. */
  first: number;
  second: number;
}

const crowM = (a: LngLat, b: LngLat) => Math.hypot((b[0] - a[0]) * 78_000, (b[1] - a[1]) * 111_000);

/** Routes that come back near a place they passed long before (a valley, a river loop), with the widest such pair. */
function returning(routes: RawRoute[]): Passage[] {
  const out: Passage[] = [];
  for (const route of routes) {
    const c = route.c;
    const cumM = [0];
    for (let i = 1; i < c.length; i++) cumM.push(cumM[i - 1] + crowM(c[i - 1], c[i]));
    let best: Passage | undefined;
    for (let i = 0; i < c.length; i++)
      for (let j = i + 1; j < c.length; j++) {
        if (cumM[j] - cumM[i] < 40_000 || crowM(c[i], c[j]) >= 1500) continue;
        if (!best || cumM[j] - cumM[i] > best.cumM[best.second] - best.cumM[best.first])
          best = { route, cumM, first: i, second: j };
      }
    if (best) out.push(best);
  }
  return out;
}

describe('recall when thousands of trips share the same roads', () => {
  it('bounds the router from below with no road faster than the straight-line speed of the time filter', () => {
    // The time filter takes every stretch as at least its straight line at MAX_CROW_SPEED_KMH: a faster road in the
    // router would make it drop feasible drivers.
    expect(router).toBeInstanceOf(EmbeddedRouter);
    const g = (router as EmbeddedRouter).graph;
    let fastestKmh = 0;
    let instant = 0;
    for (let e = 0; e < g.edgeCount; e++) {
      if (g.edgeDurationS[e] > 0) fastestKmh = Math.max(fastestKmh, (3.6 * g.edgeLengthM[e]) / g.edgeDurationS[e]);
      else if (g.edgeLengthM[e] > 0) instant++;
    }
    expect(fastestKmh).toBeGreaterThan(60);
    expect(fastestKmh).toBeLessThanOrEqual(MAX_CROW_SPEED_KMH);
    expect(instant).toBe(0);
  });

  let passages: Passage[];
  let dense: ReturnType<typeof makeLegs>;
  let atSecondPassage: MatchQuery[];
  beforeAll(() => {
    // Sixty trips on each route that passes a place twice. A passenger between the two passages, nearer the first,
    // at the hour of the second: the nearest point of the route says "an hour too early", while the driver can take
    // them on the second passage. On these roads the router's own times also stray far from the stored ones.
    passages = returning(readRoutes(BENCH_ROUTES));
    dense = makeLegs(
      passages.map((p) => p.route),
      60,
      'dense-legs',
    );
    atSecondPassage = passages.slice(0, 40).map(({ route, cumM, first, second }, k): MatchQuery => {
      const [a, b] = [route.c[first], route.c[second]];
      const s = k % 2 ? 0.3 : 0.5;
      let drop = second;
      while (drop < route.c.length - 1 && cumM[drop] - cumM[second] < 4000) drop++;
      const minPerM = route.s / route.m / 60;
      const arrive = k % 4 === 3;
      return {
        from: [a[0] + s * (b[0] - a[0]), a[1] + s * (b[1] - a[1])],
        to: route.c[drop],
        date: '2026-11-30',
        weekdays: [],
        timeMin: Math.round(450 + (arrive ? cumM[drop] + 8000 : cumM[second]) * minPerM),
        timeKind: arrive ? 'arrive' : 'depart',
        toleranceMin: 30,
        seats: 1,
        territoryIds: null,
      };
    });
  });

  /** Proposals of the scan that the index lacks, over the requests. */
  async function againstScan(m: Matcher, queries: MatchQuery[]) {
    let expected = 0;
    let corridorMax = 0;
    const missed: string[] = [];
    for (const q of queries) {
      const viaIndex = await m.match(q);
      const viaScan = await bruteForce(m).match(q);
      corridorMax = Math.max(corridorMax, viaScan.stats.corridor);
      const found = new Set(viaIndex.proposals.map((p) => `${p.tripId}/${p.leg}`));
      for (const p of viaScan.proposals) {
        expected++;
        if (!found.has(`${p.tripId}/${p.leg}`)) missed.push(`trip ${p.tripId} (pickup ${p.pickup.time})`);
      }
      expect(viaIndex.proposals.length).toBeLessThanOrEqual(viaScan.proposals.length);
    }
    return { expected, corridorMax, missed };
  }

  it('finds every driver the brute-force scan finds, with thousands of candidates per request', async () => {
    expect(passages.length).toBeGreaterThan(40);
    const index = new LegIndex();
    index.load(dense);
    const m = new Matcher(index, router, () => DEFAULT_RULES, { tableBatch: 200, oneTable: false });
    await m.warmDirects();
    const { expected, corridorMax, missed } = await againstScan(m, [
      ...atSecondPassage,
      ...makeQueries(dense, 20, 'dense-queries'),
    ]);
    expect(missed, `${missed.length} of ${expected} drivers missed`).toEqual([]);
    expect(corridorMax).toBeGreaterThan(1000);
    expect(expected).toBeGreaterThan(2000);
  }, 120_000);

  it('finds them too with one table per batch (a remote OSRM), before and after the legs\' own times are known', async () => {
    const index = new LegIndex();
    index.load(dense.map((l) => ({ ...l, direct: undefined })));
    const m = new Matcher(index, router, () => DEFAULT_RULES, { tableBatch: 49, oneTable: true });
    const queries = atSecondPassage.filter((_, k) => k % 5 === 0);
    for (const round of ['unknown', 'known']) {
      const { expected, missed } = await againstScan(m, queries);
      expect(missed, `${round}: ${missed.length} of ${expected} drivers missed`).toEqual([]);
      expect(expected).toBeGreaterThan(200);
    }
  }, 120_000);
});
