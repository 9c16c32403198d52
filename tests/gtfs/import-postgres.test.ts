import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GtfsError, importFeed, listVersions, removeVersion, type ImportTarget } from '../../gtfs-import/src/index.ts';
import { postgresTarget } from '../../gtfs-import/src/target.ts';
import type { Db } from '@comobi/db';
import { createTestDatabase, flexFeed, makeZip, snapshot, TER, tinyFeed, type Files } from './helpers.ts';

let db: Db;
let target: ImportTarget;
let drop: () => Promise<void>;

beforeAll(async () => {
  const t = await createTestDatabase();
  db = t.db;
  drop = t.drop;
  target = await postgresTarget(t.url);
}, 60_000);

afterAll(async () => {
  await target?.close();
  await drop?.();
});

const count = async (sql: string, params: unknown[] = []) => Number((await db.query<{ n: number }>(sql, params)).rows[0].n);

describe('importing real feeds into PostgreSQL', () => {
  it('loads the SNCF TER feed with its report, service period and bounding box', async () => {
    const report = await importFeed(target, TER, { name: 'ter' });
    const rows = Object.fromEntries(report.files.map((f) => [f.file, f.rows]));
    expect(rows).toMatchObject({ 'stop_times.txt': 299_983, 'trips.txt': 33_280, 'stops.txt': 9_196, 'calendar_dates.txt': 118_881 });
    expect(report.servicePeriod).toEqual({ start: '2025-01-22', end: '2025-04-22' });
    const [minLng, minLat, maxLng, maxLat] = report.bbox!;
    expect(minLng).toBeLessThan(1.44); // Cahors is inside
    expect(maxLng).toBeGreaterThan(2.03); // Figeac too
    expect(minLat).toBeLessThan(44.44);
    expect(maxLat).toBeGreaterThan(44.61);
    expect(report.warnings.some((w) => w.includes('feed_info.txt: unknown column "conv_rev"'))).toBe(true);
    // Its service ended in April 2025: activated, with the warning (--strict would refuse it).
    expect(report.version.status).toBe('active');
    expect(report.expired).toEqual({ end: '2025-04-22', today: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) });
    expect(report.notices.map((n) => n.code)).toContain('W_EXPIRED');
    expect(await count(`SELECT count(*) AS n FROM gtfs.stop_times WHERE feed_version_id = $1`, [report.version.id])).toBe(299_983);
    const stored = await db.query<{ status: string; report: { files: unknown[] } }>('SELECT status, report FROM gtfs.feed_versions WHERE id = $1', [report.version.id]);
    expect(stored.rows[0].status).toBe('active');
    expect(stored.rows[0].report.files).toHaveLength(report.files.length);
    // Stops are PostGIS points: Cahors station within 100 m of its known position.
    expect(await count(`SELECT count(*) AS n FROM gtfs.stops WHERE stop_name = 'Cahors' AND ST_DWithin(geom::geography, ST_MakePoint(1.4340, 44.4491)::geography, 300)`)).toBeGreaterThan(0);
  }, 120_000);

  it('loads the three GTFS-Flex examples: zones, booking rules, pickup/drop-off windows', async () => {
    for (const n of ['on-demand-service', 'same-day-service', 'various'] as const) {
      const report = await importFeed(target, flexFeed(n), { name: `flex-${n}` });
      expect(report.version.status).toBe('active');
      const v = report.version.id;
      expect(await count('SELECT count(*) AS n FROM gtfs.locations WHERE feed_version_id = $1', [v])).toBeGreaterThan(0);
      expect(await count('SELECT count(*) AS n FROM gtfs.booking_rules WHERE feed_version_id = $1', [v])).toBeGreaterThan(0);
      expect(await count('SELECT count(*) AS n FROM gtfs.stop_times WHERE feed_version_id = $1 AND start_pickup_drop_off_window IS NOT NULL', [v])).toBeGreaterThan(0);
    }
    // on-demand-service: 11:00–23:00 window kept as seconds, the zone is a polygon, the rule has its phone.
    const [w] = (await db.query<{ s: number; e: number; phone: string; kind: string }>(
      `SELECT st.start_pickup_drop_off_window AS s, st.end_pickup_drop_off_window AS e, b.phone_number AS phone, GeometryType(l.geom) AS kind
       FROM gtfs.stop_times st JOIN gtfs.feed_versions fv ON fv.id = st.feed_version_id JOIN gtfs.feeds f ON f.id = fv.feed_id
       JOIN gtfs.booking_rules b ON b.feed_version_id = st.feed_version_id AND b.booking_rule_key = st.pickup_booking_rule_key
       JOIN gtfs.locations l ON l.feed_version_id = st.feed_version_id AND l.place_key = st.stop_key
       WHERE f.name = 'flex-on-demand-service' LIMIT 1`,
    )).rows;
    expect(w).toMatchObject({ s: 11 * 3600, e: 23 * 3600, phone: '877-230-6045' });
    expect(['POLYGON', 'MULTIPOLYGON']).toContain(w.kind);
  }, 120_000);
});

