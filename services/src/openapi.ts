import { z } from 'zod';
import { needsDateOrWeekdays, tripAsk } from './matching/query.ts';
import { rulesSchema } from './matching/rules.ts';
import { TOKEN_ROLES } from './domain/tokens.ts';
import { notePaths, noteSchemas } from './resources/notes/openapi.ts';
import { placePaths, placeSchemas } from './resources/places/openapi.ts';
import { matchBody } from './resources/matches/match-route.ts';
import { tokenBody } from './resources/tokens/routes.ts';
import { volunteerPaths, volunteerSchema } from './resources/volunteers/openapi.ts';
import { tusPaths } from './resources/tus/openapi.ts';
import { pathShape, type RouteEntry } from './http/routes.ts';

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

const error = {
  type: 'object',
  required: ['error', 'message', 'fields'],
  properties: {
    error: {
      type: 'string',
      description: 'stable code: invalid_input, not_found, conflict, unauthorized, forbidden, unavailable…',
    },
    message: { type: 'string' },
    fields: {
      type: 'array',
      items: { type: 'object', properties: { field: { type: 'string' }, reason: { type: 'string' } } },
    },
  },
};

const stop = {
  type: 'object',
  properties: {
    lng: { type: 'number' },
    lat: { type: 'number' },
    time: { type: 'string', pattern: '^\\d{2}:\\d{2}$' },
  },
};
const proposal = {
  type: 'object',
  required: ['kind', 'tripId', 'driverId', 'pickup', 'dropoff', 'detourS', 'detourM', 'score', 'participationEur', 'allowanceEur'],
  properties: {
    kind: { enum: ['carpool', 'volunteer'], description: 'a commuter’s trip passing by, or a volunteer driving from home on purpose' },
    tripId: { anyOf: [{ type: 'integer' }, { type: 'null' }], description: 'the commuter’s trip; null for a volunteer' },
    volunteerId: { type: 'integer', description: 'volunteers: the person driving (also driverId)' },
    participationEur: { type: 'number', description: 'what the passenger pays, by the territory’s cost rules' },
    allowanceEur: { anyOf: [{ type: 'number' }, { type: 'null' }], description: 'the volunteer’s mileage allowance, home back to home; null for a commuter' },
    volunteerDistanceM: { type: 'integer', description: 'volunteers: the whole trip on the road, home → home (their extra kilometres)' },
    leaveHome: { type: 'string' },
    backHome: { type: 'string' },
    returnPlan: { enum: ['none', 'waits', 'goes_home'] },
    waitMin: { anyOf: [{ type: 'integer' }, { type: 'null' }] },
    recentAsks: { type: 'integer', description: 'volunteers: how often asked over the last 30 days (ties go to the least asked)' },
    sharedM: { type: 'integer', description: 'commuters: the passenger’s road distance pickup → drop-off' },
    driverId: { type: 'integer' },
    territoryId: { type: 'integer' },
    leg: { enum: ['outbound', 'return'] },
    pickup: stop,
    dropoff: stop,
    detourS: { type: 'integer' },
    detourM: { type: 'integer' },
    score: { type: 'number', minimum: 0, maximum: 1 },
    driverDepartureTime: { type: 'string' },
    seatsFree: { type: 'integer' },
    directContact: { type: 'boolean' },
    weekdays: { type: 'array', items: { type: 'integer' } },
    pickupOffRouteM: { type: 'integer' },
    dropoffOffRouteM: { type: 'integer' },
  },
};

const err = {
  description: 'error',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};
