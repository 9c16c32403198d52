import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import type { TestServer } from '../helpers/server.ts';
import { localDate } from '../../services/src/stats/work-queue.ts';
import { addUser, ensureConsoleBuilt, startConsoleServer } from './helpers.ts';

/**
 * In Chromium on the Lot demo: the dashboard's work queue (a trip confirmed for today, one click to its request with
 * the driver chosen; a viewer sees the counts only), and the offline basemap of a map page (roads by class under the
 * routes, commune names that do not overlap and multiply when zooming in; raster tiles instead when configured).
 * Screenshots land in SCREENSHOT_DIR when it is set.
 */
const PW = 'correct horse battery';
let srv: TestServer;
let tiled: TestServer;
let tiles: http.Server;
let tileHits = 0;
let browser: Browser;
let requestId: number;
let matchId: number;
let driver: { firstName: string; lastName: string; phone: string };

// A 1×1 PNG: what a tile server answers, as far as the map can tell.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

beforeAll(async () => {
  ensureConsoleBuilt();
  srv = await startConsoleServer({ demo: true });
  const db = srv.booted.services.db;
  const lotId = (await db.query<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`)).rows[0].id;
  await addUser(db, { email: 'file@e2e.fr', password: PW, role: 'coordinator', territoryIds: [lotId] });
  await addUser(db, { email: 'file-viewer@e2e.fr', password: PW, role: 'viewer', territoryIds: [lotId] });
  const centre = async (name: string) => {
    const [c] = (await db.query<{ lng: number; lat: number }>(`SELECT ST_X(centroid) AS lng, ST_Y(centroid) AS lat FROM communes WHERE name = $1`, [name])).rows;
    return { lng: Number(c.lng), lat: Number(c.lat) };
  };
  const [gramat, cahors] = [await centre('Gramat'), await centre('Cahors')];
  const driverId = (await srv.api('POST', '/api/people', { territoryId: lotId, isDriver: true, firstName: 'Gaston', lastName: 'Volant', phone: '06 11 22 33 44' })).body.id;
  const passengerId = (await srv.api('POST', '/api/people', { territoryId: lotId, isPassenger: true, firstName: 'Odette', lastName: 'Rappel', phone: '06 55 00 00 01' })).body.id;
  const trip = await srv.api('POST', '/api/trips', {
    territoryId: lotId, driverId, kind: 'regular', weekdays: [1, 2, 3, 4, 5, 6, 7], departureTime: '07:30',
    origin: gramat, destination: cahors, originLabel: 'Gramat', destinationLabel: 'Cahors', seats: 4,
  });
  expect(trip.status, JSON.stringify(trip.body)).toBe(201);
  const req = await srv.api('POST', '/api/requests', {
    territoryId: lotId, passengerId, from: gramat, to: cahors, date: localDate(new Date()), time: '07:30', timeKind: 'depart',
    fromLabel: 'Gramat, place de la Halle', toLabel: 'Cahors, hôpital',
  });
  requestId = req.body.id;
  // The last-ranked proposal when there are several: the page must open on it because the queue said so.
  const proposals = req.body.proposals as { id: number; tripId: number; driverId: number }[];
  expect(proposals.some((p) => p.tripId === trip.body.id)).toBe(true);
  const chosen = proposals.length > 1 ? proposals[proposals.length - 1] : proposals[0];
  matchId = chosen.id;
  driver = (await srv.api('GET', `/api/people/${chosen.driverId}`)).body;
  for (const status of ['contacted', 'accepted', 'confirmed']) expect((await srv.api('PUT', `/api/matches/${matchId}`, { status })).status).toBe(200);

  tiles = http.createServer((_req, res) => {
    tileHits++;
    res.writeHead(200, { 'content-type': 'image/png', 'access-control-allow-origin': '*' }).end(PNG);
  });
  await new Promise<void>((r) => tiles.listen(0, '127.0.0.1', r));
  const tileUrl = `http://127.0.0.1:${(tiles.address() as AddressInfo).port}/{z}/{x}/{y}.png`;
  tiled = await startConsoleServer({ demo: true, options: { tileUrl, tileAttribution: '© Tuiles de test' } });
  const tiledLot = (await tiled.booted.services.db.query<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`)).rows[0].id;
  await addUser(tiled.booted.services.db, { email: 'tuiles@e2e.fr', password: PW, role: 'coordinator', territoryIds: [tiledLot] });
  browser = await launchChromium();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await srv?.close();
  await tiled?.close();
  await new Promise((r) => tiles?.close(r));
});

async function signIn(url: string, email: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'fr-FR' });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  (page as any).errors = errors;
  await page.goto(`${url}/console/`);
  await page.locator('input[name="username"]').fill(email);
  await page.locator('input[name="password"]').fill(PW);
  await page.locator('button[type="submit"]').click();
  await page.getByText('Bonjour').waitFor();
  return page;
}

describe('the work queue on the dashboard', () => {
  it('shows each section with its count, today’s trip with names and phones, and opens its request in one click', async () => {
    const page = await signIn(srv.url, 'file@e2e.fr');
    const queue = page.getByTestId('work-queue');
    await queue.getByText('Trajets d’aujourd’hui').waitFor();
    for (const title of ['Trajets de demain', 'Acceptées, à confirmer', 'Conducteurs sans réponse', 'Demandes en ligne à rappeler', 'Demandes sans solution'])
      await expect(queue.getByText(title, { exact: false }).count()).resolves.toBeGreaterThan(0);
    const today = page.getByTestId('queue-tripsToday');
    await expect(today.getByTestId('queue-count-tripsToday').innerText()).resolves.toBe('1');
    // The day in French: "mardi 1 décembre", and the trip's date as dd/mm/yyyy.
    const day = new Date(`${localDate(new Date())}T12:00:00`).toLocaleDateString('fr-FR', { weekday: 'long', day: 'numeric', month: 'long' });
    await expect(today.innerText()).resolves.toContain(day);
    const item = today.getByTestId('queue-item-tripsToday');
    await expect(item.innerText()).resolves.toBe(`Odette Rappel avec ${driver.firstName} ${driver.lastName}`);
    const text = await today.innerText();
    expect(text).toContain(localDate(new Date()).split('-').reverse().join('/'));
    expect(text).toContain('Gramat, place de la Halle → Cahors, hôpital');
    await expect(today.locator('a[href="tel:0655000001"]').count()).resolves.toBe(1);
    await expect(today.locator(`a[href="tel:${driver.phone.replace(/[^+0-9]/g, '')}"]`).count()).resolves.toBe(1);
    await expect(page.getByTestId('queue-count-noSolution').innerText()).resolves.toMatch(/^\d+$/);
    if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/tableau-de-bord-1280.png` });
    // Nothing wider than the window.
    const sizes = (await page.evaluate(`({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })`)) as { scroll: number; client: number };
    expect(sizes.scroll).toBeLessThanOrEqual(sizes.client);

    await item.click();
    await page.waitForURL(new RegExp(`#/requests/${requestId}/show\\?match=${matchId}$`));
    await page.getByText(`Demande n° ${requestId}`).first().waitFor();
    // The queue's match is the one chosen on the page, not the best-ranked one.
    await expect(page.getByTestId(`proposal-${matchId}`).getAttribute('class')).resolves.toContain('Mui-selected');
    await expect(page.getByTestId(`proposal-${matchId}`).innerText()).resolves.toContain('Confirmée');
    expect((page as any).errors).toEqual([]);
    await page.context().close();
  });

  it('gives a viewer the counts and no name, number or link', async () => {
    const page = await signIn(srv.url, 'file-viewer@e2e.fr');
    const queue = page.getByTestId('work-queue');
    await queue.getByTestId('queue-count-tripsToday').waitFor();
    await expect(queue.getByTestId('queue-count-tripsToday').innerText()).resolves.toBe('1');
    await expect(queue.locator('a').count()).resolves.toBe(0);
    const text = await queue.innerText();
    for (const secret of ['Odette', driver.lastName, '06 55', 'Gramat, place']) expect(text).not.toContain(secret);
    expect(text).toContain('réservé aux coordinateurs');
    await page.context().close();
  });
});

