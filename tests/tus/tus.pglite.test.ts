import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { residencesOf, tusSettings, writeTusSettings } from '../../services/src/domain/tus.ts';
import { tusReport } from '../../services/src/domain/tus-report.ts';
import { importUrbanUnits } from '../../services/src/territory/urban-units.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

/** The TUS tables, the importer and the report's SQL on the embedded back end (the default of `npm start`). */
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.drop());

it('imports the urban units, stores the option and counts an empty year on PGlite', async () => {
  const file = path.join(import.meta.dirname, '../../fixtures/lot-urban-units-2020.csv');
  expect(await importUrbanUnits(t.db, fs.readFileSync(file, 'utf8'), 'lot-urban-units-2020.csv')).toEqual({ communes: 320, units: 4, rural: 306 });
  const r = await residencesOf(t.db, ['46042', '46148']);
  expect(r.get('46042')).toMatchObject({ unitCode: '46401', unitPopulation: 23345, eligible: false });
  expect(r.get('46148')).toMatchObject({ unitCode: null, eligible: true });
  const id = (await t.db.query<{ id: number }>(`INSERT INTO territories (slug, name) VALUES ('lot', 'Lot') RETURNING id`)).rows[0].id;
  const scope = { actor: 'test', territoryIds: null };
  await writeTusSettings(t.db, scope, id, { enabled: true, associationName: 'A', rna: null, associationAddress: null, employees: 0, memberFeeEur: 12.5, requireMembership: true, blockConfirmation: false, careRules: null });
  expect(await tusSettings(t.db, id)).toMatchObject({ enabled: true, memberFeeEur: 12.5 });
  expect(await tusReport(t.db, scope, id, 2025)).toMatchObject({ trips: 0, drivers: 0, members: 0, meanDistanceKm: null, participationEur: 0 });
});
