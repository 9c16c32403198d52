import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import { authenticate } from './auth/middleware.ts';
import { bearerResolver } from './auth/tokens.ts';
import type { Plugin, Services } from './context.ts';
import { compressMiddleware } from './http/compress.ts';
import { errorMiddleware } from './http/error-middleware.ts';
import { inputGuard } from './http/input-guard.ts';
import { registeredRoutes } from './http/routes.ts';
import { openapiDocument } from './openapi.ts';
import { matchCreateRoutes } from './resources/matches/create.ts';
import { matchRoutes } from './resources/matches/match-route.ts';
import { matchResourceRoutes } from './resources/matches/routes.ts';
import { noteRoutes } from './resources/notes/routes.ts';
import { peopleRoutes } from './resources/people/routes.ts';
import { planRoutes } from './resources/plans/routes.ts';
import { recruitingRoutes } from './resources/recruiting/routes.ts';
import { placeRoutes } from './resources/places/routes.ts';
import { requestRoutes } from './resources/requests/routes.ts';
import { territoryRoutes } from './resources/territories/routes.ts';
import { tokenRoutes } from './resources/tokens/routes.ts';
import { tripRoutes } from './resources/trips/routes.ts';
import { volunteerDocumentRoutes } from './resources/volunteers/documents.ts';
import { volunteerRoutes } from './resources/volunteers/routes.ts';
import { costRoutes } from './resources/costs/routes.ts';
import { tusRoutes } from './resources/tus/routes.ts';
import { osrmRoutes } from './routing/osrm-endpoints.ts';
import { clientAddressMiddleware, trustedProxies } from './security/client-address.ts';

export function createApp(s: Services, plugins: Plugin[] = []): Koa {
  // `proxy: true` lets Koa read X-Forwarded-Proto and -Host, which the first middleware keeps only from trusted
  // proxies; it also sets ctx.ip itself (Koa's own choice, the leftmost X-Forwarded-For, is the client's to write).
  const app = new Koa({ proxy: true });
  app.use(clientAddressMiddleware(trustedProxies(s.config.TRUSTED_PROXIES)));
  app.use(compressMiddleware());
  app.use(errorMiddleware(s.log));
  app.use(async (ctx, next) => {
    // Readiness: until the index is loaded, answers would miss drivers.
    if (!s.ready && ctx.path !== '/health') {
      ctx.status = 503;
      ctx.set('Retry-After', '2');
      ctx.body = { error: 'unavailable', message: 'starting', fields: [] };
      return;
    }
    await next();
  });
  // Not strict: arrays and scalars are parsed alike, and the input guard refuses both with one answer.
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: s.config.BODY_LIMIT, encoding: 'utf-8', jsonStrict: false }));
  app.use(inputGuard());

  const root = new Router();
  root.get('/health', async (ctx) => {
    if (!s.ready) {
      ctx.status = 503;
      ctx.body = { status: 'starting' };
      return;
    }
    try {
      await s.db.query('SELECT 1');
    } catch {
      ctx.status = 503;
      ctx.body = { status: 'database_unavailable' };
      return;
    }
    ctx.body = { status: 'ok' };
  });
  // The routes mounted, read from the routers once they are all in place (the first request comes after).
  let documented: ReturnType<typeof openapiDocument> | undefined;
  root.get('/api/openapi.json', (ctx) => {
    documented ??= openapiDocument(registeredRoutes(app));
    ctx.body = documented;
  });
  for (const pl of plugins) pl.root?.(app, root, s);
  app.use(root.routes()).use(root.allowedMethods());
  app.use(osrmRoutes(s.router).routes());

  const api = new Router({ prefix: '/api' });
  api.use(authenticate([...plugins.flatMap((p) => p.resolvers ?? []), bearerResolver(s.db, s.config.ADMIN_TOKEN)]));
  for (const routes of [
    territoryRoutes,
    peopleRoutes,
    tripRoutes,
    requestRoutes,
    matchResourceRoutes,
    matchCreateRoutes,
    matchRoutes,
    planRoutes,
    recruitingRoutes,
    tokenRoutes,
    placeRoutes,
    volunteerRoutes,
    noteRoutes,
    volunteerDocumentRoutes,
    costRoutes,
    tusRoutes,
  ]) {
    const r = routes(s);
    api.use(r.routes(), r.allowedMethods());
  }
  for (const pl of plugins) pl.api?.(api, s);
  app.use(api.routes()).use(api.allowedMethods());
  return app;
}
