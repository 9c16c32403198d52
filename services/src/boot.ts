import fs from 'node:fs';
import path from 'node:path';
import { createToken } from './domain/tokens.ts';
import type { Config } from './config.ts';
import type { Log, Services } from './context.ts';
import { openDb, type Db } from '@comobi/db';
import { migrate } from './schema.ts';
import { loadDemo, wantsDemo } from './demo/load.ts';
import { LegIndex } from './matching/leg-index.ts';
import { loadAllLegs, syncLegs } from './matching/leg-store.ts';
import { Matcher } from './matching/matcher.ts';
import { DEFAULT_RULES, rulesFrom, type MatchingRules } from './matching/rules.ts';
import { createRouter, FallbackRouter } from './routing/index.ts';
import { alternativesFor } from './transit/alternatives.ts';
import type { Router } from './routing/types.ts';
import { JobRunner } from './jobs/queue.ts';
import { matchRequestsJob } from './jobs/match-requests.ts';

export interface Booted {
  services: Services;
  /** Runs the job queue's due jobs now, then polls (the demo's requests are matched this way after a first load). */
  startJobs(): void;
  close(): Promise<void>;
}

/** With the demo and no ADMIN_TOKEN, one admin API token, shown once and kept beside the data (never in git). */
async function issueDemoAdminToken(db: Db, dataDir: string, log: Log) {
  const { token } = await createToken(db, { label: 'demo admin', role: 'admin', territoryId: null });
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'demo-admin-token.txt');
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  log('demo admin API token (shown once, also in the data folder)', { token, file });
}

/** Jobs left by a replica that stopped, or due again after a failure, are looked for this often. */
const JOBS_POLL_MS = 60_000;

async function loadRules(db: Db, into: Map<number, MatchingRules>) {
  const { rows } = await db.query<{ id: number; rules: unknown }>('SELECT id, rules FROM territories');
  into.clear();
  for (const r of rows) into.set(r.id, rulesFrom(r.rules));
}

/**
 * Everything the service needs, in order: store (migrated), router, rules, demo data on an empty store, the corridor
 * index loaded and then kept in sync. Used by main.ts and by tests, so both run the same start-up.
 */
export async function boot(config: Config, opts: { log?: Log; db?: Db; router?: Router } = {}): Promise<Booted> {
  const log: Log = opts.log ?? (() => {});
  const db = opts.db ?? (await openDb(config));
  const applied = await migrate(db);
  if (applied.length) log('migrations applied', { applied });
  const routerLog = { info: (m: string) => log(m), warn: (m: string) => log(m) };
  const primary = opts.router ?? (await createRouter(config, routerLog));
  // The fallback says when it answers in the primary's place: a router down must show in the logs.
  const router =
    primary.name === 'straight-line' ? primary : new FallbackRouter(primary, config.MATCH_DEADLINE_MS, routerLog);
  const rules = new Map<number, MatchingRules>();
  const rulesOf = (t: number) => rules.get(t) ?? DEFAULT_RULES;
  const index = new LegIndex();
  // OSRM's default max-table-size is 100 coordinates (2n + 2); in-process routers take bigger batches.
  const matcher = new Matcher(index, router, rulesOf, {
    tableBatch: primary.name === 'osrm' ? 49 : 200,
    oneTable: primary.name === 'osrm',
  });
  const services: Services = { config, db, router, index, matcher, rulesOf, log, ready: false };
  services.alternatives = (ask, territoryIds, answer) => alternativesFor(services, ask, territoryIds, answer);

  if (config.DEMO === 'auto') {
    if (await wantsDemo(db)) {
      const loaded = await loadDemo(db, router, config.repoRoot);
      log('demo territory loaded', loaded);
      if (!config.ADMIN_TOKEN) await issueDemoAdminToken(db, config.DATA_DIR, log);
    }
  }
  await loadRules(db, rules);
  const stopRules = await db.listen('comobi_territories', () => void loadRules(db, rules).catch(() => {}));
  const t0 = performance.now();
  const trips = await loadAllLegs(db, index);
  log('corridor index loaded', { trips, legs: index.size, ms: Math.round(performance.now() - t0) });
  const stopSync = await syncLegs(db, index, (m) => log(m));
  services.ready = true;
  // Jobs need the index (matching does); the caller starts them once it listens (`startJobs`): on the embedded
  // store, one connection, a job started earlier would hold the console's set-up and the first pages back.
  const jobs = new JobRunner(db, { match_requests: matchRequestsJob(services, log) }, log);
  services.jobs = jobs;
  let stopJobs = async () => {};
  // In-process routers: each leg's own duration computed once, in the background (OSRM answers it in the table).
  if (primary.name !== 'osrm') {
    void matcher.warmDirects().then(
      (n) => log('direct times warmed', { legs: n }),
      (e) => log('direct times not warmed', { error: (e as Error).message }),
    );
  }

  return {
    services,
    startJobs() {
      stopJobs = jobs.start(JOBS_POLL_MS);
    },
    async close() {
      services.ready = false;
      await stopJobs();
      await stopSync().catch(() => {});
      await stopRules().catch(() => {});
      await router.close?.();
      if (!opts.db) await db.close();
    },
  };
}
