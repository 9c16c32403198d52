/** An API token as GET /api/tokens shows it (services/src/domain/tokens.ts TokenView): never its secret. */
export interface TokenRecord {
  id: number;
  label: string;
  role: 'admin' | 'coordinator' | 'viewer' | 'integration';
  territoryId: number | null;
  createdAt: string;
  createdBy: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

/** The answer to POST /api/tokens: the only time the plain token is sent. */
export interface IssuedToken extends TokenRecord {
  token: string;
}

export const TOKEN_ROLES = ['integration', 'coordinator', 'viewer', 'admin'];

/** dd/mm/yyyy HH:MM in fr-FR. */
export const DATE_TIME: Intl.DateTimeFormatOptions = { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' };
