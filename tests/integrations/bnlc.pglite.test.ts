import { afterAll, beforeAll, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { examplesBehave } from './bnlc-cases.ts';

// The 400 migration and the importer on the embedded store (PGlite + PostGIS), as `npm start` runs by default.
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb('pglite');
});
afterAll(async () => t?.drop());

it('imports and queries carpool areas on PGlite', async () => {
  await examplesBehave(t.db);
});
