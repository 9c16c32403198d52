import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../services/src/auth/principal.ts';
import { migrate } from '../../services/src/schema.ts';
import { asPrincipal } from '../../services/src/auth/scope.ts';
import { cumulativeM, flatten } from '../../services/src/geo/polyline.ts';
import { LegIndex } from '../../services/src/matching/leg-index.ts';
import { loadAllLegs, syncLegs } from '../../services/src/matching/leg-store.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
let a: number;
let b: number;

beforeAll(async () => {
  t = await createTestDb();
  const ins = async (slug: string) =>
    (await t.db.query<{ id: number }>('INSERT INTO territories (slug, name) VALUES ($1, $1) RETURNING id', [slug])).rows[0].id;
  a = await ins('terr-a');
  b = await ins('terr-b');
});
afterAll(async () => t?.drop());

const addTrip = async (territoryId: number, coords: [number, number][]) => {
  const driver = await t.db.query<{ id: number }>('INSERT INTO people (territory_id, is_driver) VALUES ($1, true) RETURNING id', [territoryId]);
  const trip = await t.db.query<{ id: number }>(
    `INSERT INTO trips (territory_id, driver_id, kind, weekdays, departure_min, origin, destination, route, distance_m, duration_s)
     VALUES ($1, $2, 'regular', '{1,2,3,4,5}', 450, ST_SetSRID(ST_MakePoint($3, $4), 4326), ST_SetSRID(ST_MakePoint($5, $6), 4326),
             ST_SetSRID(ST_GeomFromGeoJSON($7), 4326), $8, 1200) RETURNING id`,
    [territoryId, driver.rows[0].id, ...coords[0], ...coords[coords.length - 1], JSON.stringify({ type: 'LineString', coordinates: coords }),
     cumulativeM(flatten(coords)).at(-1)],
  );
  return trip.rows[0].id;
};

describe('store', () => {
  it('applies migrations once: a second run has nothing to do', async () => {
    expect(await migrate(t.db)).toEqual([]);
    const { rows } = await t.db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    expect(rows.map((r) => r.name)).toContain('001_core.sql');
  });

  it('isolates territories in the database itself, whatever the query forgets', async () => {
    await addTrip(a, [[1.44, 44.44], [1.5, 44.5]]);
    await addTrip(b, [[1.6, 44.6], [1.7, 44.7]]);
    const seenBy = (p: Principal) => asPrincipal(t.db, p, async (tx) => (await tx.query<{ territory_id: number }>('SELECT territory_id FROM trips')).rows.map((r) => r.territory_id));
    expect(await seenBy({ actor: 'x', role: 'coordinator', territoryIds: [a] })).toEqual([a]);
    expect(await seenBy({ actor: 'x', role: 'coordinator', territoryIds: [b] })).toEqual([b]);
    expect((await seenBy({ actor: 'x', role: 'admin', territoryIds: null })).sort()).toEqual([a, b].sort());
    // Writing into another territory is refused by the policy too.
    await expect(
      asPrincipal(t.db, { actor: 'x', role: 'coordinator', territoryIds: [a] }, (tx) =>
        tx.query('INSERT INTO people (territory_id, is_driver) VALUES ($1, true)', [b])),
    ).rejects.toThrow(/row-level security/);
    const tokens = asPrincipal(t.db, { actor: 'x', role: 'coordinator', territoryIds: [a] }, (tx) => tx.query('SELECT * FROM api_tokens'));
    await expect(tokens).rejects.toThrow(/permission denied/);
  });

  it('keeps an index in sync with writes through NOTIFY', async () => {
    const index = new LegIndex();
    await loadAllLegs(t.db, index);
    const before = index.size;
    const stop = await syncLegs(t.db, index);
    try {
      const id = await addTrip(a, [[1.3, 44.3], [1.35, 44.35], [1.4, 44.4]]);
      const until = Date.now() + 5000;
      while (!index.legs.has(id * 2) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(index.legs.has(id * 2)).toBe(true);
      expect(index.size).toBe(before + 1);
      await t.db.query('UPDATE trips SET active = false WHERE id = $1', [id]);
      const until2 = Date.now() + 5000;
      while (index.legs.has(id * 2) && Date.now() < until2) await new Promise((r) => setTimeout(r, 20));
      expect(index.legs.has(id * 2)).toBe(false);
    } finally {
      await stop();
    }
  });
});
