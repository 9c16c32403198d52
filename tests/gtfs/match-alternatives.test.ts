import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbTarget, importFeed } from '../../gtfs-import/src/index.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { TER } from './helpers.ts';

// POST /api/match on the Lot with the real SNCF TER feed loaded: transit, seated-patient transport and a driver to
// a station when neither a driver nor transit alone serves the trip. The feed runs 2025-01-22 → 2025-04-22.
const MONDAY = '2025-02-03';
const GOURDON_STATION = { lng: 1.389264, lat: 44.741932 };
const SOUILLAC_STATION = { lng: 1.466605, lat: 44.902127 };
const LE_VIGAN = { lng: 1.44, lat: 44.743 }; // 4 km east of Gourdon station: too far to walk
const PAYRAC = { lng: 1.473, lat: 44.793 };

let srv: TestServer;
let territoryId: number;

beforeAll(async () => {
  srv = await startServer();
  await importFeed(dbTarget(srv.booted.services.db), TER, { name: 'SNCF TER' });
  territoryId = (await srv.api('POST', '/api/territories', { slug: 'lot-alt', name: 'Lot (alternatives)' })).body.id;
}, 300_000);
afterAll(async () => srv?.close());

const match = (body: object) => srv.api('POST', '/api/match', { territoryId, date: MONDAY, ...body });

describe('alternatives in match answers', () => {
  it('offers the train when no driver fits, with route, stops and times', async () => {
    const r = await match({ from: GOURDON_STATION, to: SOUILLAC_STATION, time: '07:45', toleranceMin: 30 });
    expect(r.status).toBe(200);
    expect(r.body.proposals).toEqual([]);
    const direct = r.body.alternatives.transit.find((j: any) => j.kind === 'direct');
    expect(direct).toBeDefined();
    expect(direct.legs[0].from.name).toBe('Gourdon');
    expect(direct.legs[0].to.name).toBe('Souillac');
    expect(direct.legs[0].departure).toMatch(/^07:[45]\d$/);
    expect(direct.legs[0].agency).not.toBeNull();
    expect(direct.walkToStopM).toBeLessThan(50);
  });

  it('answers alternatives on request even when drivers exist, and not otherwise', async () => {
    const none = await match({ from: GOURDON_STATION, to: SOUILLAC_STATION, time: '07:45', alternatives: false });
    expect(none.body.alternatives).toBeUndefined();
  });

  it('offers seated-patient transport for a health trip, from the providers of the territory', async () => {
    await srv.booted.services.db.query(
      `INSERT INTO transport_providers (territory_id, kind, name, phone) VALUES ($1, 'seated_patient', 'Taxi conventionné inventé', '05 36 49 00 01'),
       ($1, 'tad', 'TAD inventé du Quercy', '05 36 49 00 02')`,
      [territoryId],
    );
    const health = await match({ from: LE_VIGAN, to: SOUILLAC_STATION, time: '09:00', purpose: 'health' });
    expect(health.body.alternatives.seatedPatient.map((p: any) => p.name)).toEqual(['Taxi conventionné inventé']);
    expect(health.body.alternatives.onDemand.map((p: any) => p.name)).toContain('TAD inventé du Quercy');
    const shopping = await match({ from: LE_VIGAN, to: SOUILLAC_STATION, time: '09:00', purpose: 'shopping' });
    expect(shopping.body.alternatives.seatedPatient).toEqual([]);
  });

  it('combines a driver to the station with the train when neither alone serves the trip', async () => {
    const driver = (await srv.api('POST', '/api/people', { territoryId, isDriver: true })).body.id;
    const trip = await srv.api('POST', '/api/trips', {
      territoryId,
      driverId: driver,
      kind: 'regular',
      weekdays: [1],
      departureTime: '07:15',
      origin: PAYRAC,
      destination: GOURDON_STATION,
      validFrom: '2025-01-01',
    });
    expect(trip.status).toBe(201);
    const r = await match({
      from: { lng: LE_VIGAN.lng + 0.001, lat: LE_VIGAN.lat + 0.001 },
      to: SOUILLAC_STATION,
      time: '07:25',
    });
    expect(r.body.proposals).toEqual([]);
    expect(r.body.alternatives.transit).toEqual([]);
    const combo = r.body.alternatives.carpoolToTransit[0];
    expect(combo).toBeDefined();
    expect(combo.hub.name).toBe('Gourdon');
    expect(combo.carpool.tripId).toBe(trip.body.id);
    expect(combo.transit.legs.at(-1).to.name).toBe('Souillac');
    expect(combo.connectionMin).toBeGreaterThanOrEqual(5);
  });
});
