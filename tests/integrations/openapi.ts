import fs from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Validates JSON against the schemas of an OpenAPI 3.0 document as published: the document is added to Ajv whole,
 * and a response or request schema is referenced by its JSON pointer. OpenAPI-only keywords (example, nullable…)
 * are tolerated; the document's own formats (long, double, partial-time…) are checked or declared.
 */
export function openapiValidator(source: string | Record<string, any>) {
  const doc = typeof source === 'string' ? parseYaml(fs.readFileSync(source, 'utf8')) : structuredClone(source);
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('partial-time', /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?$/);
  ajv.addFormat('long', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  ajv.addFormat('float', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  ajv.addFormat('datetime', { type: 'string', validate: (s: string) => !Number.isNaN(Date.parse(s)) });
  ajv.addSchema(doc, 'doc');
  const cache = new Map<string, ValidateFunction>();
  const esc = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1');
  const compiled = (pointer: string) => {
    let v = cache.get(pointer);
    if (!v) {
      v = ajv.compile({ $ref: `doc#${pointer}` });
      cache.set(pointer, v);
    }
    return v;
  };
  return {
    doc,
    /** Errors of a response body against paths[path][method].responses[status] (empty when valid). */
    response(path: string, method: string, status: number, body: unknown): string[] {
      let pointer = `/paths/${esc(path)}/${method}/responses/${status}`;
      let resp = doc.paths[path]?.[method]?.responses?.[status];
      if (resp?.$ref) {
        pointer = resp.$ref.slice(1);
        resp = doc.components.responses[resp.$ref.split('/').pop()];
      }
      if (!resp?.content) return [`no documented body for ${method.toUpperCase()} ${path} ${status}`];
      const v = compiled(`${pointer}/content/${esc('application/json')}/schema`);
      return v(body) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    },
    /** The document's path template of a request path (`/bookings/{bookingId}` for `/bookings/5c…`), if it has one. */
    operationOf(method: string, requestPath: string): string | undefined {
      const m = method.toLowerCase();
      const p = requestPath.split('?')[0];
      return Object.keys(doc.paths).find((t) => doc.paths[t][m] && new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(p));
    },
    /**
     * Errors of an answer, whatever its status: the status must be one the operation documents, and its body valid
     * when the document gives that status a body (a status documented without content takes any body).
     */
    answer(path: string, method: string, status: number, body: unknown): string[] {
      const responses = doc.paths[path]?.[method]?.responses;
      if (!responses) return [`${method.toUpperCase()} ${path} is not an operation of the document`];
      if (!(status in responses)) return [`${status} is not a documented answer of ${method.toUpperCase()} ${path} (${Object.keys(responses).join(', ')})`];
      let resp = responses[status];
      if (resp.$ref) resp = doc.components.responses[resp.$ref.split('/').pop()];
      return resp.content ? this.response(path, method, status, body) : [];
    },
    /** Errors of a value against a named component schema. */
    schema(name: string, value: unknown): string[] {
      const v = compiled(`/components/schemas/${esc(name)}`);
      return v(value) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    },
    /** Errors of a request body against paths[path][method].requestBody. */
    request(path: string, method: string, body: unknown): string[] {
      const v = compiled(`/paths/${esc(path)}/${method}/requestBody/content/${esc('application/json')}/schema`);
      return v(body) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    },
  };
}
