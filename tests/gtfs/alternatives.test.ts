import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFeed } from '../../gtfs-import/src/index.ts';
import { postgresTarget } from '../../gtfs-import/src/target.ts';
import type { Db } from '@comobi/db';
import { findAlternatives, type AlternativesQuery } from '../../services/src/transit/index.ts';
import { openFeedZip } from '../../gtfs-import/src/zip.ts';
import { createTestDatabase, flexFeed, makeZip, TER, tinyFeed } from './helpers.ts';

let db: Db;
let url: string;
let drop: () => Promise<void>;
let territoryId: number;
const cahors: [number, number] = [1.4345, 44.4493];
const figeac: [number, number] = [2.0312, 44.6089];

beforeAll(async () => {
  const t = await createTestDatabase();
  db = t.db;
  url = t.url;
  drop = t.drop;
  const target = await postgresTarget(t.url);
  await importFeed(target, TER, { name: 'ter' });
  await importFeed(target, await makeZip(tinyFeed()), { name: 'tiny' });
  await importFeed(target, flexFeed('on-demand-service'), { name: 'aspen' });
  await target.close();
  territoryId = (await db.query<{ id: number }>(`INSERT INTO territories (slug, name) VALUES ('lot', 'Lot') RETURNING id`)).rows[0].id;
  await db.query(
    `INSERT INTO transport_providers (territory_id, kind, name, phone, area) VALUES
       ($1, 'seated_patient', 'VSL Quercy', '05 65 00 00 01', ST_Multi(ST_MakeEnvelope(1.3, 44.3, 2.1, 44.7, 4326))),
       ($1, 'taxi', 'Taxi Cahors', '05 65 00 00 02', ST_Multi(ST_MakeEnvelope(1.40, 44.40, 1.50, 44.50, 4326))),
       ($1, 'tad', 'TAD Grand Figeac', '05 65 00 00 03', NULL)`,
    [territoryId],
  );
}, 120_000);

afterAll(async () => drop?.());

const base: AlternativesQuery = {
  from: cahors, to: figeac, date: '2025-03-04', timeMin: 8 * 60, timeKind: 'depart', toleranceMin: 30, purpose: 'work', territoryId: null, walkMaxM: 1000,
};

/** Two points 0.0005° apart inside one on-demand zone of the feed. */
async function twoPointsInZone(feed: string): Promise<{ a: [number, number]; b: [number, number] }> {
  const { rows } = await db.query<{ a: [number, number]; b: [number, number] }>(
    `SELECT ARRAY[ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom))] AS a,
            ARRAY[ST_X(ST_PointOnSurface(geom)) + 0.0005, ST_Y(ST_PointOnSurface(geom))] AS b
     FROM gtfs.locations l JOIN gtfs.feed_versions v ON v.id = l.feed_version_id JOIN gtfs.feeds f ON f.id = v.feed_id
     WHERE f.name = $1 AND ST_Contains(geom, ST_Translate(ST_PointOnSurface(geom), 0.0005, 0)) LIMIT 1`,
    [feed],
  );
  return rows[0];
}

