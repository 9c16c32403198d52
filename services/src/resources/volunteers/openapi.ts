import { z } from 'zod';
import { PURPOSES } from '../../matching/query.ts';
import { volunteerBody } from './routes.ts';

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
const err = { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((n) => [n, err]));
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
const clock = { type: 'string', pattern: '^\\d{2}:\\d{2}$' };
const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1, maximum: 2147483647 } }];
const listParams = [
  { name: 'sort', in: 'query', schema: { type: 'string' }, example: '["id","ASC"]' },
  { name: 'range', in: 'query', schema: { type: 'string' }, example: '[0,24]' },
  { name: 'filter', in: 'query', schema: { type: 'string' }, example: '{"active":true,"weekday":2}' },
];

export const volunteerSchema = {
  type: 'object',
  required: ['id', 'personId', 'territoryId', 'home', 'maxKm', 'maxMinutes', 'seats', 'wheelchair', 'purposes', 'active', 'slots', 'exceptions'],
  properties: {
    id: { type: 'integer', description: 'the person’s id' },
    personId: { type: 'integer' },
    territoryId: { type: 'integer' },
    home: { type: 'object', properties: { lng: { type: 'number' }, lat: { type: 'number' } }, description: 'exact for coordinators, two decimals for viewers' },
    homeLabel: nullable({ type: 'string' }),
    maxKm: nullable({ type: 'number' }),
    maxMinutes: nullable({ type: 'integer' }),
    seats: { type: 'integer' },
    wheelchair: { type: 'boolean' },
    purposes: { type: 'array', items: { enum: PURPOSES } },
    active: { type: 'boolean' },
    slots: { type: 'array', items: { type: 'object', properties: { weekday: { type: 'integer' }, start: clock, end: clock } } },
    exceptions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          dateFrom: { type: 'string', format: 'date' },
          dateTo: { type: 'string', format: 'date' },
          available: { type: 'boolean' },
          start: nullable(clock),
          end: nullable(clock),
          note: nullable({ type: 'string' }),
        },
      },
    },
    firstName: nullable({ type: 'string' }),
    lastName: nullable({ type: 'string' }),
    phone: nullable({ type: 'string' }),
  },
};

/** Volunteer drivers: their availability, limits and vehicle; their monthly statements. */
export const volunteerPaths = () => {
  const one = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Volunteer' } } } });
  const body = { required: true, content: { 'application/json': { schema: json(volunteerBody) } } };
  return {
    '/api/volunteers': {
      get: {
        tags: ['volunteer'],
        summary: 'List volunteer drivers (react-admin simple-rest: Content-Range header); names and homes shown are audited',
        parameters: listParams,
        responses: { 200: { description: 'volunteers', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Volunteer' } } } } }, ...errors(400, 401, 403) },
      },
      post: {
        tags: ['volunteer'],
        summary: 'Make a person of the territory a volunteer driver: home, how far, vehicle, purposes, weekly slots and exceptions',
        requestBody: body,
        responses: { 201: one('created'), ...errors(400, 401, 403, 409) },
      },
    },
    '/api/volunteers/{id}': {
      get: { tags: ['volunteer'], summary: 'One volunteer driver (the person’s id); audited', parameters: idParam, responses: { 200: one('volunteer'), ...errors(400, 401, 403, 404) } },
      put: {
        tags: ['volunteer'],
        summary: 'Change a volunteer: the fields given (slots and exceptions given replace the former ones)',
        parameters: idParam,
        requestBody: body,
        responses: { 200: one('updated'), ...errors(400, 401, 403, 404, 409) },
      },
      delete: {
        tags: ['volunteer'],
        summary: 'Remove a volunteer (deactivated when they have trips: statements keep them)',
        parameters: idParam,
        responses: { 200: one('removed'), ...errors(400, 401, 403, 404) },
      },
    },
  };
};
