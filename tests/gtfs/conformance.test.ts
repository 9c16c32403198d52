import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GtfsError, importFeed, type ImportTarget } from '../../gtfs-import/src/index.ts';
import { postgresTarget } from '../../gtfs-import/src/target.ts';
import type { Db } from '@comobi/db';
import { createTestDatabase, makeZip, snapshot, tinyFeed, type Files } from './helpers.ts';

// What the reference validators (MobilityData's gtfs-validator) and the GTFS reference say of a feed, and how the
// importer answers: an error with file, line, column and a stable code, or a warning with its code and place.
let db: Db;
let target: ImportTarget;
let drop: () => Promise<void>;

beforeAll(async () => {
  const t = await createTestDatabase();
  ({ db, drop } = t);
  target = await postgresTarget(t.url);
}, 60_000);

afterAll(async () => {
  await target?.close();
  await drop?.();
});

/** tinyFeed's service runs through 2025: judged on a day inside it unless a test says otherwise. */
const IN_SERVICE = '2025-06-02';
const st = 'trip_id,arrival_time,departure_time,stop_id,stop_sequence\n';
const withFiles = (files: Files): Files => ({ ...tinyFeed(), ...files });
/** T1 with three stops: `middle` is the second row (line 3), T2 unchanged. */
const threeStops = (first: string, middle: string, last: string) =>
  withFiles({
    'stops.txt': 'stop_id,stop_name,stop_lat,stop_lon\nS1,Cahors Gare,44.4491,1.4340\nS2,Figeac Gare,44.6086,2.0317\nS3,Gramat,44.7806,1.7257\n',
    'stop_times.txt': `${st}T1,${first},S1,1\nT1,${middle},S3,2\nT1,${last},S2,3\nT2,23:50:00,23:50:00,S1,1\nT2,25:05:30,25:05:30,S2,2\n`,
  });

async function failure(files: Files | string, options: { strict?: boolean; today?: string } = {}) {
  const before = await snapshot(db);
  const zip = typeof files === 'string' ? files : await makeZip(files);
  const err = await importFeed(target, zip, { name: 'conformance', today: IN_SERVICE, ...options }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GtfsError);
  // All or nothing: the database exactly as before.
  expect(await snapshot(db)).toBe(before);
  return (err as GtfsError).toJSON();
}

const times = async (versionId: number, trip: string) =>
  (await db.query<{ seq: number; arr: number | null; dep: number | null }>(
    `SELECT st.stop_sequence AS seq, st.arrival_time AS arr, st.departure_time AS dep FROM gtfs.stop_times st
     JOIN gtfs.trips t ON t.feed_version_id = st.feed_version_id AND t.trip_key = st.trip_key
     WHERE st.feed_version_id = $1 AND t.trip_id = $2 ORDER BY 1`,
    [versionId, trip],
  )).rows;

describe('arrival and departure times (GTFS reference: required at a trip’s first and last stop)', () => {
  it('refuses a first stop time without arrival and departure times: missing_trip_edge', async () => {
    const e = await failure(threeStops(',', '08:30:00,08:30:00', '09:10:00,09:10:00'));
    expect(e).toMatchObject({ code: 'E_MISSING_TRIP_EDGE', file: 'stop_times.txt', line: 2, column: 'arrival_time' });
    expect(e.message).toContain('first stop of trip "T1"');
  });

  it('refuses a last stop time with an arrival but no departure, wherever the row sits in the file', async () => {
    const files = withFiles({ 'stop_times.txt': `${st}T1,09:10:00,,S2,2\nT2,23:50:00,23:50:00,S1,1\nT2,25:05:30,25:05:30,S2,2\nT1,08:00:00,08:00:00,S1,1\n` });
    const e = await failure(files);
    expect(e).toMatchObject({ code: 'E_MISSING_TRIP_EDGE', file: 'stop_times.txt', line: 2, column: 'departure_time' });
    expect(e.message).toContain('last stop of trip "T1" (stop_sequence 2)');
  });

  it('reads an intermediate stop time with one time as the same time for both, with a warning; --strict refuses it', async () => {
    const files = threeStops('08:00:00,08:00:00', ',08:30:00', '09:10:00,09:10:00');
    const report = await importFeed(target, await makeZip(files), { name: 'one-time', today: IN_SERVICE });
    expect(report.lenient).toEqual({ only_arrival_or_departure: 1 });
    expect(report.notices).toContainEqual(expect.objectContaining({ code: 'W_ONLY_ARRIVAL_OR_DEPARTURE', file: 'stop_times.txt', line: 3, column: 'arrival_time' }));
    expect(report.warnings).toContain('stop_times.txt line 3: trip "T1" stop_sequence 2 has departure_time but no arrival_time; read as the same time');
    expect(await times(report.version.id, 'T1')).toEqual([
      { seq: 1, arr: 8 * 3600, dep: 8 * 3600 },
      { seq: 2, arr: 8.5 * 3600, dep: 8.5 * 3600 },
      { seq: 3, arr: 9 * 3600 + 600, dep: 9 * 3600 + 600 },
    ]);
    const e = await failure(files, { strict: true });
    expect(e).toMatchObject({ code: 'E_ONLY_ARRIVAL_OR_DEPARTURE', file: 'stop_times.txt', line: 3, column: 'arrival_time' });
  });

  it('accepts an intermediate stop time without times (the reference allows it), with no warning', async () => {
    const report = await importFeed(target, await makeZip(threeStops('08:00:00,08:00:00', ',', '09:10:00,09:10:00')), { name: 'untimed', today: IN_SERVICE, strict: true });
    expect(report.notices.filter((n) => n.file === 'stop_times.txt')).toEqual([]);
    expect((await times(report.version.id, 'T1'))[1]).toEqual({ seq: 2, arr: null, dep: null });
  });
});

