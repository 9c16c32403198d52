import { z } from 'zod';

const schema = z.object({
  /** Base URL of the registry API, e.g. https://api.demo.covoiturage.beta.gouv.fr/v3.3. Unset: no export. */
  RPC_URL: z.string().url().optional(),
  /** A ready access token; or RPC_ACCESS_KEY + RPC_SECRET_KEY, exchanged at /auth/access_token (valid 5 min). */
  RPC_TOKEN: z.string().optional(),
  RPC_ACCESS_KEY: z.string().optional(),
  RPC_SECRET_KEY: z.string().optional(),
  /** Proof class declared (A, B or C, see the registry's documentation); A claims the least. */
  RPC_OPERATOR_CLASS: z.enum(['A', 'B', 'C']).default('A'),
  RPC_POLL_MS: z.coerce.number().int().positive().default(10_000),
  RPC_BATCH: z.coerce.number().int().min(1).max(500).default(20),
  RPC_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Retries back off exponentially from this delay, doubled each time, up to 6 hours; then the row is 'failed'. */
  RPC_BACKOFF_BASE_S: z.coerce.number().positive().default(30),
  RPC_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(12),
  RPC_TIMEZONE: z.string().default('Europe/Paris'),
});

export type RpcConfig = z.infer<typeof schema>;

export function loadRpcConfig(env: Record<string, string | undefined> = process.env): RpcConfig {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) throw new Error(`Invalid RPC configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
