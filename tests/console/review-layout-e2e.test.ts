import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import type { TestServer } from '../helpers/server.ts';
import { addUser, ensureConsoleBuilt, proposalAsk, startConsoleServer } from './helpers.ts';

/**
 * The request review page on laptop screens: nothing wider than the window (at 1366 px it was 1,402 px wide, its
 * buttons cut to "CONT", "ACCE"), the map drawn over its whole box on first load, pickup and drop-off told apart, the
 * driver's usual route drawn over the detour. Screenshots land in SCREENSHOT_DIR when it is set.
 */
const PW = 'correct horse battery';
let srv: TestServer;
let browser: Browser;
let requestId: number;

beforeAll(async () => {
  ensureConsoleBuilt();
  srv = await startConsoleServer({ demo: true });
  const db = srv.booted.services.db;
  const lotId = (await db.query<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`)).rows[0].id;
  await addUser(db, { email: 'layout@e2e.fr', password: PW, role: 'coordinator', territoryIds: [lotId] });
  const passengerId = (await db.query<{ id: number }>(
    `SELECT id FROM people WHERE is_passenger AND territory_id = $1 ORDER BY id LIMIT 1`, [lotId])).rows[0].id;
  const { proposals: _n, ...ask } = await proposalAsk(srv);
  const made = await srv.api('POST', '/api/requests', { territoryId: lotId, passengerId, ...ask, fromLabel: 'Place de la Halle, Gramat', toLabel: 'Centre hospitalier, Cahors' });
  requestId = made.body.id;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

async function reviewPage(width: number, height: number): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width, height }, locale: 'fr-FR' });
  const page = await ctx.newPage();
  await page.goto(`${srv.url}/console/`);
  await page.locator('input[name="username"]').fill('layout@e2e.fr');
  await page.locator('input[name="password"]').fill(PW);
  await page.locator('button[type="submit"]').click();
  await page.getByText('Bonjour').waitFor();
  await page.goto(`${srv.url}/console/#/requests/${requestId}/show`);
  await page.locator('[data-testid^="proposal-"]').first().waitFor();
  // The chosen driver's trip and detour loaded and drawn (commune outlines plus two routes).
  await page.waitForLoadState('networkidle');
  await page.locator('[data-testid="map"] .leaflet-overlay-pane path').nth(302).waitFor({ state: 'attached' });
  return page;
}

describe('the request review page', () => {
  for (const [width, height] of [[1280, 720], [1366, 768], [1920, 1080]]) {
    it(`fits a ${width}×${height} window: no horizontal overflow, every action button whole`, async () => {
      const page = await reviewPage(width, height);
      if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/revue-${width}.png`, fullPage: true });
      const sizes = (await page.evaluate(
        `({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })`,
      )) as { scroll: number; client: number };
      expect(sizes.scroll).toBeLessThanOrEqual(sizes.client);
      const buttons = page.locator('[data-testid^="act-"]');
      expect(await buttons.count()).toBeGreaterThan(0);
      for (const b of await buttons.all()) {
        const box = (await b.boundingBox())!;
        expect(box.x + box.width).toBeLessThanOrEqual(sizes.client);
        // The label is whole: the button is as wide as its text needs.
        expect(await b.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      }
      await page.context().close();
    });
  }

  it('draws the map over its whole box on first load, with distinct pickup and drop-off and the usual route on top', async () => {
    const page = await reviewPage(1280, 720);
    await page.locator('path.detour-route').waitFor();
    await page.locator('path.usual-route').waitFor();
    // Leaflet's drawing surface covers the map's box (it was left at its first, smaller size until a reload).
    const cover = (await page.evaluate(`(() => {
      const box = document.querySelector('[data-testid="map"] .leaflet-container').getBoundingClientRect();
      const svg = document.querySelector('[data-testid="map"] .leaflet-overlay-pane svg').getBoundingClientRect();
      return { boxW: box.width, boxH: box.height, left: svg.left - box.left, top: svg.top - box.top, right: svg.right - box.right, bottom: svg.bottom - box.bottom };
    })()`)) as { boxW: number; boxH: number; left: number; top: number; right: number; bottom: number };
    expect(cover.boxW).toBeGreaterThan(300);
    expect(cover.left).toBeLessThanOrEqual(0);
    expect(cover.top).toBeLessThanOrEqual(0);
    expect(cover.right).toBeGreaterThanOrEqual(0);
    expect(cover.bottom).toBeGreaterThanOrEqual(0);

    const pickup = page.locator('path.pickup-marker');
    const dropoff = page.locator('path.dropoff-marker');
    expect(await pickup.count()).toBe(1);
    expect(await dropoff.count()).toBe(1);
    expect(await pickup.getAttribute('fill')).not.toBe(await dropoff.getAttribute('fill'));
    // Drawn after the detour, the usual route lies on top of it.
    const order = (await page.evaluate(`[...document.querySelectorAll('[data-testid="map"] path')].map((p) => p.getAttribute('class') ?? '')`)) as string[];
    const detourAt = order.findIndex((c) => c.includes('detour-route'));
    const usualAt = order.findIndex((c) => c.includes('usual-route'));
    expect(detourAt).toBeGreaterThanOrEqual(0);
    expect(usualAt).toBeGreaterThan(detourAt);
    await page.context().close();
  });
});
