import fs from 'node:fs';
import type { Context, Next } from 'koa';
import { HttpError } from '../http/errors.ts';
import type { InteropConfig } from './config.ts';
import { SEARCH_LIMITS } from './journeys.ts';
import { UUID_REASON } from './model.ts';

type Json = Record<string, any>;

/** The standard's document as published (standard/README.md): read once, never changed in place. */
const STANDARD: Json = JSON.parse(fs.readFileSync(new URL('./standard/openapi.json', import.meta.url), 'utf8'));
export const standardDocument = (): Json => structuredClone(STANDARD);

/** Statuses the document lists for an operation (`/bookings`, `post`), or undefined when it has no such operation. */
export function documentedStatuses(path: string, method: string): number[] | undefined {
  const responses = STANDARD.paths[path]?.[method.toLowerCase()]?.responses;
  return responses ? Object.keys(responses).map(Number) : undefined;
}

/**
 * Operators' clients are generated from the document: an answer outside the statuses it lists for the operation
 * is one they cannot read. The routes choose documented statuses themselves (a duplicate booking is a 400 with
 * its code); this net catches what comes from further down (a conflict of the workflow, a database away) and keeps
 * the code and the reason under the nearest documented status: 400 for a client error, 500 otherwise.
 */
export function documentedAnswers(prefix: string) {
  return async (ctx: Context, next: Next) => {
    // The operation, read before the chain runs (each layer of it overwrites ctx._matchedRoute with its own path).
    const route = ((ctx as { matched?: { path: unknown; methods: string[] }[] }).matched ?? [])
      .findLast((l) => l.methods.includes(ctx.method) && typeof l.path === 'string' && l.path.startsWith(prefix))?.path as string | undefined;
    try {
      await next();
    } catch (err) {
      if (!(err instanceof HttpError) || route === undefined) throw err;
      const statuses = documentedStatuses(route.slice(prefix.length).replace(/:([A-Za-z0-9_]+)/g, '{$1}'), ctx.method);
      if (!statuses || statuses.includes(err.status)) throw err;
      const status = err.status < 500 && statuses.includes(400) ? 400 : 500;
      throw new HttpError(status, err.code, err.message, err.fields, err.headers);
    }
  };
}

/**
 * /interop/v1/openapi.json: the standard's document with this server's URL in `servers`, its keys, and the limits
 * it enforces where the standard sets none (radii, time window, rate), so that a client generated from it knows
 * what will be refused.
 */
export function servedDocument(cfg: InteropConfig, baseUrl: string): Json {
  const doc = standardDocument();
  doc.info = {
    ...doc.info,
    title: `CoMobi — standard-covoiturage (${cfg.INTEROP_OPERATOR})`,
    description:
      `The carpool interoperability standard (fabmob/standard-covoiturage) as served by this CoMobi instance, operator ` +
      `${cfg.INTEROP_OPERATOR}. Keys: API tokens with the integration role, sent as X-API-Key or as a bearer token; ` +
      `${cfg.INTEROP_RATE_LIMIT} requests per minute and key. Solidarity carpooling: journeys are FREE.`,
  };
  doc.servers = [{ url: `${baseUrl}/interop/v1`, description: cfg.INTEROP_OPERATOR }];
  doc.components.securitySchemes = {
    apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    bearer: { type: 'http', scheme: 'bearer' },
  };
  doc.security = [{ apiKey: [] }, { bearer: [] }];
  doc.paths['/status'].get.security = [];
  const p = doc.components.parameters;
  for (const name of ['departureRadius', 'arrivalRadius']) Object.assign(p[name].schema, { minimum: 0, maximum: SEARCH_LIMITS.maxRadiusKm });
  Object.assign(p.timeDelta.schema, { minimum: 0, maximum: SEARCH_LIMITS.maxTimeDeltaS });
  Object.assign(p.count.schema, { minimum: 0 });
  p.departureWeekdays.description += ' Also accepted repeated (departureWeekdays=MON&departureWeekdays=TUE).';
  // The standard writes this array's default as the string it is sent as: validators and generators want an array.
  if (typeof p.departureWeekdays.schema.default === 'string') p.departureWeekdays.schema.default = p.departureWeekdays.schema.default.split(',');
  doc.components.schemas.bookingId.description += ` This server accepts any 8-4-4-4-12 hexadecimal id (${UUID_REASON}).`;
  doc.components.responses.TooManyRequests.description += ` Limit: ${cfg.INTEROP_RATE_LIMIT} requests per minute and key.`;
  return doc;
}
