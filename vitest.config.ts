import { defineConfig } from 'vitest/config';

/**
 * Two back ends: every test file runs on the real PostgreSQL/PostGIS; the core store and API tests run again on
 * the embedded PGlite + PostGIS (tests/core/**, tests/routing/**), the default of `npm start`.
 */
export default defineConfig({
  test: {
    // Browser journeys take 20–40 s on a quiet 2-core machine; a shared CI machine can be three times slower.
    testTimeout: 150_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['tests/helpers/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'postgres', include: ['tests/**/*.test.ts'], exclude: ['tests/**/*.pglite.test.ts', '**/node_modules/**'], env: { TEST_DB: 'postgres' } },
      },
      {
        extends: true,
        test: { name: 'pglite', include: ['tests/core/**/*.test.ts', 'tests/**/*.pglite.test.ts'], env: { TEST_DB: 'pglite' } },
      },
    ],
  },
});