describe('the file’s text and the zip', () => {
  it('warns of a line break inside a quoted value, naming file, line and column', async () => {
    const files = withFiles({ 'routes.txt': 'route_id,agency_id,route_short_name,route_long_name,route_type\nR1,A,L1,"Cahors\nFigeac",3\n' });
    const report = await importFeed(target, await makeZip(files), { name: 'newline', today: IN_SERVICE });
    expect(report.notices).toContainEqual({
      code: 'W_NEWLINE_IN_VALUE', file: 'routes.txt', line: 2, column: 'route_long_name',
      message: 'routes.txt line 2: a quoted value of route_long_name holds a line break, kept as is',
    });
    const r = await db.query<{ route_long_name: string }>('SELECT route_long_name FROM gtfs.routes WHERE feed_version_id = $1', [report.version.id]);
    expect(r.rows[0].route_long_name).toBe('Cahors\nFigeac');
  });

  it('refuses a NUL byte as E_ENCODING with its file and line', async () => {
    const files = withFiles({ 'trips.txt': Buffer.from('route_id,service_id,trip_id\nR1,WK,T1\nR1,WK,T2\u0000\n') });
    expect(await failure(files)).toMatchObject({ code: 'E_ENCODING', file: 'trips.txt', line: 3 });
  });

  it('refuses a repeated stop_sequence within a trip as E_DUPLICATE_ID with its line', async () => {
    const files = withFiles({ 'stop_times.txt': `${st}T1,08:00:00,08:00:00,S1,1\nT2,23:50:00,23:50:00,S1,1\nT1,09:10:00,09:10:00,S2,1\nT2,25:05:30,25:05:30,S2,2\n` });
    const e = await failure(files);
    expect(e).toMatchObject({ code: 'E_DUPLICATE_ID', file: 'stop_times.txt', line: 4, column: 'stop_sequence', value: '1' });
    expect(e.message).toContain('trip_id "T1", stop_sequence "1" already on line 2');
    expect(e.message).not.toMatch(/pkey|_v\d+/);
  });

  it('names the line of any repeated key found when the table is indexed (calendar_dates: a date twice for a service)', async () => {
    const files = withFiles({ 'calendar_dates.txt': 'service_id,date,exception_type\nWK,20250714,2\nWK,20250715,2\nWK,20250714,2\n' });
    expect(await failure(files)).toMatchObject({ code: 'E_DUPLICATE_ID', file: 'calendar_dates.txt', line: 4 });
  });

  it('refuses a zip entry that inflates past its declared size with a stable code', async () => {
    const zip = await makeZip(tinyFeed());
    shrinkDeclaredSize(zip, 'stop_times.txt', 20);
    const e = await failure(zip);
    expect(e).toMatchObject({ code: 'E_ZIP_INVALID', file: 'stop_times.txt' });
    expect(e.message).toContain('declared size of 20 bytes');
  });

  it('reads a feed zipped with its folder, says so, and refuses it with --strict naming the folder', async () => {
    const inFolder = Object.fromEntries(Object.entries(tinyFeed()).map(([n, c]) => [`export-2025/${n}`, c]));
    const report = await importFeed(target, await makeZip({ ...inFolder, 'LISEZMOI.txt': 'hello' }), { name: 'folder', today: IN_SERVICE });
    expect(report.files.map((f) => f.file)).toContain('stop_times.txt');
    expect(report.notices).toContainEqual(expect.objectContaining({ code: 'W_FOLDER', column: 'export-2025/' }));
    expect(report.lenient).toEqual({ files_in_folder: 1 });
    expect(report.ignoredFiles).toEqual(['LISEZMOI.txt']);
    expect(await failure(inFolder, { strict: true })).toMatchObject({ code: 'E_ZIP_FOLDER', column: 'export-2025/' });
  });

  it('refuses GTFS files both at the root and in a folder, naming the folder', async () => {
    const e = await failure({ ...tinyFeed(), 'old/stops.txt': tinyFeed()['stops.txt'] });
    expect(e).toMatchObject({ code: 'E_ZIP_FOLDER', column: 'old' });
    expect(e.message).toContain('the root and "old/"');
  });
});

