import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { EmbeddedRouter, type RouterLog } from './embedded/index.ts';
import { OsrmRouter } from './osrm-client.ts';
import { StraightLineRouter } from './straight-line.ts';
import type { LngLat, RouteOptions, RouteResult, Router, TableResult } from './types.ts';
import { RouterError } from './types.ts';

export type { RouterLog } from './embedded/index.ts';
export { EmbeddedRouter } from './embedded/index.ts';
export { OsrmRouter } from './osrm-client.ts';
export { StraightLineRouter } from './straight-line.ts';

/**
 * The router for this configuration: a real OSRM when OSRM_URL is set, else the embedded router on ROAD_NETWORK,
 * else (ROAD_NETWORK=none, missing or unreadable file) straight-line estimates.
 */
export async function createRouter(config: Config, log?: RouterLog): Promise<Router> {
  if (config.OSRM_URL) {
    log?.info(`router: OSRM at ${config.OSRM_URL} (profile ${config.OSRM_PROFILE})`);
    return new OsrmRouter({ baseUrl: config.OSRM_URL, profile: config.OSRM_PROFILE, timeoutMs: config.OSRM_TIMEOUT_MS });
  }
  const network = config.ROAD_NETWORK;
  if (network && network !== 'none') {
    if (fs.existsSync(network)) {
      try {
        return await EmbeddedRouter.fromPbf(network, { cacheDir: path.join(config.DATA_DIR, 'router-cache'), log });
      } catch (err) {
        log?.warn(`router: cannot build the road graph from ${network} (${String(err)}); using straight-line estimates`);
      }
    } else {
      log?.warn(`router: road network ${network} not found; using straight-line estimates`);
    }
  } else {
    log?.info('router: ROAD_NETWORK=none; using straight-line estimates');
  }
  return new StraightLineRouter();
}

/**
 * Answers within a deadline: when the primary router fails or is slower than `deadlineMs`, the answer comes from
 * the straight-line router and says so (`approximate: true`). The late primary answer is dropped.
 */
export class FallbackRouter implements Router {
  readonly name: Router['name'];
  readonly approximate: boolean;
  private readonly fallback = new StraightLineRouter();

  constructor(
    private readonly primary: Router,
    private readonly deadlineMs: number,
    private readonly log?: RouterLog,
  ) {
    this.name = primary.name;
    this.approximate = primary.approximate;
  }

  private async withDeadline<T extends RouteResult | TableResult>(
    what: string,
    primary: () => Promise<T>,
    fallback: () => Promise<T>,
  ): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new RouterError(`${this.primary.name} ${what} exceeded ${this.deadlineMs} ms`, 'Timeout')),
        this.deadlineMs,
      );
    });
    try {
      return await Promise.race([primary(), deadline]);
    } catch (err) {
      const code = err instanceof RouterError ? err.code : 'RouterError';
      this.log?.warn(`router: ${this.primary.name} ${what} failed (${code}: ${(err as Error).message}); answering with straight-line estimates`);
      return { ...(await fallback()), approximate: true };
    } finally {
      clearTimeout(timer);
    }
  }

  route(points: LngLat[], options?: RouteOptions): Promise<RouteResult> {
    return this.withDeadline(
      'route',
      () => this.primary.route(points, options),
      () => this.fallback.route(points),
    );
  }

  table(sources: LngLat[], destinations: LngLat[]): Promise<TableResult> {
    return this.withDeadline(
      'table',
      () => this.primary.table(sources, destinations),
      () => this.fallback.table(sources, destinations),
    );
  }

  async close(): Promise<void> {
    await this.primary.close?.();
  }
}
