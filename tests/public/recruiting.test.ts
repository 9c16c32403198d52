import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import { addCommunes } from '../../services/src/domain/territories.ts';
import { createToken } from '../../services/src/domain/tokens.ts';
import { addDays } from '../../services/src/time/days.ts';
import { startPublic, type PublicServer } from './helpers.ts';

let srv: PublicServer;
let territoryId: number;
const centre: Record<string, { lng: number; lat: number }> = {};
const today = new Date().toISOString().slice(0, 10);
// Two days in the same month as far as possible (the public statistics count whole months).
const D1 = addDays(today, 3);
const D2 = addDays(today, 4);
const INSEE = { assier: '46009', figeac: '46102', cahors: '46042', mercues: '46191' };

/** A request entered through the API, then closed by the coordinator with a coded reason (or left open). */
async function request(from: string, to: string, date: string, time: string, timeKind: string, reason: string | null) {
  const r = await srv.api('POST', '/api/requests', {
    territoryId, from: centre[from], to: centre[to], date, time, timeKind, purpose: 'health', storeProposals: false,
  });
  expect(r.status).toBe(201);
  if (reason) {
    const u = await srv.api('PUT', `/api/requests/${r.body.id}`, { status: 'unserved', unservedReason: reason });
    expect(u.status).toBe(200);
  }
  return r.body.id as number;
}
async function trip(from: string, to: string, departureTime: string, returnTime: string | null) {
  const d = await srv.api('POST', '/api/people', { territoryId, isDriver: true, firstName: 'Inventé', lastName: 'Conducteur' });
  const t = await srv.api('POST', '/api/trips', {
    territoryId, driverId: d.body.id, kind: 'regular', weekdays: [1, 2, 3, 4, 5], departureTime, returnTime,
    origin: centre[from], destination: centre[to], seats: 2,
  });
  expect(t.status).toBe(201);
}

beforeAll(async () => {
  srv = await startPublic();
  territoryId = (await srv.api('POST', '/api/territories', { slug: 'lot-recrutement', name: 'Lot (recrutement)' })).body.id;
  const features = JSON.parse(fs.readFileSync(path.join(srv.config.repoRoot, 'fixtures/communes-46-lot.geojson'), 'utf8')).features;
  await addCommunes(
    srv.testDb.db,
    territoryId,
    features
      .filter((f: any) => Object.values(INSEE).includes(f.properties.code))
      .map((f: any) => ({ insee: f.properties.code, name: f.properties.nom, population: null, geometry: f.geometry })),
  );
  const { rows } = await srv.testDb.db.query<{ insee: string; lng: number; lat: number }>(
    'SELECT insee, ST_X(centroid) AS lng, ST_Y(centroid) AS lat FROM communes WHERE insee = ANY($1)',
    [Object.values(INSEE)],
  );
  for (const [k, insee] of Object.entries(INSEE)) {
    const c = rows.find((x) => x.insee === insee)!;
    centre[k] = { lng: c.lng, lat: c.lat };
  }
  // Drivers already on the Assier–Figeac axis: one each way (the second's way back is Assier → Figeac too).
  await trip('assier', 'figeac', '06:45', null);
  await trip('figeac', 'assier', '07:00', '17:30');
  // Assier → Figeac, appointments between 9 and 10: two on D1, one on D2, for want of a driver.
  await request('assier', 'figeac', D1, '09:15', 'arrive', 'no_driver_at_time');
  await request('assier', 'figeac', D1, '09:45', 'arrive', 'no_seat');
  await request('assier', 'figeac', D2, '09:00', 'arrive', 'driver_declined');
  // The same pair in the afternoon, and Mercuès → Cahors in the morning: one each.
  await request('assier', 'figeac', D1, '14:30', 'arrive', 'no_driver');
  await request('mercues', 'cahors', D1, '10:00', 'depart', 'no_driver');
  // Not counted: cancelled by the passenger, taken by a bus, still open.
  await request('mercues', 'cahors', D2, '10:00', 'depart', 'passenger_cancelled');
  await request('assier', 'figeac', D2, '09:30', 'arrive', 'transit_used');
  await request('assier', 'figeac', D1, '09:15', 'arrive', null);
}, 180_000);
afterAll(async () => srv?.close());

const get = (q: string, token?: string | null) => srv.api('GET', `/api/recruiting?${q}`, undefined, token);

