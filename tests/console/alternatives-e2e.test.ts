import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFeed } from '../../gtfs-import/src/index.ts';
import { dbTarget } from '../../gtfs-import/src/target.ts';
import { makeZip, tinyFeed } from '../gtfs/helpers.ts';
import { launchChromium } from '../helpers/browser.ts';
import type { TestServer } from '../helpers/server.ts';
import { addUser, ensureConsoleBuilt, startConsoleServer, openConsole } from './helpers.ts';

const SHOTS = path.resolve(import.meta.dirname, '../output/screenshots');
const PW = 'correct horse battery';
const CAHORS_GARE = { lng: 1.4345, lat: 44.4493 };
const FIGEAC_GARE = { lng: 2.0312, lat: 44.6089 };

let srv: TestServer;
let browser: Browser;
let territoryId: number;

/** The next date (after today) on an ISO weekday (1 = Monday). */
function next(weekday: number): string {
  for (let d = 1; d <= 7; d++) {
    const date = new Date(Date.now() + d * 86_400_000);
    if ((date.getUTCDay() || 7) === weekday) return date.toISOString().slice(0, 10);
  }
  throw new Error('unreachable');
}

beforeAll(async () => {
  ensureConsoleBuilt();
  fs.mkdirSync(SHOTS, { recursive: true });
  // No demo: no driver serves these trips, so the page asks for the other ways to travel.
  srv = await startConsoleServer();
  const db = srv.booted.services.db;
  territoryId = (await srv.api('POST', '/api/territories', { slug: 'lot', name: 'Lot' })).body.id;
  await addUser(db, { email: 'coord@alt.fr', password: PW, role: 'coordinator', territoryIds: [territoryId] });
  // The small bus feed of the GTFS tests, its calendar moved to the coming years.
  const feed = tinyFeed();
  feed['calendar.txt'] = String(feed['calendar.txt']).replace('20250101,20251231', '20260101,20301231');
  feed['calendar_dates.txt'] = 'service_id,date,exception_type\n';
  await importFeed(dbTarget(db), await makeZip(feed), { name: 'Lot Bus', territoryId });
  await db.query(
    `INSERT INTO transport_providers (territory_id, kind, name, phone) VALUES ($1, 'seated_patient', 'VSL Quercy', '05 65 00 00 01')`,
    [territoryId],
  );
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

/** A request stored through the API, opened in the console as a coordinator: its page once the transit shows. */
async function requestPage(ask: Record<string, unknown>): Promise<Page> {
  const req = await srv.api('POST', '/api/requests', { territoryId, from: CAHORS_GARE, to: FIGEAC_GARE, ...ask });
  expect(req.status).toBe(201);
  const page = await loggedIn();
  await page.goto(`${srv.url}/console/#/requests/${req.body.id}/show`);
  await page.getByTestId('alt-transit').waitFor({ timeout: 30_000 });
  return page;
}

const loggedIn = (): Promise<Page> => openConsole(browser, srv.url, 'coord@alt.fr', PW);

describe('alternatives in the console', () => {
  it('shows the bus, its stops and times, and seated-patient transport when no driver fits', async () => {
    const page = await requestPage({ date: next(2), time: '08:00', timeKind: 'depart', purpose: 'health' });
    const transit = page.getByTestId('alt-transit');
    const text = await transit.textContent();
    expect(text).toContain('Direct');
    expect(text).toContain(
      'Bus L1 – Cahors - Figeac direction Figeac (Lot Bus, 05 00 00 00 00) : Cahors Gare 08:00 → Figeac Gare 09:10',
    );
    expect(text).toMatch(/Marche : \d+ m jusqu’à l’arrêt, \d+ m à l’arrivée/);
    expect(await page.getByTestId('alt-seated-patient').textContent()).toContain(
      'VSL Quercy · VSL · tél. 05 65 00 00 01',
    );
    // Nothing shown raw.
    expect(await page.getByText('Autres solutions').locator('..').textContent()).not.toContain('{');
    await page.screenshot({ path: path.join(SHOTS, '20-autres-solutions.png'), fullPage: true });
    await page.context().close();
  });

  it('shows the previous evening’s night bus as such, and no seated-patient transport for work', async () => {
    // Saturday 01:05: Friday's 23:50 bus, arriving at 25:05 of its service day.
    const page = await requestPage({
      date: next(6),
      time: '01:10',
      timeKind: 'arrive',
      toleranceMin: 15,
      purpose: 'work',
    });
    const transit = page.getByTestId('alt-transit');
    expect(await transit.textContent()).toContain('Cahors Gare 23:50 → Figeac Gare 01:05 (service de la veille)');
    expect(await transit.textContent()).toMatch(/départ 23:\d\d \(la veille\), arrivée 01:\d\d/);
    expect(await page.getByTestId('alt-seated-patient').count()).toBe(0);
    await page.context().close();
  });
});
