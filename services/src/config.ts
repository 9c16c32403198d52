import path from 'node:path';
import { z } from 'zod';
import { addressEntryError, splitList } from './security/address-list.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');

const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** Unset: embedded PGlite + PostGIS in DATA_DIR. */
  DATABASE_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
  DATA_DIR: z.string().default(path.join(repoRoot, 'data')),
  /** Unset: embedded router on ROAD_NETWORK (or straight-line estimates when ROAD_NETWORK is "none"). */
  OSRM_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
  OSRM_PROFILE: z.string().default('driving'),
  OSRM_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
  ROAD_NETWORK: z.string().default(path.join(repoRoot, 'fixtures', 'lot-classified-roads.osm.pbf')),
  /**
   * The national address base's search API (https://api-adresse.data.gouv.fr, or a self-hosted addok such as the
   * compose file's http://addok:7878). Unset: the territory's gazetteer alone (communes, named places, stops…).
   */
  GEOCODER_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
  GEOCODER_TIMEOUT_MS: z.coerce.number().int().positive().default(1500),
  ADMIN_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16).optional()),
  /** Load the demo territory from fixtures/ when the database has no territory. */
  DEMO: z.enum(['auto', 'off']).default('auto'),
  LOG_LEVEL: z.enum(['silent', 'error', 'info', 'debug']).default('info'),
  /** Matching answers within this budget even when the router is slow (then approximate). */
  MATCH_DEADLINE_MS: z.coerce.number().int().positive().default(3000),
  BODY_LIMIT: z.string().default('1mb'),
  /**
   * Reverse proxies whose X-Forwarded-* headers are believed (comma-separated IP addresses and CIDR blocks). None by
   * default: the client's address is then the TCP peer's, whatever headers it sends.
   */
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform(splitList)
    .superRefine((entries, ctx) => {
      for (const e of entries) {
        const error = addressEntryError(e);
        if (error) ctx.addIssue({ code: 'custom', message: error });
      }
    }),
});

export type Config = z.infer<typeof schema> & { repoRoot: string };

/** Parsed once at start; everything else receives the typed config. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return { ...parsed.data, repoRoot };
}
