import type KoaRouter from '@koa/router';
import type Koa from 'koa';
import type { PrincipalResolver } from './auth/principal.ts';
import type { Config } from './config.ts';
import type { Db } from '@comobi/db';
import type { LegIndex } from './matching/leg-index.ts';
import type { MatchAnswer, Matcher } from './matching/matcher.ts';
import type { TripAsk } from './matching/query.ts';
import type { MatchingRules } from './matching/rules.ts';
import type { Router } from './routing/types.ts';
import type { JobRunner } from './jobs/queue.ts';

export type Log = (message: string, extra?: object) => void;

/** What every resource module receives: built once at start by main.ts (or by a test). */
export interface Services {
  config: Config;
  db: Db;
  router: Router;
  index: LegIndex;
  matcher: Matcher;
  rulesOf: (territoryId: number) => MatchingRules;
  log: Log;
  /** False until the index is loaded: /health answers 503 and so does the API. */
  ready: boolean;
  /** The PostgreSQL job queue's runner (jobs/queue.ts), started once the index is loaded. */
  jobs?: JobRunner;
  /** Transit, on-demand transport and seated-patient transport when no driver fits (set when GTFS is wired). */
  alternatives?: (ask: TripAsk, territoryIds: number[] | null, answer: MatchAnswer) => Promise<unknown>;
}

/**
 * A part of the product mounted on the app (console, public pages, interop API…): it may add principal resolvers
 * (session cookies, API keys), routes under /api (authenticated) and routes at the root (its own auth).
 */
export interface Plugin {
  resolvers?: PrincipalResolver[];
  api?: (api: KoaRouter, s: Services) => void;
  root?: (app: Koa, root: KoaRouter, s: Services) => void;
}
