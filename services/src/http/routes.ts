import type Koa from 'koa';

export interface RouteEntry {
  /** OpenAPI form of the path: `/api/people/{id}` for `/api/people/:id`. */
  path: string;
  method: string;
}

interface Layer {
  path: string | RegExp;
  methods: string[];
}

/**
 * Every route the app answers, read from the @koa/router stacks its middleware carries (`router.routes()` keeps a
 * reference to its router; nested routers are already flattened into their parent's stack, prefixes included).
 * Middleware-only layers (`router.use`) have no method and are left out, as are HEAD (implied by GET) and OPTIONS.
 */
export function registeredRoutes(app: Koa): RouteEntry[] {
  const seen = new Map<string, RouteEntry>();
  for (const mw of app.middleware as ((...a: unknown[]) => unknown)[]) {
    const router = (mw as { router?: { stack: Layer[] } }).router;
    if (!router) continue;
    for (const layer of router.stack) {
      if (typeof layer.path !== 'string') continue;
      for (const m of layer.methods) {
        if (m === 'HEAD' || m === 'OPTIONS') continue;
        const path = layer.path.replace(/:([A-Za-z0-9_]+)(\([^)]*\))?\??/g, '{$1}');
        seen.set(`${m} ${path}`, { path, method: m.toLowerCase() });
      }
    }
  }
  return [...seen.values()];
}

/** A path template with its parameter names left out: `/osrm/route/v1/{profile}/{coordinates}` → `/osrm/route/v1/{}/{}`. */
export const pathShape = (template: string) => template.replace(/\{[^}]*\}/g, '{}');
