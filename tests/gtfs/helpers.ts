import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import yazl from 'yazl';
import { openDb, type Db } from '@comobi/db';
import { migrate } from '../../services/src/schema.ts';

export const SERVER = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const DATA = path.resolve(import.meta.dirname, '../../../shared/data/gtfs');
export const TER = path.join(DATA, 'sncf-ter-2025-01-22.zip');
export const flexFeed = (n: 'on-demand-service' | 'same-day-service' | 'various') => path.join(DATA, `FlexExample--${n}.zip`);

/** A database created for this test file, migrated; drop() removes it. */
export async function createTestDatabase(): Promise<{ url: string; db: Db; drop: () => Promise<void> }> {
  const name = `comobi_gtfs_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  const db = await openDb({ DATABASE_URL: url.toString(), DATA_DIR: os.tmpdir() });
  await migrate(db);
  return {
    url: url.toString(),
    db,
    drop: async () => {
      await db.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

export type Files = Record<string, string | Buffer>;

/** Writes a zip of `files` (name → content) to a temporary file. */
export async function makeZip(files: Files, options: { rawNames?: boolean } = {}): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) {
    zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name, options.rawNames ? { forceZip64Format: false } : {});
  }
  zip.end();
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gtfs-test-')), 'feed.zip');
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(fs.createWriteStream(file)).on('close', resolve).on('error', reject);
  });
  return file;
}

/** A small valid feed near Cahors: two stops, one route, two trips (one past midnight), a weekday calendar. */
export const tinyFeed = (): Files => ({
  'agency.txt': 'agency_id,agency_name,agency_url,agency_timezone,agency_phone\nA,Lot Bus,https://example.org,Europe/Paris,05 00 00 00 00\n',
  'stops.txt':
    'stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n' +
    'S1,Cahors Gare,44.4491,1.4340,0,\nS2,Figeac Gare,44.6086,2.0317,0,\n',
  'routes.txt': 'route_id,agency_id,route_short_name,route_long_name,route_type\nR1,A,L1,Cahors - Figeac,3\n',
  'calendar.txt': 'service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20250101,20251231\n',
  'calendar_dates.txt': 'service_id,date,exception_type\nWK,20250714,2\n',
  'trips.txt': 'route_id,service_id,trip_id,trip_headsign\nR1,WK,T1,Figeac\nR1,WK,T2,Figeac (night)\n',
  'stop_times.txt':
    'trip_id,arrival_time,departure_time,stop_id,stop_sequence\n' +
    'T1,08:00:00,08:00:00,S1,1\nT1,09:10:00,09:10:00,S2,2\n' +
    'T2,23:50:00,23:50:00,S1,1\nT2,25:05:30,25:05:30,S2,2\n',
});

/** Row counts of every feed version table, and the partitions present: "the database as it was". */
export async function snapshot(db: Db): Promise<string> {
  const versions = await db.query('SELECT id, feed_id, version, status FROM gtfs.feed_versions ORDER BY id');
  const feeds = await db.query('SELECT id, name FROM gtfs.feeds ORDER BY id');
  const tables = await db.query(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'gtfs' AND c.relkind = 'r' ORDER BY 1`,
  );
  return JSON.stringify({ versions: versions.rows, feeds: feeds.rows, tables: tables.rows });
}
