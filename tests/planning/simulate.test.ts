import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeScenario, readCommunes } from '../../services/src/simulate/calibration.ts';
import { report, simulate, type SimulationResult } from '../../services/src/simulate/run.ts';
import { addDays } from '../../services/src/time/days.ts';
import { ADMIN_TOKEN, startServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
// A short replay: four weekdays of trips (and the calls that come before them), on the real service and its API,
// from a Monday (the same instance whatever the day the test runs), with demand × 3 so that it has round trips
// served both ways and round trips called off for want of a leg (the calibrated month has them; four days not).
const monday = (() => {
  const d = new Date(`${addDays(new Date().toISOString().slice(0, 10), 2)}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7));
  return d.toISOString().slice(0, 10);
})();
const opts = { seed: '7', from: monday, days: 4, demandFactor: 3 };
let first: SimulationResult;
let second: SimulationResult;

beforeAll(async () => {
  srv = await startServer();
  first = await simulate(srv.booted, ADMIN_TOKEN, opts, 'ta');
  second = await simulate(srv.booted, ADMIN_TOKEN, opts, 'tb');
}, 600_000);
afterAll(async () => srv?.close());

describe('npm run simulate (a short replay)', () => {
  it('replays the calibrated scenario: every request ends served or with a coded reason', () => {
    const sc = makeScenario(readCommunes(srv.config.repoRoot), opts);
    expect(first.scenario.drivers).toBe(331);
    // The demo's volunteers are supply too (fixtures/demo-lot-volunteers.json).
    expect(first.scenario.volunteers).toBe(3);
    for (const r of [first.perRequest, first.batch]) {
      expect(r.requests).toBe(sc.requests.length);
      expect(r.requests).toBeGreaterThan(0);
      expect(r.served).toBeLessThanOrEqual(r.requests);
      expect(r.served + Object.values(r.unserved).reduce((a, b) => a + b, 0)).toBe(r.requests);
      // A round trip served carries the passenger both ways: two legs.
      expect(r.tripsDone).toBe(r.served + r.roundTripsBothWays);
      expect(r.byVolunteer).toBeLessThanOrEqual(r.tripsDone);
      expect(r.roundTripsBothWays).toBeLessThanOrEqual(r.roundTrips);
    }
    // The batch strategy computes plans through POST /api/plans; per-request never does.
    expect(first.batch.plans).toBeGreaterThan(0);
    expect(first.perRequest.plans).toBe(0);
  });

  it('enters a round trip as one request with its return, served only when both legs are', async () => {
    const sc = makeScenario(readCommunes(srv.config.repoRoot), opts);
    const rounds = sc.requests.filter((a) => a.returnTime).length;
    expect(rounds).toBeGreaterThan(0);
    const calledOff: Record<string, number> = {};
    for (const [strategy, r] of [['per-request', first.perRequest], ['batch', first.batch]] as const) {
      expect(r.roundTrips).toBe(rounds);
      // As the service recorded them: one request a round trip, with its return; its legs' matches.
      const { rows } = await srv.booted.services.db.query<{
        status: string; round: boolean; doneLegs: string[] | null; volunteerDone: boolean; held: number; oneWayOff: number;
      }>(
        `SELECT r.status, r.return_min IS NOT NULL AS round,
           array_agg(DISTINCT m.request_leg) FILTER (WHERE m.status = 'done') AS "doneLegs",
           COALESCE(bool_or(m.status = 'done' AND m.volunteer_id IS NOT NULL), false) AS "volunteerDone",
           count(m.id) FILTER (WHERE m.status IN ('accepted', 'confirmed'))::int AS held,
           count(m.id) FILTER (WHERE m.status = 'cancelled' AND m.status_reason = 'other')::int AS "oneWayOff"
         FROM requests r JOIN territories t ON t.id = r.territory_id LEFT JOIN matches m ON m.request_id = r.id
         WHERE t.slug = $1 GROUP BY r.id`,
        [`sim-ta-${strategy}`],
      );
      expect(rows.length).toBe(r.requests);
      expect(rows.filter((x) => x.round).length).toBe(rounds);
      expect(rows.filter((x) => x.status === 'served').length).toBe(r.served);
      const served = rows.filter((x) => x.round && x.status === 'served');
      expect(served.length).toBe(r.roundTripsBothWays);
      // Served both ways: a commuter (or two) on each leg, or a volunteer's outing there and back.
      for (const x of served) expect(x.volunteerDone || x.doneLegs?.length === 2, JSON.stringify(x)).toBe(true);
      // A round trip with one way only is never driven, and its accepted leg holds no seat once it is closed.
      expect(rows.filter((x) => x.round && x.status !== 'served' && x.doneLegs?.length)).toEqual([]);
      expect(rows.filter((x) => x.status === 'unserved' && x.held > 0)).toEqual([]);
      // Cancelled for want of a way back: only round trips, closed unserved.
      for (const x of rows.filter((y) => y.oneWayOff > 0)) expect([x.round, x.status]).toEqual([true, 'unserved']);
      calledOff[strategy] = rows.filter((y) => y.oneWayOff > 0).length;
    }
    // This instance has both: round trips served both ways, and (per-request) one whose outbound driver had said
    // yes but whose return found nobody, called off and counted unserved, not half served.
    expect(first.perRequest.roundTripsBothWays + first.batch.roundTripsBothWays).toBeGreaterThan(0);
    expect(calledOff['per-request']).toBeGreaterThan(0);
  });

  it('gives both strategies the same demand, as the service recorded it', () => {
    expect(first.perRequest.demandDigest).toMatch(/^[0-9a-f]{16}$/);
    expect(first.batch.demandDigest).toBe(first.perRequest.demandDigest);
  });

  it('is deterministic for a seed (a second run on fresh territories gives the same figures)', () => {
    const figures = (r: SimulationResult) => ({ ...r, setupMs: 0, replayMs: 0 });
    expect(figures(second)).toEqual(figures(first));
  });

  it('ends with the served share line', () => {
    const lines = report(first);
    const last = lines[lines.length - 1];
    expect(last).toMatch(/^served share: per-request \d+\.\d %, batch \d+\.\d % \(ratio (\d+\.\d\d|∞)\)$/);
    const share = (n: number, d: number) => ((100 * n) / d).toFixed(1);
    expect(last).toContain(`per-request ${share(first.perRequest.served, first.perRequest.requests)} %`);
    expect(last).toContain(`batch ${share(first.batch.served, first.batch.requests)} %`);
  });

  it('refuses bad options before booting anything, naming the option', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'services/src/simulate/cli.ts', ...args], {
        cwd: srv.config.repoRoot,
        encoding: 'utf8',
      });
    for (const [args, said] of [
      [['--territory', 'correze'], '--territory'],
      [['--days', '0'], '--days'],
      [['--speed', '2'], 'unknown option --speed'],
    ] as const) {
      const r = run(...args);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(said);
    }
  }, 120_000);
});