describe('GET /api/recruiting', () => {
  it('groups the unserved remainder by commune pair and hour, most unserved first, with the drivers to find', async () => {
    const r = await get(`territoryId=${territoryId}&from=${today}&to=${addDays(today, 30)}`);
    expect(r.status).toBe(200);
    expect(r.body.unservedTotal).toBe(5);
    const brief = r.body.pairs.map((p: any) => [p.origin.name, p.destination.name, p.hour, p.timeKind, p.unserved, p.days, p.peakDay, p.driversNeeded, p.driversOnAxis]);
    expect(brief).toEqual([
      ['Assier', 'Figeac', 9, 'arrive', 3, 2, 2, 1, 2],
      ['Assier', 'Figeac', 14, 'arrive', 1, 1, 1, 1, 2],
      ['Mercuès', 'Cahors', 10, 'depart', 1, 1, 1, 1, 0],
    ]);
    expect(r.body.pairs[0].origin).toMatchObject({ insee: INSEE.assier, lng: centre.assier.lng, lat: centre.assier.lat });
  });

  it('keeps to the period, the limit and the reader’s territories', async () => {
    const later = await get(`territoryId=${territoryId}&from=${addDays(D1, 1)}&to=${addDays(D1, 10)}`);
    expect(later.body.pairs.map((p: any) => [p.origin.name, p.unserved])).toEqual([['Assier', 1]]);
    expect((await get(`territoryId=${territoryId}&from=${today}&to=${addDays(today, 30)}&limit=1`)).body.pairs).toHaveLength(1);
    const { token: viewer } = await createToken(srv.testDb.db, { label: 'v', role: 'viewer', territoryId });
    expect((await get(`from=${today}&to=${addDays(today, 30)}`, viewer)).body.unservedTotal).toBe(5);
    const other = (await srv.api('POST', '/api/territories', { slug: 'ailleurs-rec', name: 'Ailleurs' })).body.id;
    const { token: elsewhere } = await createToken(srv.testDb.db, { label: 'c', role: 'coordinator', territoryId: other });
    expect((await get(`from=${today}&to=${addDays(today, 30)}`, elsewhere)).body).toMatchObject({ unservedTotal: 0, pairs: [] });
    expect((await get(`territoryId=${territoryId}`, elsewhere)).status).toBe(403);
    expect((await get('', null)).status).toBe(401);
  });

  it('answers bad input with 400 naming the field', async () => {
    const bad = await get('from=2026-13-01');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('from');
    const order = await get('from=2026-05-10&to=2026-05-01');
    expect(order.status).toBe(400);
    expect(JSON.stringify(order.body)).toContain('to');
    expect((await get('limit=0')).status).toBe(400);
  });
});

describe('/stats: where drivers are missing, under the small-count rules', () => {
  const period = `du=${D1.slice(0, 7)}&au=${D2.slice(0, 7)}`;

  it('publishes no pair below 5 unserved requests', async () => {
    const page = await (await fetch(`${srv.url}/stats?territoire=lot-recrutement&${period}`)).text();
    expect(page).toContain('Où manquent des conducteurs');
    expect(page).not.toMatch(/Assier\s→ Figeac/);
    expect(page).not.toMatch(/Mercuès\s→ Cahors/);
    expect(page).toContain('rien à publier');
    const json = (await srv.api('GET', `/api/stats?territory=lot-recrutement&from=${D1.slice(0, 7)}&to=${D2.slice(0, 7)}`, undefined, null)).body;
    expect(json.recruiting).toEqual({ unserved: 5, pairs: [], hiddenPairs: 3 });
  });

  it('publishes a pair once it has 5, rounded, and only counts the others', async () => {
    // Three more on the morning pair: 6 in all, published as 5; the two others stay hidden.
    for (let i = 0; i < 3; i++) await request('assier', 'figeac', D2, '09:30', 'arrive', 'no_driver_at_time');
    const json = (await srv.api('GET', `/api/stats?territory=lot-recrutement&from=${D1.slice(0, 7)}&to=${D2.slice(0, 7)}`, undefined, null)).body;
    expect(json.recruiting.unserved).toBe(10);
    expect(json.recruiting.hiddenPairs).toBe(2);
    expect(json.recruiting.pairs).toHaveLength(1);
    expect(json.recruiting.pairs[0]).toMatchObject({ hour: 9, timeKind: 'arrive', unserved: 5, driversNeeded: 2 });
    expect(json.recruiting.pairs[0].origin.name).toBe('Assier');
    const page = await (await fetch(`${srv.url}/stats?territoire=lot-recrutement&${period}`)).text();
    expect(page).toMatch(/Assier\s→ Figeac<\/th><td>arrivée entre 9\sh et 10\sh<\/td><td>5<\/td><td>2<\/td>/);
    expect(page).toContain('2 autres trajets');
    expect(page).not.toMatch(/Mercuès\s→ Cahors/);
    const csv = await (await fetch(`${srv.url}/api/stats?territory=lot-recrutement&from=${D1.slice(0, 7)}&to=${D2.slice(0, 7)}&format=csv`)).text();
    expect(csv).toContain(`unserved_by_pair,${INSEE.assier}-${INSEE.figeac}-arrive-9h,Assier → Figeac,5`);
    expect(csv).not.toContain('Mercuès → Cahors');
  });

  it('reads on a phone (390 × 844): the map and the table fit the screen', async () => {
    const shots = path.resolve(import.meta.dirname, '../output/screenshots');
    fs.mkdirSync(shots, { recursive: true });
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'fr-FR' })).newPage();
      await page.goto(`${srv.url}/stats?territoire=lot-recrutement&${period}`);
      const heading = page.getByRole('heading', { name: 'Où manquent des conducteurs' });
      await heading.scrollIntoViewIfNeeded();
      const table = page.locator('table', { has: page.locator('caption', { hasText: 'Où manquent des conducteurs' }) });
      expect(await table.locator('tbody tr').first().innerText()).toMatch(/Assier\s→ Figeac\s+arrivée entre 9\sh et 10\sh\s+5\s+2/);
      const svg = page.getByRole('img', { name: 'Trajets où manquent des conducteurs' });
      expect((await svg.boundingBox())!.width).toBeLessThanOrEqual(390);
      expect(await svg.locator('line').count()).toBe(1);
      expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
      await page.screenshot({ path: path.join(shots, '73-stats-recrutement-390.png') });
      await table.scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(shots, '74-stats-recrutement-tableau-390.png') });
    } finally {
      await browser.close();
    }
  });
});
