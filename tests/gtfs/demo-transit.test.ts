import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weeksToNow } from '../../services/src/demo/transit.ts';
import type { TestServer } from '../helpers/server.ts';
import { startConsoleServer } from '../console/helpers.ts';
import { nextWeekday } from '../../services/src/time/days.ts';

// The demo as it loads on a first start: its TER extract (fixtures/gtfs/ter-lot.zip), its TAD zone and its
// seated-patient transport providers, so that "Autres solutions" shows what a real territory would.
const SOUILLAC_STATION = { lng: 1.466605, lat: 44.902127 };
const CAHORS_STATION = { lng: 1.433325, lat: 44.449275 };
const DOUELLE = { lng: 1.3583, lat: 44.4727 };
const CAHORS_HOSPITAL = { lng: 1.4465, lat: 44.4565 };
const GOURDON = { lng: 1.3832, lat: 44.7373 };

let srv: TestServer;
let territoryId: number;
const today = new Date().toISOString().slice(0, 10);
/** The next Tuesday after today: inside the moved timetable, which starts within the last seven days. */
const tuesday = nextWeekday(2);

beforeAll(async () => {
  // With the console's routes: the feed list is theirs.
  srv = await startConsoleServer({ demo: true });
  territoryId = (await srv.booted.services.db.query<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`)).rows[0].id;
}, 300_000);
afterAll(async () => srv?.close());

const alternatives = async (body: object) => {
  const r = await srv.api('POST', '/api/match', { territoryId, date: tuesday, timeKind: 'depart', toleranceMin: 60, alternatives: true, ...body });
  expect(r.status).toBe(200);
  return r.body.alternatives;
};

describe('the demo’s other ways to travel', () => {
  it('moves the published timetable by whole weeks to the current period', () => {
    expect(weeksToNow('2025-01-22', '2025-01-22')).toBe(0);
    expect(weeksToNow('2025-01-22', '2025-01-28')).toBe(0);
    expect(weeksToNow('2025-01-22', '2025-01-29')).toBe(7);
    expect(weeksToNow('2025-01-22', '2026-12-01') % 7).toBe(0);
  });

  it('loads the TER extract with its dates moved, and lists it with its published period', async () => {
    const r = await srv.api('GET', '/api/feeds');
    expect(r.status).toBe(200);
    const feed = r.body.find((f: any) => f.name === 'SNCF TER – lignes du Lot (démo)');
    expect(feed).toBeDefined();
    expect(feed.territoryId).toBe(territoryId);
    expect(feed.current.status).toBe('active');
    expect(feed.current.calendarShift.published).toEqual({ start: '2025-01-22', end: '2025-04-22' });
    expect(feed.current.calendarShift.days % 7).toBe(0);
    // The first service day in the last week, the last one about three months ahead.
    expect(feed.current.serviceStart <= today).toBe(true);
    expect(feed.current.serviceEnd > tuesday).toBe(true);
    const one = await srv.api('GET', `/api/feeds/${feed.id}`);
    expect(one.body.current.report.expired).toBeNull();
    expect(one.body.current.report.files.find((f: any) => f.file === 'stop_times.txt').rows).toBe(3248);
  });

  it('offers the train for a Cahors trip (Souillac → Cahors, the K1 line)', async () => {
    const alt = await alternatives({ from: SOUILLAC_STATION, to: CAHORS_STATION, time: '08:00' });
    const direct = alt.transit.filter((j: any) => j.kind === 'direct');
    expect(direct.length).toBeGreaterThan(0);
    const leg = direct[0].legs[0];
    expect([leg.from.name, leg.to.name]).toEqual(['Souillac', 'Cahors']);
    expect(leg.route.type).toBe(2);
    expect(leg.agency.name).toBe('SNCF VOYAGEURS');
    expect(leg.serviceDate).toBe(tuesday);
  });

  it('offers the TAD zone for a trip inside it (Douelle → Cahors), not for one leaving it', async () => {
    const inside = await alternatives({ from: DOUELLE, to: CAHORS_HOSPITAL, time: '08:15' });
    expect(inside.onDemand.map((o: any) => o.name)).toEqual(['TAD Vallée du Lot – Cahors (service fictif)']);
    expect(inside.onDemand[0]).toMatchObject({ source: 'provider', phone: '05 36 49 00 10' });
    const outside = await alternatives({ from: GOURDON, to: CAHORS_HOSPITAL, time: '08:15' });
    expect(outside.onDemand).toEqual([]);
  });

  it('offers seated-patient transport for a health trip only, marked as invented', async () => {
    const health = await alternatives({ from: GOURDON, to: CAHORS_HOSPITAL, time: '08:15', purpose: 'health' });
    expect(health.seatedPatient.map((p: any) => [p.kind, p.name])).toEqual([
      ['seated_patient', 'VSL Causses et Vallées (entreprise fictive)'],
      ['taxi', 'Taxi conventionné Lou Camin (entreprise fictive)'],
    ]);
    const work = await alternatives({ from: GOURDON, to: CAHORS_HOSPITAL, time: '08:15', purpose: 'work' });
    expect(work.seatedPatient).toEqual([]);
  });
});
