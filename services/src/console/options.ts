import path from 'node:path';
import { z } from 'zod';
import { addressEntryError, splitList } from '../security/address-list.ts';
import { DEFAULT_DOWNLOAD_LIMITS as D, type DownloadLimits } from './feed-download.ts';
import type { PrivateHostPolicy } from './public-host.ts';

const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);

/** The console's own settings, parsed once from the environment (the core config does not know them). */
const schema = z.object({
  CONSOLE_ADMIN_EMAIL: z.preprocess(emptyToUndefined, z.string().email().optional()),
  CONSOLE_ADMIN_PASSWORD: z.preprocess(emptyToUndefined, z.string().min(12, 'at least 12 characters').optional()),
  CONSOLE_DIST: z.string().optional(),
  /** Idle minutes before a session expires, and its absolute lifetime in hours. */
  CONSOLE_SESSION_IDLE_MIN: z.coerce.number().int().positive().default(120),
  CONSOLE_SESSION_MAX_HOURS: z.coerce.number().int().positive().default(12),
  /** Failed logins allowed per account and per IP address within the window before answers become 429. */
  CONSOLE_LOGIN_MAX_PER_ACCOUNT: z.coerce.number().int().positive().default(5),
  CONSOLE_LOGIN_MAX_PER_IP: z.coerce.number().int().positive().default(30),
  CONSOLE_LOGIN_WINDOW_MIN: z.coerce.number().int().positive().default(15),
  /** Optional raster tiles under the vector layers, e.g. https://tile.example.org/{z}/{x}/{y}.png */
  CONSOLE_TILE_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
  CONSOLE_TILE_ATTRIBUTION: z.string().default(''),
  /** transport.data.gouv.fr API for imports by dataset id (default: the public one). */
  CONSOLE_TDG_API_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
  /**
   * Let imports fetch loopback and private addresses: `true` all of them (tests), or only the listed addresses and
   * CIDR blocks (a feed server on the territory's own network); `false` none.
   */
  CONSOLE_IMPORT_ALLOW_PRIVATE_HOSTS: z
    .string()
    .default('false')
    .transform((v): PrivateHostPolicy => (v === 'true' ? true : v === 'false' ? false : splitList(v)))
    .superRefine((policy, ctx) => {
      if (typeof policy === 'boolean') return;
      for (const e of policy) {
        const error = addressEntryError(e);
        if (error) ctx.addIssue({ code: 'custom', message: `${error} (expected true, false or addresses)` });
      }
    }),
  /** Limits of one feed download (see feed-download.ts). */
  CONSOLE_IMPORT_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(D.connectTimeoutMs),
  CONSOLE_IMPORT_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(D.idleTimeoutMs),
  CONSOLE_IMPORT_TIMEOUT_MS: z.coerce.number().int().positive().default(D.totalTimeoutMs),
  CONSOLE_IMPORT_MAX_BYTES: z.coerce.number().int().positive().default(D.maxBytes),
  CONSOLE_IMPORT_MAX_REDIRECTS: z.coerce.number().int().min(0).default(D.maxRedirects),
});

export interface ConsoleOptions {
  adminEmail?: string;
  adminPassword?: string;
  distDir: string;
  sessionIdleMin: number;
  sessionMaxHours: number;
  loginMaxPerAccount: number;
  loginMaxPerIp: number;
  loginWindowMin: number;
  tileUrl?: string;
  tileAttribution: string;
  tdgApiUrl?: string;
  allowPrivateHosts: PrivateHostPolicy;
  importLimits: DownloadLimits;
}

export function consoleOptions(env: Record<string, string | undefined>, repoRoot: string): ConsoleOptions {
  const r = schema.safeParse(env);
  if (!r.success) {
    throw new Error(
      `Invalid console configuration:\n${r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
    );
  }
  const e = r.data;
  if (Boolean(e.CONSOLE_ADMIN_EMAIL) !== Boolean(e.CONSOLE_ADMIN_PASSWORD)) {
    throw new Error(
      'Invalid console configuration: set both CONSOLE_ADMIN_EMAIL and CONSOLE_ADMIN_PASSWORD, or neither',
    );
  }
  return {
    adminEmail: e.CONSOLE_ADMIN_EMAIL?.trim().toLowerCase(),
    adminPassword: e.CONSOLE_ADMIN_PASSWORD,
    distDir: e.CONSOLE_DIST ?? path.join(repoRoot, 'console', 'dist'),
    sessionIdleMin: e.CONSOLE_SESSION_IDLE_MIN,
    sessionMaxHours: e.CONSOLE_SESSION_MAX_HOURS,
    loginMaxPerAccount: e.CONSOLE_LOGIN_MAX_PER_ACCOUNT,
    loginMaxPerIp: e.CONSOLE_LOGIN_MAX_PER_IP,
    loginWindowMin: e.CONSOLE_LOGIN_WINDOW_MIN,
    tileUrl: e.CONSOLE_TILE_URL,
    tileAttribution: e.CONSOLE_TILE_ATTRIBUTION,
    tdgApiUrl: e.CONSOLE_TDG_API_URL,
    allowPrivateHosts: e.CONSOLE_IMPORT_ALLOW_PRIVATE_HOSTS,
    importLimits: {
      connectTimeoutMs: e.CONSOLE_IMPORT_CONNECT_TIMEOUT_MS,
      idleTimeoutMs: e.CONSOLE_IMPORT_IDLE_TIMEOUT_MS,
      totalTimeoutMs: e.CONSOLE_IMPORT_TIMEOUT_MS,
      maxBytes: e.CONSOLE_IMPORT_MAX_BYTES,
      maxRedirects: e.CONSOLE_IMPORT_MAX_REDIRECTS,
    },
  };
}
