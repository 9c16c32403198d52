import type { Plugin } from '../context.ts';
import { privacyApiRoutes } from '../privacy/routes.ts';
import { scheduleRetention } from '../privacy/retention.ts';
import { securityHeaders } from '../security/headers.ts';
import { statsApiRoute } from '../stats/routes.ts';
import { assets } from './assets.ts';
import { loadPublicConfig } from './config.ts';
import { FranceConnect } from './franceconnect.ts';
import { publicRoutes } from './routes/index.ts';

/**
 * The public side: DSFR pages at the root, FranceConnect login, public statistics (/stats, /api/stats), personal data
 * rights (citizen pages, and export/erasure for coordinators under /api), security headers, the daily retention job.
 * Configuration comes from the environment (see config.ts), parsed once here.
 */
export function publicPlugin(env: Record<string, string | undefined> = process.env): Plugin {
  const c = loadPublicConfig(env);
  const fc = c.franceConnect ? new FranceConnect(c.franceConnect) : null;
  return {
    root(app, root, s) {
      app.use(securityHeaders({ formActionOrigins: fc ? [fc.issuerOrigin] : [] }));
      app.use(assets());
      statsApiRoute(root, s);
      publicRoutes(root, s, c, fc);
      if (c.RETENTION_JOB === 'daily') scheduleRetention(s.db, c.RETENTION_MONTHS, s.log);
    },
    api(api, s) {
      privacyApiRoutes(api, s);
    },
  };
}
