import { z } from 'zod';
import { PLACE_KINDS } from '../../domain/places.ts';
import { POINT_SOURCES, SUGGESTION_KINDS } from '../../geocoding/types.ts';
import { placeBody } from './routes.ts';

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
const err = { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
const point = { type: 'object', required: ['lng', 'lat'], properties: { lng: { type: 'number' }, lat: { type: 'number' } } };

const place = {
  type: 'object',
  required: ['id', 'territoryId', 'name', 'kind', 'address', 'personId', 'point', 'communeInsee', 'communeName'],
  properties: {
    id: { type: 'integer' },
    territoryId: { type: 'integer' },
    name: { type: 'string' },
    kind: { enum: PLACE_KINDS },
    address: nullable({ type: 'string' }),
    personId: nullable({ type: 'integer' }),
    point,
    communeInsee: nullable({ type: 'string' }),
    communeName: nullable({ type: 'string' }),
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};

const suggestion = {
  type: 'object',
  required: ['label', 'lng', 'lat', 'kind', 'source', 'pointSource', 'insee', 'score'],
  properties: {
    label: { type: 'string' },
    lng: { type: 'number' },
    lat: { type: 'number' },
    kind: { enum: SUGGESTION_KINDS },
    source: { enum: ['ban', 'gazetteer'] },
    pointSource: { enum: POINT_SOURCES, description: 'to send as fromSource, toSource, originSource… with the point' },
    insee: nullable({ type: 'string' }),
    score: { type: 'number', minimum: 0, maximum: 1 },
  },
};

/** The place search and the named places (coordinators and admins). */
export const placePaths = () => {
  const one = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Place' } } } });
  const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }];
  const body = { required: true, content: { 'application/json': { schema: json(placeBody) } } };
  return {
    '/api/places/search': {
      get: {
        tags: ['place'],
        summary: 'Addresses and places as one types: the territory’s gazetteer, and the national address base when GEOCODER_URL is set',
        parameters: [
          { name: 'q', in: 'query', required: true, schema: { type: 'string', maxLength: 200 }, example: 'Lauz' },
          { name: 'territoryId', in: 'query', schema: { type: 'integer' } },
          { name: 'near', in: 'query', schema: { type: 'string' }, example: '1.44,44.45', description: 'lng,lat: nearer results first' },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 20, default: 10 } },
          { name: 'personId', in: 'query', schema: { type: 'integer' }, description: 'the passenger the place is typed for: the ends of their past requests that match come first (kind usual; the read is audited)' },
        ],
        responses: {
          200: {
            description: 'suggestions, best first',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['suggestions', 'geocoder'],
                  properties: {
                    suggestions: { type: 'array', items: suggestion },
                    geocoder: { enum: ['ban', 'gazetteer'] },
                    degraded: { type: 'string', description: 'why the address base is missing from this answer' },
                  },
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
    '/api/places': {
      get: {
        tags: ['place'],
        summary: 'Named places (react-admin simple-rest: Content-Range header)',
        parameters: [
          { name: 'sort', in: 'query', schema: { type: 'string' }, example: '["name","ASC"]' },
          { name: 'range', in: 'query', schema: { type: 'string' }, example: '[0,24]' },
          { name: 'filter', in: 'query', schema: { type: 'string' }, example: '{"kind":"health"}' },
        ],
        responses: {
          200: { description: 'places', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Place' } } } } },
          400: err,
          401: err,
          403: err,
        },
      },
      post: { tags: ['place'], requestBody: body, responses: { 201: one('created'), 400: err, 401: err, 403: err } },
    },
    '/api/places/{id}': {
      get: { tags: ['place'], parameters: idParam, responses: { 200: one('place'), 401: err, 403: err, 404: err } },
      put: { tags: ['place'], parameters: idParam, requestBody: body, responses: { 200: one('changed'), 400: err, 401: err, 403: err, 404: err } },
      delete: { tags: ['place'], parameters: idParam, responses: { 200: one('deleted'), 401: err, 403: err, 404: err } },
    },
  };
};

export const placeSchemas = { Place: place };
