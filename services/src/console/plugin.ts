import type { Plugin } from '../context.ts';
import type { Services } from '../context.ts';
import { auditRoutes } from './audit-routes.ts';
import { authRoutes } from './auth-routes.ts';
import { bootstrapAccounts } from './bootstrap.ts';
import { failInterruptedImports } from './feed-imports.ts';
import { feedImportRoutes } from './feed-imports-routes.ts';
import { feedRoutes } from './feeds-routes.ts';
import { mapRoutes } from './map-routes.ts';
import { consoleOptions, type ConsoleOptions } from './options.ts';
import { providerRoutes } from './providers-routes.ts';
import { sessionResolver } from './sessions.ts';
import { staticRoutes } from './static.ts';
import { statsRoutes } from './stats-routes.ts';
import { territorySetupRoutes } from './territory-setup-routes.ts';
import { userRoutes } from './users-routes.ts';

/**
 * The coordinators' console: accounts and session cookies (a principal resolver), the routes the console needs
 * beyond the core (users, audit, communes map layer, transport providers, feeds, stats) and the built app at /console.
 */
export async function consolePlugin(s: Services, overrides: Partial<ConsoleOptions> = {}): Promise<Plugin> {
  const o: ConsoleOptions = { ...consoleOptions(process.env, s.config.repoRoot), ...overrides };
  await bootstrapAccounts(s, o);
  await failInterruptedImports(s);
  return {
    resolvers: [sessionResolver(s.db, o)],
    root(_app, root) {
      authRoutes(root, s, o);
      staticRoutes(root, o);
    },
    api(api) {
      userRoutes(api, s);
      auditRoutes(api, s);
      mapRoutes(api, s);
      providerRoutes(api, s);
      // Before feedRoutes: /feeds/imports is not a feed id.
      feedImportRoutes(api, s, { tdgApiUrl: o.tdgApiUrl, allowPrivateHosts: o.allowPrivateHosts, limits: o.importLimits });
      feedRoutes(api, s);
      statsRoutes(api, s);
      territorySetupRoutes(api, s);
    },
  };
}