describe('findAlternatives', () => {
  it('finds a direct journey with route, agency, stops, times and walking distances', async () => {
    const alt = await findAlternatives(db, base);
    const direct = alt.transit.find((j) => j.kind === 'direct' && j.legs[0].feedName === 'tiny');
    expect(direct).toBeDefined();
    expect(direct!.legs[0]).toMatchObject({
      route: { id: 'R1', shortName: 'L1', longName: 'Cahors - Figeac', type: 3 },
      agency: { name: 'Lot Bus', phone: '05 00 00 00 00' },
      tripId: 'T1', from: { stopId: 'S1', name: 'Cahors Gare' }, to: { stopId: 'S2', name: 'Figeac Gare' },
      departure: '08:00', arrival: '09:10', departureMin: 480, arrivalMin: 550,
    });
    expect(direct!.walkToStopM).toBeGreaterThan(20);
    expect(direct!.walkToStopM).toBeLessThan(100);
    expect(direct!.leaveMin).toBeLessThan(480);
    expect(direct!.arriveMin).toBeGreaterThan(550);
  });

  it('follows calendar_dates (service removed on 14 July) and the time window', async () => {
    const holiday = await findAlternatives(db, { ...base, date: '2025-07-14' });
    expect(holiday.transit.some((j) => j.legs[0].feedName === 'tiny')).toBe(false);
    const late = await findAlternatives(db, { ...base, timeMin: 11 * 60 });
    expect(late.transit.some((j) => j.legs[0].tripId === 'T1')).toBe(false);
  });

  it('keeps a trip past midnight in minutes after the requested day’s midnight', async () => {
    const alt = await findAlternatives(db, { ...base, timeMin: 23 * 60 + 45, toleranceMin: 15 });
    const night = alt.transit.find((j) => j.legs[0].tripId === 'T2');
    expect(night?.legs[0]).toMatchObject({ arrival: '25:05', arrivalMin: 25 * 60 + 5 });
  });

  it('finds the previous evening’s night trip after midnight, on the service day it belongs to', async () => {
    // T2 (Monday to Friday) leaves Cahors at 23:50 and reaches Figeac at 25:05:30: on Saturday at 01:05, Friday's run.
    const saturday = await findAlternatives(db, { ...base, date: '2025-03-08', timeKind: 'arrive', timeMin: 70, toleranceMin: 15 });
    const night = saturday.transit.find((j) => j.legs[0].tripId === 'T2');
    expect(night?.legs[0]).toMatchObject({
      serviceDate: '2025-03-07', departure: '23:50', departureMin: -10, arrival: '01:05', arrivalMin: 65,
    });
    expect(night!.leaveMin).toBeLessThan(-10);
    // Depart-at just before midnight on Friday: the same run, on its own service day.
    const friday = await findAlternatives(db, { ...base, date: '2025-03-07', timeMin: 23 * 60 + 45, toleranceMin: 15 });
    expect(friday.transit.find((j) => j.legs[0].tripId === 'T2')?.legs[0]).toMatchObject({ serviceDate: '2025-03-07', arrival: '25:05' });
    // Monday 01:05: Sunday has no service, so no night trip.
    const monday = await findAlternatives(db, { ...base, date: '2025-03-10', timeKind: 'arrive', timeMin: 70, toleranceMin: 15 });
    expect(monday.transit.some((j) => j.legs[0].tripId === 'T2')).toBe(false);
  });

  it('finds TER journeys with one transfer when no train runs direct', async () => {
    const alt = await findAlternatives(db, { ...base, date: '2025-01-28', timeKind: 'arrive', timeMin: 11 * 60 + 30, toleranceMin: 60 });
    const ter = alt.transit.filter((j) => j.legs[0].feedName === 'ter');
    expect(ter.length).toBeGreaterThan(0);
    const transfer = ter.find((j) => j.kind === 'transfer');
    expect(transfer).toBeDefined();
    expect(transfer!.legs[0].from.name).toBe('Cahors');
    expect(transfer!.legs[1].to.name).toBe('Figeac');
    expect(transfer!.legs[1].departureMin - transfer!.legs[0].arrivalMin).toBeGreaterThanOrEqual(5);
    expect(transfer!.arriveMin).toBeLessThanOrEqual(11 * 60 + 30 + 60);
  });

  it('offers GTFS-Flex on-demand service with its booking rule when both ends are in the zone', async () => {
    const p = await twoPointsInZone('aspen');
    const q = { ...base, from: p.a, to: p.b, date: '2022-06-15', timeMin: 12 * 60 };
    const alt = await findAlternatives(db, q);
    expect(alt.onDemand.filter((o) => o.source === 'gtfs-flex')).toHaveLength(1);
    expect(alt.onDemand[0]).toMatchObject({
      name: 'Downtowner', agency: 'City of Aspen', phone: '877-230-6045', windowStartMin: 660, windowEndMin: 1380,
      booking: { bookingType: 0, phone: '877-230-6045' }, pickup: { kind: 'location' },
    });
    expect(alt.onDemand[0].booking!.message).toMatch(/Downtowner/);
    // Outside the service window, or outside the calendar: nothing.
    expect((await findAlternatives(db, { ...q, timeMin: 6 * 60 })).onDemand).toEqual([]);
    expect((await findAlternatives(db, { ...q, date: '2023-06-15' })).onDemand).toEqual([]);
  });

  it('offers on-demand service whose window started the evening before', async () => {
    // The Aspen feed with its windows moved to 22:00–26:00: at 01:00, the previous evening's service still runs.
    const zip = await openFeedZip(flexFeed('on-demand-service'));
    const files: Record<string, Buffer> = {};
    for (const name of zip.entries.keys()) {
      const chunks: Buffer[] = [];
      for await (const c of await zip.open(name)) chunks.push(c as Buffer);
      files[name] = Buffer.concat(chunks);
    }
    zip.close();
    files['stop_times.txt'] = Buffer.from(
      files['stop_times.txt'].toString('utf8').replace(/\d\d:\d\d:\d\d,\d\d:\d\d:\d\d/g, '22:00:00,26:00:00'),
    );
    const target = await postgresTarget(url);
    await importFeed(target, await makeZip(files), { name: 'aspen-night' });
    await target.close();
    const p = await twoPointsInZone('aspen-night');
    const q = { ...base, from: p.a, to: p.b, date: '2022-06-16', timeMin: 60 };
    const night = (await findAlternatives(db, q)).onDemand.filter((o) => o.source === 'gtfs-flex');
    expect(night).toHaveLength(1);
    expect(night[0]).toMatchObject({ name: 'Downtowner', windowStartMin: -120, windowEndMin: 120 });
    // At 03:00 the window has closed.
    expect((await findAlternatives(db, { ...q, timeMin: 180 })).onDemand.filter((o) => o.source === 'gtfs-flex')).toEqual([]);
  });

  it('lists seated-patient providers covering both ends for health trips only, and TAD providers', async () => {
    const health = await findAlternatives(db, { ...base, purpose: 'health', territoryId });
    expect(health.seatedPatient.map((p) => p.name)).toEqual(['VSL Quercy']); // the taxi's area misses Figeac
    expect(health.seatedPatient[0].area?.type).toBe('MultiPolygon');
    expect(health.onDemand.map((o) => o.name)).toContain('TAD Grand Figeac');
    const work = await findAlternatives(db, { ...base, purpose: 'work', territoryId });
    expect(work.seatedPatient).toEqual([]);
    expect(work.onDemand.map((o) => o.name)).toContain('TAD Grand Figeac');
  });
});
