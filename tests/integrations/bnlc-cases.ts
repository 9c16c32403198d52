import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { BnlcInvalid, importBnlc } from '../../services/src/bnlc/import.ts';
import { nearestCarpoolAreas } from '../../services/src/bnlc/nearest.ts';
import type { Db } from '@comobi/db';

export const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');
export const nationalFile = () => fs.readFileSync(path.resolve(import.meta.dirname, '../../../shared/data/bnlc/bnlc-2026-08-18.csv'), 'utf8');

/** Shared by the PostgreSQL and PGlite runs: the schema's examples, valid and invalid. */
export async function examplesBehave(db: Db) {
  expect(await importBnlc(db, fixture('exemple-valide.csv'))).toEqual({ imported: 1 });
  // Dieppe station, from 500 m away.
  const near = await nearestCarpoolAreas(db, [1.0875, 49.9218], 1000, 5);
  expect(near.map((a) => a.id)).toEqual(['76217-C-001']);
  expect(near[0].distanceM).toBeGreaterThan(300);
  expect(near[0].distanceM).toBeLessThan(600);
  expect(await nearestCarpoolAreas(db, [1.0875, 49.9218], 100, 5)).toEqual([]);

  const err = await importBnlc(db, fixture('exemple-invalide.csv')).catch((e) => e);
  expect(err).toBeInstanceOf(BnlcInvalid);
  expect((err as BnlcInvalid).errors).toContainEqual(expect.objectContaining({ code: 'type', line: 3, column: 'date_maj' }));
  // Rejected whole: the previous import is still there.
  expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM carpool_areas')).rows[0].n).toBe(1);
}
