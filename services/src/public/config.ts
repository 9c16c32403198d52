import { z } from 'zod';

const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);
const opt = <T extends z.ZodType>(s: T) => z.preprocess(emptyToUndefined, s.optional());

const schema = z.object({
  /** FranceConnect (all five set, or the button is hidden). Issuer e.g. https://auth.franceconnect.gouv.fr/api/v2 */
  FC_ISSUER: opt(z.string().url()),
  FC_CLIENT_ID: opt(z.string().min(1)),
  FC_CLIENT_SECRET: opt(z.string().min(1)),
  FC_REDIRECT_URI: opt(z.string().url()),
  FC_POST_LOGOUT_REDIRECT_URI: opt(z.string().url()),
  /** "Je donne mon avis": the product (démarche) id, and the button id (defaults to the product id). */
  JDMA_ID: opt(z.string().regex(/^\w{1,40}$/, 'expected the identifier of the démarche')),
  JDMA_BUTTON_ID: opt(z.string().regex(/^\w{1,40}$/, 'expected the identifier of the button')),
  /** People and requests without activity for this long are anonymised by the daily job. */
  RETENTION_MONTHS: z.coerce.number().int().min(1).max(120).default(24),
  /** "off" disables the in-process daily retention run (a cron runs scripts/retention.ts instead). */
  RETENTION_JOB: z.enum(['daily', 'off']).default('daily'),
  /** Posts of public forms per client address and window, and logins. */
  RATE_LIMIT_FORMS: z.coerce.number().int().positive().default(20),
  RATE_LIMIT_LOGINS: z.coerce.number().int().positive().default(30),
  RATE_LIMIT_WINDOW_S: z.coerce.number().int().positive().default(600),
  /** Citizen sessions last this long. */
  SESSION_HOURS: z.coerce.number().int().positive().default(12),
});

export type PublicConfig = z.infer<typeof schema> & {
  franceConnect?: { issuer: string; clientId: string; clientSecret: string; redirectUri: string; postLogoutRedirectUri: string };
};

/** Parsed once when the plugin is built. */
export function loadPublicConfig(env: Record<string, string | undefined> = process.env): PublicConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid public configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  const c = parsed.data;
  const fc = c.FC_ISSUER && c.FC_CLIENT_ID && c.FC_CLIENT_SECRET && c.FC_REDIRECT_URI && c.FC_POST_LOGOUT_REDIRECT_URI
    ? { issuer: c.FC_ISSUER, clientId: c.FC_CLIENT_ID, clientSecret: c.FC_CLIENT_SECRET, redirectUri: c.FC_REDIRECT_URI, postLogoutRedirectUri: c.FC_POST_LOGOUT_REDIRECT_URI }
    : undefined;
  return { ...c, franceConnect: fc };
}
