import { z } from 'zod';
import { TOKEN_ROLES } from './domain/tokens.ts';
import { needsDateOrWeekdays, tripAsk } from './matching/query.ts';
import { rulesSchema } from './matching/rules.ts';
import { placePaths, placeSchemas } from './resources/places/openapi.ts';
import { tokenBody } from './resources/tokens/routes.ts';

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
  required: ['tripId', 'driverId', 'pickup', 'dropoff', 'detourS', 'detourM', 'score'],
  properties: {
    tripId: { type: 'integer' },
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

const crud = (name: string, tag: string, writable = true) => {
  const listParams = [
    { name: 'sort', in: 'query', schema: { type: 'string' }, example: '["id","ASC"]' },
    { name: 'range', in: 'query', schema: { type: 'string' }, example: '[0,24]' },
    { name: 'filter', in: 'query', schema: { type: 'string' }, example: '{}' },
  ];
  const err = {
    description: 'error',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
  const idParam = [
    { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1, maximum: 2147483647 } },
  ];
  return {
    [`/api/${name}`]: {
      get: {
        tags: [tag],
        summary: `List ${name} (react-admin simple-rest: Content-Range header)`,
        parameters: listParams,
        responses: { 200: { description: 'list' }, 400: err, 401: err },
      },
      ...(writable
        ? {
            post: {
              tags: [tag],
              summary: `Create a ${tag}`,
              responses: { 201: { description: 'created' }, 400: err, 401: err, 403: err, 409: err },
            },
          }
        : {}),
    },
    [`/api/${name}/{id}`]: {
      get: { tags: [tag], parameters: idParam, responses: { 200: { description: tag }, 400: err, 404: err } },
      put: {
        tags: [tag],
        parameters: idParam,
        responses: { 200: { description: 'updated' }, 400: err, 404: err, 409: err },
      },
      ...(writable
        ? {
            delete: {
              tags: [tag],
              parameters: idParam,
              // 409: the record is still referred to (a driver's trips, a passenger's requests…).
              responses: { 200: { description: 'deleted' }, 400: err, 404: err, 409: err },
            },
          }
        : {}),
    },
  };
};

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

/** The API's OpenAPI 3.1 document, request bodies generated from the same zod schemas that validate them. */
export function openapiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'CoMobi matching API', version: '0.1.0', license: { name: 'AGPL-3.0-or-later' } },
    security: [{ bearer: [] }],
    paths: {
      '/health': {
        get: {
          security: [],
          responses: {
            200: { description: '{"status":"ok"} once the index is loaded' },
            503: { description: 'starting or database away' },
          },
        },
      },
      '/api/match': {
        post: {
          summary: 'Every driver who can take this passenger, ranked best first',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: json(tripAsk.extend({ alternatives: z.boolean().optional() }).superRefine(needsDateOrWeekdays)),
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
      ...crud('trips', 'trip'),
      ...crud('requests', 'request'),
      ...crud('matches', 'match'),
      ...tokenPaths(),
      ...placePaths(),
      '/osrm/route/v1/driving/{coordinates}': {
        get: { security: [], summary: 'OSRM HTTP API v5 route service, answered by the configured router' },
      },
      '/osrm/table/v1/driving/{coordinates}': {
        get: { security: [], summary: 'OSRM HTTP API v5 table service, answered by the configured router' },
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: error, Proposal: proposal, Rules: json(rulesSchema), Token: token, ...placeSchemas },
    },
  };
}