describe('the offline basemap', () => {
  async function reviewMap(page: Page) {
    await page.goto(`${srv.url}/console/#/requests/${requestId}/show?match=${matchId}`);
    await page.locator('path.usual-route').waitFor({ state: 'attached' });
    await page.locator('path.detour-route').waitFor({ state: 'attached' });
    await page.locator('[data-testid="map"] path.road').first().waitFor({ state: 'attached' });
    await page.locator('[data-testid="map"] .commune-label').first().waitFor({ state: 'attached' });
  }
  const labelBoxes = (page: Page) =>
    page.locator('[data-testid="map"] .commune-label').evaluateAll((els) =>
      els.map((e) => {
        const b = e.getBoundingClientRect();
        return { name: e.textContent ?? '', x0: b.left, y0: b.top, x1: b.right, y1: b.bottom, town: e.classList.contains('commune-label-town') };
      }));

  it('draws the roads by class under the routes, and commune names that do not overlap', async () => {
    const page = await signIn(srv.url, 'file@e2e.fr');
    await reviewMap(page);
    if (process.env.SCREENSHOT_DIR) {
      await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/revue-1280.png`, fullPage: true });
      await page.locator('[data-testid="map"]').screenshot({ path: `${process.env.SCREENSHOT_DIR}/carte-revue-1280.png` });
    }
    const roads = await page.locator('[data-testid="map"] path.road').evaluateAll((els) =>
      els.map((e) => ({ cls: [...e.classList].find((c) => c.startsWith('road-')), width: Number(e.getAttribute('stroke-width')), moves: (e.getAttribute('d') ?? '').split('M').length - 1 })));
    const byClass = Object.fromEntries(roads.map((r) => [r.cls, r]));
    // The Lot's classified network: motorway (A20), primary, secondary and tertiary roads at least, each one path.
    for (const cls of ['road-motorway', 'road-primary', 'road-secondary', 'road-tertiary']) expect(byClass[cls], cls).toBeTruthy();
    expect(byClass['road-secondary'].moves).toBeGreaterThan(100);
    // Main roads thicker.
    expect(byClass['road-motorway'].width).toBeGreaterThan(byClass['road-primary'].width);
    expect(byClass['road-primary'].width).toBeGreaterThan(byClass['road-secondary'].width);
    expect(byClass['road-secondary'].width).toBeGreaterThan(byClass['road-tertiary'].width);
    // The basemap's panes lie under the overlay's own drawing (routes, markers).
    const panes = (await page.evaluate(`(() => {
      const z = (sel) => getComputedStyle(document.querySelector('[data-testid="map"] ' + sel)).zIndex;
      const route = document.querySelector('[data-testid="map"] path.usual-route');
      return { roads: z('.leaflet-base-roads-pane'), communes: z('.leaflet-base-communes-pane'), labels: z('.leaflet-base-labels-pane'),
        routeInOverlay: route.closest('.leaflet-pane').classList.contains('leaflet-overlay-pane') };
    })()`)) as Record<string, string | boolean>;
    expect(panes).toEqual({ communes: '-3', roads: '-2', labels: '-1', routeInOverlay: true });

    const labels = await labelBoxes(page);
    expect(labels.length).toBeGreaterThan(15);
    const names = labels.map((l) => l.name);
    for (const town of ['Gramat', 'Gourdon', 'Figeac']) expect(names).toContain(town);
    expect(labels.find((l) => l.name === 'Figeac')!.town).toBe(true);
    for (let i = 0; i < labels.length; i++)
      for (let j = i + 1; j < labels.length; j++) {
        const [a, b] = [labels[i], labels[j]];
        expect(a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1, `${a.name} over ${b.name}`).toBe(false);
      }
    await expect(page.locator('[data-testid="map"] .leaflet-control-attribution').innerText()).resolves.toContain('© les contributeurs d’OpenStreetMap');

    // Zooming in brings names that had no room before.
    await page.locator('[data-testid="map"] .leaflet-control-zoom-in').click();
    await page.locator('[data-testid="map"] .leaflet-control-zoom-in').click();
    await expect.poll(async () => (await labelBoxes(page)).filter((l) => !names.includes(l.name)).length).toBeGreaterThan(3);
    expect((page as any).errors).toEqual([]);
    await page.context().close();
  });

  it('shows raster tiles instead of the roads and names when CONSOLE_TILE_URL is set', async () => {
    const page = await signIn(tiled.url, 'tuiles@e2e.fr');
    await page.goto(`${tiled.url}/console/#/appel`);
    await page.locator('[data-testid="map"] .leaflet-tile-pane img').first().waitFor({ state: 'attached' });
    await page.locator('[data-testid="map"] path.commune-outline').first().waitFor({ state: 'attached' });
    expect(tileHits).toBeGreaterThan(0);
    const src = await page.locator('[data-testid="map"] .leaflet-tile-pane img').first().getAttribute('src');
    expect(src).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\d+\/\d+\/\d+\.png$/);
    await expect(page.locator('[data-testid="map"] path.road').count()).resolves.toBe(0);
    await expect(page.locator('[data-testid="map"] .commune-label').count()).resolves.toBe(0);
    await expect(page.locator('[data-testid="map"] .leaflet-control-attribution').innerText()).resolves.toContain('© Tuiles de test');
    await page.context().close();
  });
});
