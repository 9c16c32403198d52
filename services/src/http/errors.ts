export interface FieldIssue {
  field: string;
  reason: string;
}

/** The only error type that reaches clients as-is; the error middleware turns it into a JSON answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldIssue[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (field: string, reason: string) =>
  new HttpError(400, 'invalid_input', `${field}: ${reason}`, [{ field, reason }]);
export const invalidFields = (fields: FieldIssue[]) =>
  new HttpError(400, 'invalid_input', fields.map((f) => `${f.field}: ${f.reason}`).join('; '), fields);
export const notFound = (resource: string, id?: unknown) =>
  new HttpError(404, 'not_found', id === undefined ? `${resource} not found` : `${resource} ${String(id)} not found`);
export const conflict = (message: string, field?: string) =>
  new HttpError(409, 'conflict', message, field ? [{ field, reason: message }] : []);
export const unauthorized = (message = 'missing or invalid credentials') =>
  new HttpError(401, 'unauthorized', message, [], { 'WWW-Authenticate': 'Bearer' });
export const forbidden = (message = 'not allowed for this role or territory') =>
  new HttpError(403, 'forbidden', message);