const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((n) => [n, err]));
const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1, maximum: 2147483647 } }];
const listParams = [
  { name: 'sort', in: 'query', schema: { type: 'string' }, example: '["id","ASC"]' },
  { name: 'range', in: 'query', schema: { type: 'string' }, example: '[0,24]' },
  { name: 'filter', in: 'query', schema: { type: 'string' }, example: '{}' },
];
type Op = Record<string, unknown>;
const list = (tag: string, summary: string): Op => ({
  tags: [tag], summary: `${summary} (react-admin simple-rest: Content-Range header)`, parameters: listParams,
  responses: { 200: { description: 'list' }, ...errors(400, 401, 403) },
});
const one = (tag: string, summary: string, extra: Op = {}): Op => ({
  tags: [tag], summary, parameters: idParam, responses: { 200: { description: tag }, ...errors(400, 401, 403, 404) }, ...extra,
});
const create = (tag: string, summary: string): Op => ({
  tags: [tag], summary, responses: { 201: { description: 'created' }, ...errors(400, 401, 403, 409) },
});

/** One resource in the react-admin simple-rest form: list and create, read, update and delete one by id. */
const crud = (name: string, tag: string, ops: { create?: boolean; update?: boolean; remove?: string | false } = {}) => ({
  [`/api/${name}`]: {
    get: list(tag, `List ${name}`),
    ...(ops.create === false ? {} : { post: create(tag, `Create a ${tag}`) }),
  },
  [`/api/${name}/{id}`]: {
    get: one(tag, `One ${tag}`),
    ...(ops.update === false ? {} : { put: one(tag, `Update a ${tag}`, { responses: { 200: { description: 'updated' }, ...errors(400, 401, 403, 404, 409) } }) }),
    ...(ops.remove === false
      ? {}
      : { delete: one(tag, ops.remove ?? `Delete a ${tag}`, { responses: { 200: { description: 'deleted' }, ...errors(400, 401, 403, 404, 409) } }) }),
  },
});

const dateTime = { type: 'string', format: 'date-time' };
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
const token = {
  type: 'object',
  required: ['id', 'label', 'role', 'territoryId', 'createdAt', 'createdBy', 'lastUsedAt', 'revokedAt', 'revokedBy'],
  properties: {
    id: { type: 'integer' },
    label: { type: 'string' },
    role: { enum: TOKEN_ROLES },
    territoryId: nullable({ type: 'integer' }),
    createdAt: dateTime,
    createdBy: nullable({ type: 'string' }),
    lastUsedAt: nullable(dateTime),
    revokedAt: nullable(dateTime),
    revokedBy: nullable({ type: 'string' }),
  },
};

/** API tokens: admins only; the secret is in the creation's answer and nowhere else. */
const tokenPaths = () => {
  const err = {
    description: 'error',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
  const one = (description: string) => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Token' } } },
  });
  const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }];
  return {
    '/api/tokens': {
      get: {
        tags: ['token'],
        summary: 'List API tokens (react-admin simple-rest: Content-Range header); never the secret',
        parameters: [
          { name: 'sort', in: 'query', schema: { type: 'string' }, example: '["createdAt","DESC"]' },
          { name: 'range', in: 'query', schema: { type: 'string' }, example: '[0,24]' },
          { name: 'filter', in: 'query', schema: { type: 'string' }, example: '{"revoked":false}' },
        ],
        responses: {
          200: {
            description: 'tokens',
            content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Token' } } } },
          },
          400: err,
          401: err,
          403: err,
        },
      },
      post: {
        tags: ['token'],
        summary: 'Create an API token; the plain token is returned in this answer only',
        requestBody: { required: true, content: { 'application/json': { schema: json(tokenBody) } } },
        responses: {
          201: {
            description: 'created',
            content: {
              'application/json': {
                schema: {
                  allOf: [
                    { $ref: '#/components/schemas/Token' },
                    { type: 'object', required: ['token'], properties: { token: { type: 'string' } } },
                  ],
                },
              },
            },
          },
          400: err,
          401: err,
          403: err,
        },
      },
    },
    '/api/tokens/{id}': {
      get: { tags: ['token'], parameters: idParam, responses: { 200: one('token'), 401: err, 403: err, 404: err } },
      delete: {
        tags: ['token'],
        summary: 'Revoke at once (the token is kept, with revokedAt); the next request with it gets 401',
        parameters: idParam,
        responses: { 200: one('revoked'), 401: err, 403: err, 404: err },
      },
    },
  };
};