describe('an expired feed', () => {
  it('is activated with a warning in the report, and refused with --strict', async () => {
    const zip = await makeZip(tinyFeed());
    const report = await importFeed(target, zip, { name: 'expired', today: '2026-01-05' });
    expect(report.version.status).toBe('active');
    expect(report.expired).toEqual({ end: '2025-12-31', today: '2026-01-05' });
    expect(report.notices[0]).toMatchObject({ code: 'W_EXPIRED', file: 'calendar.txt', column: 'end_date', value: '2025-12-31' });
    expect(report.warnings[0]).toBe('expired feed: the service ends on 2025-12-31, before today (2026-01-05); activated anyway (refused with --strict)');
    const stored = await db.query<{ report: { notices: { code: string }[] } }>('SELECT report FROM gtfs.feed_versions WHERE id = $1', [report.version.id]);
    expect(stored.rows[0].report.notices.map((n) => n.code)).toContain('W_EXPIRED');
    expect(await failure(zip, { strict: true, today: '2026-01-05' })).toMatchObject({ code: 'E_EXPIRED', file: 'calendar.txt', column: 'end_date', value: '2025-12-31' });

    const current = await importFeed(target, zip, { name: 'expired', today: '2025-12-31', strict: true });
    expect(current.expired).toBeNull();
    expect(current.notices.map((n) => n.code)).not.toContain('W_EXPIRED');
  });

  it('counts feed_info.txt’s feed_end_date and calendar_dates.txt’s added days', async () => {
    const files = withFiles({
      'calendar_dates.txt': 'service_id,date,exception_type\nWK,20260301,1\n',
      'feed_info.txt': 'feed_publisher_name,feed_publisher_url,feed_lang,feed_end_date\nLot Bus,https://example.org,fr,20260115\n',
    });
    const zip = await makeZip(files);
    const report = await importFeed(target, zip, { name: 'feed-end', today: '2026-02-01' });
    expect(report.expired).toEqual({ end: '2026-01-15', today: '2026-02-01' });
    expect(report.notices).toContainEqual(expect.objectContaining({ code: 'W_EXPIRED', file: 'feed_info.txt', column: 'feed_end_date' }));
    const noFeedEnd = withFiles({ 'calendar_dates.txt': 'service_id,date,exception_type\nWK,20260301,1\n' });
    expect((await importFeed(target, await makeZip(noFeedEnd), { name: 'feed-end', today: '2026-02-01' })).expired).toBeNull();
    expect((await importFeed(target, await makeZip(noFeedEnd), { name: 'feed-end', today: '2026-03-02' })).expired).toEqual({ end: '2026-03-01', today: '2026-03-02' });
  });
});

/** Rewrites the uncompressed size that the central directory declares for `name` (same length: the zip stays valid). */
function shrinkDeclaredSize(zipPath: string, name: string, size: number) {
  const buf = fs.readFileSync(zipPath);
  for (let i = buf.indexOf(0x02014b50 & 0xff); i >= 0 && i < buf.length - 46; i = buf.indexOf(0x50, i + 1)) {
    if (buf.readUInt32LE(i) !== 0x02014b50) continue;
    const nameLen = buf.readUInt16LE(i + 28);
    if (buf.subarray(i + 46, i + 46 + nameLen).toString() !== name) continue;
    buf.writeUInt32LE(size, i + 24);
    fs.writeFileSync(zipPath, buf);
    return;
  }
  throw new Error(`no central directory entry ${name}`);
}
