import path from 'node:path';
import { z } from 'zod';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);

/** What the CLI reads from the environment: the same database settings as the service (README, Configuration). */
const schema = z.object({
  DATABASE_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
  DATA_DIR: z.string().default(path.join(repoRoot, 'data')),
});

export type ImporterConfig = z.infer<typeof schema>;

export function loadImporterConfig(env: Record<string, string | undefined> = process.env): ImporterConfig {
  const r = schema.safeParse(env);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${issues}`);
  }
  return r.data;
}
