import { z } from 'zod';

const schema = z.object({
  /** The operator identifier the standard asks for: a domain owned by the territory running CoMobi. */
  INTEROP_OPERATOR: z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'a domain name such as covoiturage.example.org').default('comobi.local'),
  /** Requests per API key per minute, counted in the database so that every replica agrees. */
  INTEROP_RATE_LIMIT: z.coerce.number().int().positive().default(120),
  INTEROP_TIMEZONE: z.string().default('Europe/Paris'),
  /** Origin of our public pages, for the journeys' webUrl (deep link); defaults to https://INTEROP_OPERATOR. */
  INTEROP_PUBLIC_URL: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')).optional(),
});

export type InteropConfig = z.infer<typeof schema> & { publicUrl: string };

export function loadInteropConfig(env: Record<string, string | undefined> = process.env): InteropConfig {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) throw new Error(`Invalid interop configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { ...parsed.data, publicUrl: parsed.data.INTEROP_PUBLIC_URL ?? `https://${parsed.data.INTEROP_OPERATOR}` };
}