/**
 * Every route of the service, core and plugins (console, public side, interoperability, carpool areas): the
 * document served lists those mounted (a test walks the routers and fails on a route missing here).
 */
const CATALOGUE: Record<string, Record<string, Op>> = {
  '/health': {
    get: {
      security: [],
      responses: {
        200: { description: '{"status":"ok"} once the index is loaded' },
        503: { description: 'starting or database away' },
      },
    },
  },
  '/api/openapi.json': { get: { security: [], summary: 'This document (the routes mounted on this server)', responses: { 200: { description: 'OpenAPI 3.1' } } } },
  '/interop/v1/openapi.json': {
    get: {
      security: [],
      tags: ['interoperability'],
      summary: 'The interoperability API (standard-covoiturage, /interop/v1): its own OpenAPI document, with this server’s URL and limits',
      externalDocs: { description: 'standard-covoiturage as served here', url: '/interop/v1/openapi.json' },
      responses: { 200: { description: 'OpenAPI 3.0 document' } },
    },
  },
  '/api/match': {
    post: {
      summary: 'Every driver who can take this passenger, ranked best first',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: json(matchBody),
          },
        },
      },
      responses: {
        200: {
          description: 'proposals (an empty list is a valid answer)',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['proposals', 'approximate'],
                properties: {
                  proposals: { type: 'array', items: { $ref: '#/components/schemas/Proposal' } },
                  approximate: { type: 'boolean' },
                  alternatives: { type: 'object' },
                },
              },
            },
          },
        },
        400: {
          description: 'invalid input',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
  },
  ...crud('territories', 'territory'),
  ...crud('people', 'person'),
  '/api/people/{id}/export': {
    get: one('person', 'Everything held about a person (right of access), for a coordinator acting on the person’s behalf; audited'),
  },
  '/api/people/{id}/erase': {
    post: one('person', 'Erase a person (right to erasure): personal fields removed, history kept without them'),
  },
  '/api/people/{id}/week.pdf': {
    get: one('person', 'A driver’s weekly sheet of trips, as a printable PDF in large type'),
  },
  ...crud('trips', 'trip'),
  ...volunteerPaths(),
  ...crud('requests', 'request'),
  // Round trips: POST /api/requests also takes `returnTime` (HH:MM) or `returnAfterMin` (about N minutes after
  // arrival), never both; each proposal says which passenger leg it serves (`requestLeg`) and whether its driver can
  // do both (`bothLegs`); `roundTrip` lists those drivers' pairs, best first.
  '/api/requests/{id}/confirm-round-trip': {
    post: one('request', 'Confirm both legs of a round trip in one action (one driver both ways, or a driver each way): both matches become confirmed, or neither (409 naming the leg that cannot); one confirmation and one reminder telling both legs to the passenger, and to a driver who does both', {
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['outboundMatchId', 'returnMatchId'],
              properties: {
                outboundMatchId: { type: 'integer', minimum: 1 },
                returnMatchId: { type: 'integer', minimum: 1 },
                note: nullable({ type: 'string', maxLength: 2000 }),
              },
            },
          },
        },
      },
      responses: { 200: { description: 'the request with its proposals' }, ...errors(400, 401, 403, 404, 409) },
    }),
  },
  '/api/messages': {
    get: list('message', 'Messages of the outbox (SMS, voice calls, letters), numbers masked; filters matchId, requestId, personId, status, kind, channel, late'),
  },
  '/api/messages/{id}': {
    get: one('message', 'One message with the text that goes (or went); the read is audited'),
  },
  '/api/messages/{id}/letter.pdf': {
    get: one('message', 'A letter message as a printable PDF in large type'),
  },
  '/api/territory-setup': {
    post: create('territory', 'Set up a territory from an official commune file (GeoJSON body): the same checks as `npm run territory -- create`; `?dryRun=true` checks only'),
  },
  '/api/requests/{id}/match': {
    post: one('request', 'Run the matching again for a request and store the proposals as matches'),
  },
  '/api/requests/{id}/near-misses': {
    get: one('request', 'Drivers who nearly fit (other times that day, other days at that time, just outside the corridor, a little over the detour limit, no seat left that date) with the gap in French, and the one-click widenings with the drivers each adds'),
  },
  '/api/requests/{id}/widen': {
    post: one('request', 'Widen a request’s search ({kind: tolerance | corridor | day | detour}) and store the drivers it adds as proposals marked `widened`'),
  },
  ...crud('matches', 'match', { remove: 'Delete a match still proposed (later ones keep their history: cancel them)' }),
  '/api/matches/{id}/directions': {
    get: one('match', 'Directions for the driver, in French: the route through the pickup and the drop-off'),
  },
  '/api/plans': {
    post: create('plan', 'Assign all open requests of a territory over a horizon together (MILP, greedy fallback) and store the plan'),
  },
  '/api/plans/{id}': { get: one('plan', 'A plan: figures, assignments, and what it changes against today’s proposals') },
  '/api/plans/{id}/confirm': {
    post: one('plan', 'Confirm a plan’s assignments (all, or the requestIds given): each becomes the proposed match to call (a commuter’s or a volunteer’s); 409 when a volunteer can no longer take the passenger, nothing written'),
  },
  '/api/recruiting': {
    get: {
      tags: ['stats'],
      summary: 'Where drivers are missing: unserved demand by commune pair and hour, and the regular drivers that would serve it',
      parameters: [
        { name: 'territoryId', in: 'query', schema: { type: 'integer' } },
        { name: 'from', in: 'query', schema: { type: 'string', format: 'date' } },
        { name: 'to', in: 'query', schema: { type: 'string', format: 'date' } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200 } },
      ],
      responses: { 200: { description: 'the pairs with the most unserved demand first' }, ...errors(400, 401, 403) },
    },
  },
  ...tokenPaths(),
  ...placePaths(),
  ...notePaths(),
  ...tusPaths(),
  ...crud('users', 'user'),
  ...crud('providers', 'provider'),
  '/api/feeds': { get: list('feed', 'Imported GTFS feeds (read-only)') },
  '/api/feeds/{id}': { get: one('feed', 'One imported GTFS feed') },
  '/api/feeds/imports': {
    get: list('feed', 'Feed imports started from the console, with their progress'),
    post: { tags: ['feed'], summary: 'Start a feed import (202 with the job, polled)', responses: { 202: { description: 'job' }, ...errors(400, 401, 403, 409, 413) } },
  },
  '/api/feeds/imports/{id}': { get: one('feed', 'One feed import and its report') },
  '/api/audit': { get: list('audit', 'The audit log (admins)') },
  '/api/audit/export.csv': {
    get: { tags: ['audit'], summary: 'The audit log as CSV, with the same filters', parameters: listParams, responses: { 200: { description: 'text/csv' }, ...errors(400, 401, 403) } },
  },
  '/api/interop-messages': { get: list('interoperability', 'Messages received from operators’ users (POST /interop/v1/messages), for the coordinators; audited') },
  '/api/interop-messages/{id}': { get: one('interoperability', 'One message received from an operator’s user; audited') },
  '/api/communes': {
    get: { tags: ['map'], summary: 'Commune outlines of the principal’s territories (GeoJSON), the console’s map layer', responses: { 200: { description: 'FeatureCollection' }, ...errors(401, 403) } },
  },
  '/api/map/roads': {
    get: {
      tags: ['map'], summary: 'Roads of the road network (ROAD_NETWORK) around the principal’s territories, one GeoJSON MultiLineString per class (motorway, trunk, primary, secondary, tertiary, minor): the console’s offline basemap',
      parameters: [{ name: 'territoryId', in: 'query', schema: { type: 'integer' } }],
      responses: { 200: { description: 'FeatureCollection (empty without a road network)' }, 304: { description: 'unchanged (ETag)' }, ...errors(400, 401, 403) },
    },
  },
  '/api/carpool-areas': {
    get: {
      tags: ['map'], summary: 'National carpool areas (BNLC) near a point',
      parameters: [
        { name: 'near', in: 'query', required: true, schema: { type: 'string' }, example: '1.44,44.45' },
        { name: 'radiusM', in: 'query', schema: { type: 'integer' } },
        { name: 'limit', in: 'query', schema: { type: 'integer' } },
      ],
      responses: { 200: { description: 'carpool areas, nearest first' }, ...errors(400, 401) },
    },
  },
  '/api/dashboard': { get: { tags: ['stats'], summary: 'The console’s counts, without personal data', responses: { 200: { description: 'counts' }, ...errors(400, 401) } } },
  '/api/work-queue': {
    get: {
      tags: ['stats'],
      summary: 'The coordinator’s work queue: today’s and tomorrow’s confirmed trips, accepted matches to confirm, drivers contacted and silent for more than the territory’s answerWaitHours, public requests to call back (no call noted, no driver contacted), open requests with no live proposal (those still ahead first, then today’s whose time has gone by: `passed`)',
      description: 'Coordinators and admins get each section’s items (names and phones, audited with the reason "work-queue"); viewers get the counts only; integrations 403.',
      parameters: [
        { name: 'territoryId', in: 'query', schema: { type: 'integer' } },
        { name: 'limit', in: 'query', description: 'items per section (1–200, default 50); counts are whole', schema: { type: 'integer' } },
      ],
      responses: { 200: { description: '{today, tomorrow, answerWaitHours, sections: [{key, count, passed, items?}]}' }, ...errors(400, 401, 403) },
    },
  },
  '/api/stats': {
    get: {
      tags: ['stats'], security: [], summary: 'Public statistics (no authentication; no count under 5 published)',
      parameters: [
        { name: 'territory', in: 'query', schema: { type: 'string' } },
        { name: 'from', in: 'query', schema: { type: 'string', pattern: '^\\d{4}-\\d{2}$' } },
        { name: 'to', in: 'query', schema: { type: 'string', pattern: '^\\d{4}-\\d{2}$' } },
        { name: 'format', in: 'query', schema: { enum: ['json', 'csv'] } },
      ],
      responses: { 200: { description: 'statistics' }, ...errors(400) },
    },
  },
  '/osrm/route/v1/{profile}/{coordinates}': {
    get: { security: [], summary: 'OSRM HTTP API v5 route service, answered by the configured router', parameters: [{ name: 'profile', in: 'path', required: true, schema: { enum: ['driving'] } }, { name: 'coordinates', in: 'path', required: true, schema: { type: 'string' } }] },
  },
  '/osrm/table/v1/{profile}/{coordinates}': {
    get: { security: [], summary: 'OSRM HTTP API v5 table service, answered by the configured router', parameters: [{ name: 'profile', in: 'path', required: true, schema: { enum: ['driving'] } }, { name: 'coordinates', in: 'path', required: true, schema: { type: 'string' } }] },
  },
};

/**
 * The API's OpenAPI 3.1 document, request bodies generated from the same zod schemas that validate them. With the
 * routes the server mounts, only theirs: a server without the console does not advertise the console's routes.
 */
export function openapiDocument(mounted?: RouteEntry[]) {
  const has = mounted && new Set(mounted.map((r) => `${r.method} ${pathShape(r.path)}`));
  const paths = Object.fromEntries(
    Object.entries(CATALOGUE)
      .map(([path, ops]) => [path, has ? Object.fromEntries(Object.entries(ops).filter(([m]) => has.has(`${m} ${pathShape(path)}`))) : ops] as const)
      .filter(([, ops]) => Object.keys(ops).length > 0),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'CoMobi matching API',
      version: '0.1.0',
      license: { name: 'AGPL-3.0-or-later' },
      description: 'The interoperability API (standard-covoiturage) has its own document: /interop/v1/openapi.json.',
    },
    externalDocs: { description: 'interoperability API (standard-covoiturage)', url: '/interop/v1/openapi.json' },
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: error, Proposal: proposal, Rules: json(rulesSchema), Token: token, Volunteer: volunteerSchema, ...placeSchemas, ...noteSchemas },
    },
  };
}
