import Router from '@koa/router';
import type { Plugin } from '../context.ts';
import { operatorAuth } from './auth.ts';
import { bookingRoutes } from './bookings.ts';
import { loadInteropConfig } from './config.ts';
import { bookingEventRoutes } from './events.ts';
import { journeyRoutes } from './journeys.ts';
import { messageConsoleRoutes, messageRoutes } from './messages.ts';
import { documentedAnswers, servedDocument } from './standard.ts';

export const INTEROP_PREFIX = '/interop/v1';

/**
 * The carpool interoperability standard (standard-covoiturage, fabmob) at /interop/v1: searches answered by the
 * matching core, bookings and booking events mapped onto matches, messages kept for the coordinators. Keys are
 * api_tokens with role 'integration'; /status and the OpenAPI document are open.
 */
export function interopPlugin(env: Record<string, string | undefined> = process.env): Plugin {
  const cfg = loadInteropConfig(env);
  return {
    root(app, _root, s) {
      const r = new Router({ prefix: INTEROP_PREFIX });
      r.use(documentedAnswers(INTEROP_PREFIX));
      r.get('/openapi.json', (ctx) => {
        // The address the client used (behind a trusted proxy, the one it forwards): Koa 3's ctx.origin is the Origin header.
        ctx.body = servedDocument(cfg, `${ctx.protocol}://${ctx.host}`);
      });
      r.get('/status', (ctx) => {
        ctx.body = { status: 'ok', operator: cfg.INTEROP_OPERATOR };
      });
      r.use(operatorAuth(s.db, cfg.INTEROP_RATE_LIMIT));
      for (const sub of [journeyRoutes(s, cfg), bookingRoutes(s, cfg), bookingEventRoutes(s), messageRoutes(s, cfg)]) {
        r.use(sub.routes(), sub.allowedMethods());
      }
      app.use(r.routes()).use(r.allowedMethods());
    },
    // Messages received from operators' users, for the territory's coordinators (console).
    api(api, s) {
      const sub = messageConsoleRoutes(s);
      api.use(sub.routes(), sub.allowedMethods());
    },
  };
}
