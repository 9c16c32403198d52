import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbTarget, GtfsError, importFeed, listVersions, removeVersion, type ImportTarget } from '../../gtfs-import/src/index.ts';
import type { Db } from '@comobi/db';
import { migrate } from '../../services/src/schema.ts';
import { openPglite } from '@comobi/db/pglite';
import { findAlternatives } from '../../services/src/transit/index.ts';
import { flexFeed, makeZip, snapshot, tinyFeed } from './helpers.ts';

// The embedded back end (PGlite + PostGIS, in memory): same migrations, same importer (batched INSERTs instead of COPY).
let db: Db;
let target: ImportTarget;

beforeAll(async () => {
  db = await openPglite();
  await migrate(db);
  target = dbTarget(db);
}, 180_000);

afterAll(async () => db?.close());

describe('GTFS on PGlite', () => {
  it('imports the GTFS-Flex examples and a feed with times past midnight', async () => {
    const various = await importFeed(target, flexFeed('various'), { name: 'various' });
    expect(Object.fromEntries(various.files.map((f) => [f.file, f.rows]))).toMatchObject({ 'stop_times.txt': 47_211, 'locations.geojson': 17, 'shapes.txt': 12_218 });
    expect(various.lenient).toEqual({ skipped_files: 1 }); // rider_categories.txt of an older fares draft
    const tiny = await importFeed(target, await makeZip(tinyFeed()), { name: 'tiny' });
    const { rows } = await db.query<{ max: number }>('SELECT max(arrival_time) AS max FROM gtfs.stop_times WHERE feed_version_id = $1', [tiny.version.id]);
    expect(rows[0].max).toBe(90_330);
    const alt = await findAlternatives(db, {
      from: [1.4345, 44.4493], to: [2.0312, 44.6089], date: '2025-03-04', timeMin: 480, timeKind: 'depart', toleranceMin: 30,
      purpose: 'work', territoryId: null, walkMaxM: 1000,
    });
    expect(alt.transit.map((j) => j.legs.map((l) => `${l.from.name} ${l.departure} → ${l.to.name} ${l.arrival}`))).toEqual([['Cahors Gare 08:00 → Figeac Gare 09:10']]);
  }, 180_000);

  it('leaves the database exactly as before when an import fails, and removes old versions', async () => {
    const before = await snapshot(db);
    const broken = { ...tinyFeed(), 'trips.txt': 'route_id,service_id,trip_id\nR1,WK,T1\nR1,WK,T1\n' };
    const err = await importFeed(target, await makeZip(broken), { name: 'tiny' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GtfsError);
    expect(err).toMatchObject({ code: 'E_DUPLICATE_ID', file: 'trips.txt', line: 3, column: 'trip_id' });
    expect(await snapshot(db)).toBe(before);
    // A stop_sequence twice in a trip is found when the primary key is built: still named with its line here.
    const repeated = { ...tinyFeed(), 'stop_times.txt': 'trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,08:00:00,08:00:00,S1,1\nT1,09:10:00,09:10:00,S2,1\nT2,23:50:00,23:50:00,S1,1\nT2,25:05:30,25:05:30,S2,2\n' };
    const dup = await importFeed(target, await makeZip(repeated), { name: 'tiny' }).catch((e: unknown) => e);
    expect(dup).toMatchObject({ code: 'E_DUPLICATE_ID', file: 'stop_times.txt', line: 3, column: 'stop_sequence', value: '1' });
    expect(await snapshot(db)).toBe(before);
    const v2 = await importFeed(target, await makeZip(tinyFeed()), { name: 'tiny' });
    const old = (await listVersions(target, 'tiny')).find((v) => v.status === 'superseded')!;
    expect(await removeVersion(target, old.id)).toBe(true);
    expect((await listVersions(target, 'tiny')).map((v) => [v.id, v.status])).toEqual([[v2.version.id, 'active']]);
  }, 120_000);
});
