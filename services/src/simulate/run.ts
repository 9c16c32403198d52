import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../app.ts';
import type { Booted } from '../boot.ts';
import { makeScenario, readCommunes, readVolunteers, REQUESTS_PER_MONTH, DRIVERS, TRIP_KM, ROUND_TRIP_SHARE, ANSWERS, CANCEL_SHARE, MAX_CALLS, type Scenario } from './calibration.ts';
import { replayStrategy, CALL_WINDOW_DAYS, HORIZON_DAYS, PLAN_ROUNDS, type Api, type StrategyResult, type UnservedCode } from './replay.ts';
import { setUpTerritories } from './setup.ts';

export interface SimulationOptions {
  seed: string;
  /** Asks × this (sensitivity only; 1 is the calibrated instance). */
  demandFactor?: number;
  from: string;
  days: number;
}

export interface SimulationResult {
  scenario: { seed: string; demandFactor: number; from: string; days: number; drivers: number; volunteers: number; asks: number };
  perRequest: StrategyResult;
  batch: StrategyResult;
  setupMs: number;
  replayMs: number;
}

/**
 * One replay on a booted service: the scenario of the seed, its two territories, then each strategy through the
 * service's HTTP API on loopback (the same app `npm start` serves) with the admin token.
 */
export async function simulate(booted: Booted, adminToken: string, o: SimulationOptions, runId: string): Promise<SimulationResult> {
  const s = booted.services;
  const t0 = performance.now();
  const sc: Scenario = makeScenario(readCommunes(s.config.repoRoot), o, readVolunteers(s.config.repoRoot));
  const territories = await setUpTerritories(s.db, s.router, s.index, s.config.repoRoot, sc, runId);
  const setupMs = performance.now() - t0;
  const app = createApp(s);
  const server: Server = await new Promise((resolve) => {
    const srv = app.listen(0, '127.0.0.1', () => resolve(srv));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const api: Api = async (method, path, body) => {
    const r = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  };
  try {
    const t1 = performance.now();
    const [perRequest, batch] = [
      await replayStrategy(api, sc, territories.find((t) => t.strategy === 'per-request')!),
      await replayStrategy(api, sc, territories.find((t) => t.strategy === 'batch')!),
    ];
    return {
      scenario: { seed: o.seed, demandFactor: sc.demandFactor, from: o.from, days: o.days, drivers: sc.drivers.length, volunteers: sc.volunteers.length, asks: sc.requests.length },
      perRequest,
      batch,
      setupMs,
      replayMs: performance.now() - t1,
    };
  } finally {
    await new Promise((r) => server.close(r));
  }
}

const pct = (n: number, d: number) => (d ? (100 * n) / d : 0);
const fr1 = (x: number) => x.toFixed(1);
export const servedShare = (r: StrategyResult) => pct(r.served, r.requests);
export const ratioOf = (res: SimulationResult) =>
  res.perRequest.served ? res.batch.served / res.perRequest.served : res.batch.served ? Infinity : 1;

/** The report: calibration, then both strategies side by side; the last line is the one scripts read. */
export function report(res: SimulationResult): string[] {
  const { perRequest: a, batch: b } = res;
  const lines: string[] = [];
  const row = (label: string, x: string, y: string) => lines.push(`${label.padEnd(42)}${x.padStart(14)}${y.padStart(14)}`);
  lines.push(
    `# replay: Lot, ${res.scenario.from} + ${res.scenario.days} days, seed ${res.scenario.seed}: ${res.scenario.drivers} drivers, ${res.scenario.volunteers} volunteers, ${res.scenario.asks} requests`,
  );
  if (res.scenario.demandFactor !== 1)
    lines.push(`# SENSITIVITY RUN: demand × ${res.scenario.demandFactor}, not the calibrated instance`);
  lines.push(
    `# calibration (Lot'Ô car 2019, see services/src/simulate/calibration.ts): ${DRIVERS} drivers, ${fr1(REQUESTS_PER_MONTH)} requests a month, trips ~${TRIP_KM} km,`,
  );
  lines.push(
    `#   round trips ${ROUND_TRIP_SHARE * 100} % (one request with its return, served only both ways), answers accept ${ANSWERS.accept * 100} % / decline ${ANSWERS.decline * 100} % / no answer ${ANSWERS.noAnswer * 100} %, cancellations ${CANCEL_SHARE * 100} %, at most ${MAX_CALLS} calls a leg`,
  );
  lines.push(
    `#   volunteers: the demo's ${res.scenario.volunteers} (fixtures/demo-lot-volunteers.json; Lot'Ô car had none, no Lot figure is published), answering as commuters do`,
  );
  lines.push(
    `#   batch: a plan of the next ${HORIZON_DAYS} days every day, drivers called for the next ${CALL_WINDOW_DAYS} days, up to ${PLAN_ROUNDS} plans a day`,
  );
  lines.push(`# demand digest: per-request ${a.demandDigest}, batch ${b.demandDigest}${a.demandDigest === b.demandDigest ? ' (identical)' : ' (DIFFERENT)'}`);
  row('', 'per-request', 'batch');
  row('requests (a round trip one)', String(a.requests), String(b.requests));
  row('served', `${a.served} (${fr1(servedShare(a))} %)`, `${b.served} (${fr1(servedShare(b))} %)`);
  row('trips done (passenger legs)', String(a.tripsDone), String(b.tripsDone));
  row('  of which by a volunteer', String(a.byVolunteer), String(b.byVolunteer));
  row('round trips served both ways', `${a.roundTripsBothWays} / ${a.roundTrips}`, `${b.roundTripsBothWays} / ${b.roundTrips}`);
  row('km shared (passenger-km)', String(a.kmShared), String(b.kmShared));
  row('CO2 avoided (kg CO2e)', String(a.co2AvoidedKg), String(b.co2AvoidedKg));
  for (const code of Object.keys(a.unserved) as UnservedCode[])
    row(`unserved: ${code}`, String(a.unserved[code]), String(b.unserved[code]));
  row('driver calls', String(a.driverCalls), String(b.driverCalls));
  row('plans computed', String(a.plans), String(b.plans));
  row('  day plans serving more than greedy', '–', `${b.plansWithGain} (+${b.planGain} requests)`);
  row(
    'coordinator actions per served request',
    a.served ? fr1(a.coordinatorActions / a.served) : '–',
    b.served ? fr1(b.coordinatorActions / b.served) : '–',
  );
  lines.push(`# set-up ${(res.setupMs / 1000).toFixed(1)} s, replay ${(res.replayMs / 1000).toFixed(1)} s`);
  lines.push(
    `served share: per-request ${fr1(servedShare(a))} %, batch ${fr1(servedShare(b))} % (ratio ${Number.isFinite(ratioOf(res)) ? ratioOf(res).toFixed(2) : '∞'})`,
  );
  return lines;
}
