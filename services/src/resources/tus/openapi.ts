import { z } from 'zod';
import { beneficiaryBody, exceptionBody, membershipBody, tusSettingsBody } from './routes.ts';

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
const err = { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((n) => [n, err]));
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };
const yearParam = { name: 'year', in: 'path', required: true, schema: { type: 'integer', minimum: 2000, maximum: 2100 } };
const body = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema: json(schema) } } });
const tags = ['tus'];

const violation = {
  type: 'object',
  required: ['rule', 'label', 'message', 'exception'],
  properties: {
    rule: { enum: ['eligibility', 'distance', 'perimeter', 'membership'] },
    label: { type: 'string', description: 'the rule’s name, in French' },
    message: { type: 'string', description: 'what is wrong, in French, with the figures' },
    exception: { anyOf: [{ type: 'object' }, { type: 'null' }], description: 'the exception recorded (rule, reason, recordedBy, recordedAt)' },
  },
};
const check = {
  description: 'the TUS rules on the request',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['requestId', 'applies', 'violations', 'blocking'],
        properties: {
          requestId: { type: 'integer' },
          applies: { type: 'boolean', description: 'false: the territory does not have the TUS option' },
          distanceKm: { type: ['number', 'null'] },
          distanceApproximate: { type: 'boolean' },
          basis: { enum: ['residence', 'resources', 'both', null] },
          violations: { type: 'array', items: violation },
          blocking: { type: 'integer', description: 'violations without an exception' },
          maxParticipationEur: { type: ['number', 'null'], description: '€0.32 × km' },
          exceptions: { type: 'array', items: { type: 'object' } },
        },
      },
    },
  },
};

/** The TUS rules' routes (services/src/resources/tus/routes.ts). */
export const tusPaths = () => ({
  '/api/tus/settings/{territoryId}': {
    get: { tags, summary: 'The TUS option of a territory and the association’s details', parameters: [{ ...idParam, name: 'territoryId' }], responses: { 200: { description: 'settings' }, ...errors(400, 401, 403) } },
    put: { tags, summary: 'Turn the TUS option on or off and describe the association', parameters: [{ ...idParam, name: 'territoryId' }], requestBody: body(tusSettingsBody), responses: { 200: { description: 'settings' }, ...errors(400, 401, 403, 404) } },
  },
  '/api/people/{id}/tus': {
    get: { tags, summary: 'A person’s TUS eligibility (ground, proof seen and its date), residence against INSEE’s urban units, memberships; coordinators only, audited', parameters: [idParam], responses: { 200: { description: 'TUS record' }, ...errors(400, 401, 403, 404) } },
  },
  '/api/people/{id}/tus/beneficiary': {
    put: { tags, summary: 'Record a person as a TUS beneficiary by residence (checked against the urban units) and/or by resources (a benefit of R3133-1 2°), with the proof seen', parameters: [idParam], requestBody: body(beneficiaryBody), responses: { 200: { description: 'TUS record' }, ...errors(400, 401, 403, 404) } },
    delete: { tags, summary: 'Remove a person’s beneficiary record', parameters: [idParam], responses: { 200: { description: 'TUS record' }, ...errors(400, 401, 403, 404) } },
  },
  '/api/people/{id}/tus/memberships/{year}': {
    put: { tags, summary: 'Record the association membership of a year (fee, date paid)', parameters: [idParam, yearParam], requestBody: body(membershipBody), responses: { 200: { description: 'TUS record' }, ...errors(400, 401, 403, 404) } },
    delete: { tags, summary: 'Remove a membership', parameters: [idParam, yearParam], responses: { 200: { description: 'TUS record' }, ...errors(400, 401, 403, 404) } },
  },
  '/api/requests/{id}/tus': {
    get: { tags, summary: 'The TUS rules a request breaks (eligibility, 100 km, perimeter, membership), each said in French, with the exceptions recorded', parameters: [idParam], responses: { 200: check, ...errors(400, 401, 403, 404) } },
  },
  '/api/requests/{id}/tus/exceptions': {
    post: { tags, summary: 'Serve the request anyway: record an exception to a rule with its reason (audited)', parameters: [idParam], requestBody: body(exceptionBody), responses: { 201: check, ...errors(400, 401, 403, 404) } },
  },
  '/api/reports/tus': {
    get: {
      tags,
      summary: 'The yearly TUS report to the préfet (arrêté of 17 October 2019): drivers, volunteers, members, beneficiaries by ground, vehicles, participation, trips and mean distance',
      parameters: [
        { name: 'territory', in: 'query', required: true, schema: { type: 'string' }, description: 'territory id or slug' },
        { name: 'year', in: 'query', schema: { type: 'integer' }, description: 'calendar year (default: last year)' },
        { name: 'format', in: 'query', schema: { enum: ['json', 'csv', 'pdf'] }, description: 'csv: French (; and BOM); pdf: printable, in French' },
      ],
      responses: { 200: { description: 'the report' }, ...errors(400, 401, 403, 404) },
    },
  },
});