describe('feed versions', () => {
  it('keeps times past 24:00:00 exact, switches versions in one go, lists and removes old ones', async () => {
    const zip = await makeZip(tinyFeed());
    const v1 = await importFeed(target, zip, { name: 'tiny' });
    const night = await db.query<{ arrival_time: number }>(
      `SELECT st.arrival_time FROM gtfs.stop_times st JOIN gtfs.trips t ON t.feed_version_id = st.feed_version_id AND t.trip_key = st.trip_key
       WHERE st.feed_version_id = $1 AND t.trip_id = 'T2' AND st.stop_sequence = 2`,
      [v1.version.id],
    );
    expect(night.rows[0].arrival_time).toBe(25 * 3600 + 5 * 60 + 30);
    const v2 = await importFeed(target, zip, { name: 'tiny' });
    expect(v2.version.version).toBe(v1.version.version + 1);
    expect(v2.supersededVersionIds).toEqual([v1.version.id]);
    const versions = await listVersions(target, 'tiny');
    expect(versions.map((v) => [v.version, v.status])).toEqual([[1, 'superseded'], [2, 'active']]);
    await expect(removeVersion(target, v2.version.id)).rejects.toThrow(/active/);
    expect(await removeVersion(target, v1.version.id)).toBe(true);
    expect((await listVersions(target, 'tiny')).map((v) => v.version)).toEqual([2]);
    expect(await count('SELECT count(*) AS n FROM gtfs.stop_times WHERE feed_version_id = $1', [v1.version.id])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM pg_class WHERE relname = $1`, [`stop_times_v${v1.version.id}`])).toBe(0);
  }, 60_000);
});

const tiny = tinyFeed();
const withFile = (name: string, content: string | Buffer | undefined): Files => {
  const f: Files = { ...tiny };
  if (content === undefined) delete f[name];
  else f[name] = content;
  return f;
};

interface BadCase {
  name: string;
  files: Files;
  code: GtfsError['code'];
  file: string;
  line?: number;
  column?: string;
  strict?: boolean;
}

const stHeader = 'trip_id,arrival_time,departure_time,stop_id,stop_sequence\n';
const badCases: BadCase[] = [
  { name: 'unbalanced quote', files: withFile('stops.txt', 'stop_id,stop_name,stop_lat,stop_lon\nS1,"Cahors Gare,44.4491,1.4340\nS2,Figeac,44.6,2.03\n'), code: 'E_CSV_QUOTE', file: 'stops.txt', line: 2 },
  { name: 'wrong encoding (Latin-1)', files: withFile('stops.txt', Buffer.concat([Buffer.from('stop_id,stop_name,stop_lat,stop_lon\nS1,Cahors,44.4491,1.4340\nS2,Figeac '), Buffer.from([0xe9]), Buffer.from(',44.6,2.03\n')])), code: 'E_ENCODING', file: 'stops.txt', line: 3 },
  { name: 'duplicate column', files: withFile('routes.txt', 'route_id,agency_id,route_type,route_type\nR1,A,3,3\n'), code: 'E_DUPLICATE_COLUMN', file: 'routes.txt', line: 1, column: 'route_type' },
  { name: 'missing required column', files: withFile('routes.txt', 'route_id,agency_id,route_short_name\nR1,A,L1\n'), code: 'E_MISSING_COLUMN', file: 'routes.txt', line: 1, column: 'route_type' },
  { name: 'missing required file', files: withFile('trips.txt', undefined), code: 'E_MISSING_FILE', file: 'trips.txt' },
  { name: 'stop_times → unknown trip', files: withFile('stop_times.txt', `${stHeader}T1,08:00:00,08:00:00,S1,1\nT9,09:00:00,09:00:00,S2,2\n`), code: 'E_UNKNOWN_REF', file: 'stop_times.txt', line: 3, column: 'trip_id' },
  { name: 'stop_times → unknown stop', files: withFile('stop_times.txt', `${stHeader}T1,08:00:00,08:00:00,S1,1\nT1,09:00:00,09:00:00,S7,2\n`), code: 'E_UNKNOWN_REF', file: 'stop_times.txt', line: 3, column: 'stop_id' },
  { name: 'trips → unknown route', files: withFile('trips.txt', 'route_id,service_id,trip_id\nR1,WK,T1\nR9,WK,T2\n'), code: 'E_UNKNOWN_REF', file: 'trips.txt', line: 3, column: 'route_id' },
  { name: 'trips → unknown calendar', files: withFile('trips.txt', 'route_id,service_id,trip_id\nR1,WK,T1\nR1,SUN,T2\n'), code: 'E_UNKNOWN_REF', file: 'trips.txt', line: 3, column: 'service_id' },
  { name: 'invalid time', files: withFile('stop_times.txt', `${stHeader}T1,08:00:00,08:00:00,S1,1\nT1,9h10,9h10,S2,2\n`), code: 'E_INVALID_TIME', file: 'stop_times.txt', line: 3, column: 'arrival_time' },
  { name: 'invalid date', files: withFile('calendar_dates.txt', 'service_id,date,exception_type\nWK,20250230,2\n'), code: 'E_INVALID_DATE', file: 'calendar_dates.txt', line: 2, column: 'date' },
  { name: 'invalid coordinate', files: withFile('stops.txt', 'stop_id,stop_name,stop_lat,stop_lon\nS1,Cahors,44.4491,1.4340\nS2,Figeac,144.6,2.03\n'), code: 'E_INVALID_COORDINATE', file: 'stops.txt', line: 3, column: 'stop_lat' },
  { name: 'empty file', files: withFile('stop_times.txt', ''), code: 'E_EMPTY_FILE', file: 'stop_times.txt' },
  { name: 'file with a header only', files: withFile('trips.txt', 'route_id,service_id,trip_id\n'), code: 'E_EMPTY_FILE', file: 'trips.txt' },
  { name: 'duplicate id', files: withFile('routes.txt', 'route_id,agency_id,route_type\nR1,A,3\nR1,A,3\n'), code: 'E_DUPLICATE_ID', file: 'routes.txt', line: 3, column: 'route_id' },
  { name: 'short row, strict', files: withFile('routes.txt', 'route_id,agency_id,route_type,route_color\nR1,A,3\n'), code: 'E_COLUMN_COUNT', file: 'routes.txt', line: 2, strict: true },
];

describe('bad input: an error naming file, line and column, and the database exactly as before', () => {
  it.each(badCases)('$name → $code', async (c) => {
    const before = await snapshot(db);
    const zip = await makeZip(c.files);
    const err = await importFeed(target, zip, { name: 'bad', strict: c.strict }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GtfsError);
    const e = err as GtfsError;
    expect({ code: e.code, file: e.file }).toEqual({ code: c.code, file: c.file });
    if (c.line !== undefined) expect(e.line).toBe(c.line);
    if (c.column !== undefined) expect(e.column).toBe(c.column);
    expect(await snapshot(db)).toBe(before);
  });

  it('refuses a zip whose entry escapes the folder, before writing anything', async () => {
    const zip = await makeZip({ ...tiny, 'xx/evil.txt': 'boom' });
    // Same length, so the archive stays valid: "xx/" becomes "../" in both headers.
    const bytes = fs.readFileSync(zip);
    fs.writeFileSync(zip, Buffer.from(bytes.toString('latin1').replaceAll('xx/evil.txt', '../evil.txt'), 'latin1'));
    const before = await snapshot(db);
    await expect(importFeed(target, zip, { name: 'evil' })).rejects.toMatchObject({ code: 'E_ZIP_PATH' });
    expect(await snapshot(db)).toBe(before);
  });

  it('refuses a zip that would expand past the limit', async () => {
    const zip = await makeZip({ ...tiny, 'notes.txt': 'x'.repeat(200_000) });
    const before = await snapshot(db);
    await expect(importFeed(target, zip, { name: 'bomb', maxUncompressedBytes: 100_000 })).rejects.toMatchObject({ code: 'E_ZIP_TOO_LARGE' });
    expect(await snapshot(db)).toBe(before);
  });

  it('accepts a UTF-8 BOM and CRLF line ends, and reads short rows leniently (refused with --strict)', async () => {
    const files = withFile('routes.txt', '\uFEFFroute_id,agency_id,route_short_name,route_long_name,route_type,route_color\r\nR1,A,L1,"Cahors, Figeac",3\r\n');
    const report = await importFeed(target, await makeZip(files), { name: 'crlf' });
    expect(report.lenient).toEqual({ short_rows: 1 });
    const r = await db.query<{ route_long_name: string }>('SELECT route_long_name FROM gtfs.routes WHERE feed_version_id = $1', [report.version.id]);
    expect(r.rows[0].route_long_name).toBe('Cahors, Figeac');
    await expect(importFeed(target, await makeZip(files), { name: 'crlf', strict: true })).rejects.toMatchObject({ code: 'E_COLUMN_COUNT' });
  });

  it('keeps unknown files and columns out with a warning, never an error', async () => {
    const files = { ...withFile('agency.txt', 'agency_id,agency_name,agency_url,agency_timezone,mascot\nA,Lot Bus,https://example.org,Europe/Paris,owl\n'), 'runcut.txt': 'a,b\n1,2\n' };
    const report = await importFeed(target, await makeZip(files), { name: 'unknown' });
    expect(report.ignoredFiles).toEqual(['runcut.txt']);
    expect(report.warnings).toContain('agency.txt: unknown column "mascot" (column 5), ignored');
  });

  it('records a failed version only when asked (--keep-failed)', async () => {
    const zip = await makeZip(withFile('trips.txt', 'route_id,service_id,trip_id\nR9,WK,T1\n'));
    await expect(importFeed(target, zip, { name: 'kept', keepFailed: true })).rejects.toMatchObject({ code: 'E_UNKNOWN_REF' });
    const rows = await db.query<{ status: string; report: { error: { code: string; line: number } } }>(
      `SELECT v.status, v.report FROM gtfs.feed_versions v JOIN gtfs.feeds f ON f.id = v.feed_id WHERE f.name = 'kept'`,
    );
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0].status).toBe('failed');
    expect(rows.rows[0].report.error).toMatchObject({ code: 'E_UNKNOWN_REF', line: 2 });
  });
});
