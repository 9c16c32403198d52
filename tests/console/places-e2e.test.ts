import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import { startBanReplay, type BanReplay } from '../helpers/ban-replay.ts';
import type { TestServer } from '../helpers/server.ts';
import { addUser, ensureConsoleBuilt, startConsoleServer } from './helpers.ts';

const SHOTS = path.resolve(import.meta.dirname, '../output/screenshots');
const PW = 'correct horse battery';
const ADDRESS = '335 Rue du Président Wilson 46000 Cahors';

let srv: TestServer;
let ban: BanReplay;
let browser: Browser;
let driverId: number;
let lauzes: { lng: number; lat: number };

beforeAll(async () => {
  ensureConsoleBuilt();
  fs.mkdirSync(SHOTS, { recursive: true });
  ban = await startBanReplay();
  srv = await startConsoleServer({ demo: true, env: { GEOCODER_URL: ban.url, GEOCODER_TIMEOUT_MS: '5000' } });
  const db = srv.booted.services.db;
  const lotId = (await db.query<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`)).rows[0].id;
  await addUser(db, { email: 'lieux@e2e.fr', password: PW, role: 'coordinator', territoryIds: [lotId] });
  driverId = (await db.query<{ id: number }>(`SELECT id FROM people WHERE is_driver AND territory_id = $1 ORDER BY id LIMIT 1`, [lotId])).rows[0].id;
  const c = (await db.query<{ lng: number; lat: number }>(`SELECT ST_X(centroid) AS lng, ST_Y(centroid) AS lat FROM communes WHERE insee = '46162'`)).rows[0];
  lauzes = { lng: Number(c.lng), lat: Number(c.lat) };
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
  await ban?.close();
});

/** The smallest screen the console is made for. */
async function loggedIn(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'fr-FR' });
  const page = await ctx.newPage();
  await page.goto(`${srv.url}/console/`);
  await page.locator('input[name="username"]').fill('lieux@e2e.fr');
  await page.locator('input[name="password"]').fill(PW);
  await page.locator('button[type="submit"]').click();
  await page.getByText('Bonjour').waitFor();
  return page;
}

/** Types into an address field and waits for the answer to what was typed. */
async function typeAndWaitOptions(page: Page, testId: string, text: string, firstStartsWith: string) {
  const answered = page.waitForResponse((r) => r.url().includes('/api/places/search') && new URL(r.url()).searchParams.get('q') === text.trim());
  await page.getByTestId(testId).fill(text);
  await answered;
  await page.getByRole('option').first().filter({ hasText: firstStartsWith }).waitFor();
}

describe('places where they are, in a real browser', () => {
  it('offers Lauzès first for "Lauz", keeps its coordinates, stores an exact address as such', async () => {
    const page = await loggedIn();
    await page.goto(`${srv.url}/console/#/trips/create?driverId=${driverId}`);
    await expect.poll(() => page.getByTestId('trip-driver').inputValue(), { timeout: 15_000 }).not.toBe('');

    await typeAndWaitOptions(page, 'from-place', 'Lauz', 'Lauzès');
    const options = await page.getByRole('option').allTextContents();
    expect(options[0]).toMatch(/^Lauzès\s*Commune/);
    const castelnau = options.findIndex((o) => o.startsWith('Castelnau Montratier-Sainte Alauzie'));
    expect(castelnau === -1 || castelnau > 0).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, '40-lieux-lauz.png') });
    await page.getByRole('option').first().click();
    await page.getByTestId('from-precision').filter({ hasText: 'Point approximatif' }).waitFor();
    await page.getByTestId('from-label').fill('Lauzès, place de l’église');

    await typeAndWaitOptions(page, 'to-place', '335 rue du Président Wilson Cahors', ADDRESS);
    await expect(page.getByRole('option').first().textContent()).resolves.toContain('Adresse');
    await page.getByRole('option').first().click();
    await page.getByTestId('to-precision').filter({ hasText: 'Adresse exacte' }).waitFor();
    await page.getByTestId('departure-time').fill('07:40');
    await page.screenshot({ path: path.join(SHOTS, '41-trajet-adresse-exacte.png') });
    await page.getByTestId('submit-trip').click();

    await page.waitForURL(/#\/trips\/\d+\/show/, { timeout: 30_000 });
    const tripId = Number(/trips\/(\d+)\/show/.exec(page.url())![1]);
    const saved = (await srv.api('GET', `/api/trips/${tripId}`)).body;
    expect(saved.originLabel).toBe('Lauzès, place de l’église');
    expect(saved.origin.lng).toBeCloseTo(lauzes.lng, 6);
    expect(saved.origin.lat).toBeCloseTo(lauzes.lat, 6);
    expect(saved.originSource).toBe('commune_centre');
    expect(saved).toMatchObject({ destination: { lng: 1.441237, lat: 44.456139 }, destinationSource: 'address', destinationLabel: ADDRESS });
    // The trip's page says the start is only the commune's centre.
    await page.getByText('Lauzès, place de l’église (approximatif : centre de la commune)').waitFor();
    await page.waitForTimeout(600); // screenshot only: the map's zoom animation
    await page.screenshot({ path: path.join(SHOTS, '42-trajet-point-approximatif.png') });

    // Placed exactly: a click on the map makes it a map point, and moves it.
    await page.goto(`${srv.url}/console/#/trips/${tripId}`);
    await page.getByTestId('from-precision').filter({ hasText: 'Point approximatif' }).waitFor();
    await page.getByRole('button', { name: 'Sur la carte' }).first().click();
    const map = page.locator('.leaflet-container');
    await map.waitFor();
    const box = (await map.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2 + 15, box.y + box.height / 2 + 10);
    await page.getByTestId('from-precision').filter({ hasText: 'Placé sur la carte' }).waitFor();
    await page.getByTestId('submit-trip').click();
    await page.waitForURL(new RegExp(`#/trips/${tripId}/show`), { timeout: 30_000 });
    await expect.poll(async () => (await srv.api('GET', `/api/trips/${tripId}`)).body.originSource, { timeout: 15_000 }).toBe('map_click');
    const moved = (await srv.api('GET', `/api/trips/${tripId}`)).body;
    expect(moved.origin.lng).not.toBeCloseTo(lauzes.lng, 6);
    expect(moved.destinationSource).toBe('address');
    await page.context().close();
  });

  it('takes a phone request to an exact address, with where each end came from', async () => {
    const page = await loggedIn();
    await page.goto(`${srv.url}/console/#/appel`);
    await page.getByTestId('caller-search').fill('06 41 52 63 74');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.getByText('Aucune personne avec ce numéro').waitFor();
    await page.getByTestId('new-first-name').fill('Inventée');
    await typeAndWaitOptions(page, 'from-place', 'Lauz', 'Lauzès');
    await page.getByRole('option').first().click();
    await typeAndWaitOptions(page, 'to-place', '335 rue du Président Wilson Cahors', ADDRESS);
    await page.getByRole('option').first().click();
    await page.screenshot({ path: path.join(SHOTS, '43-appel-adresse-exacte.png') });
    await page.getByTestId('submit-request').click();
    await page.waitForURL(/#\/requests\/\d+\/show/, { timeout: 30_000 });
    const requestId = Number(/requests\/(\d+)\/show/.exec(page.url())![1]);
    const req = (await srv.api('GET', `/api/requests/${requestId}`)).body;
    expect(req).toMatchObject({ fromLabel: 'Lauzès', fromSource: 'commune_centre', toLabel: ADDRESS, toSource: 'address', to: { lng: 1.441237, lat: 44.456139 } });
    expect(req.from.lng).toBeCloseTo(lauzes.lng, 6);
    await page.getByText('Lauzès (approximatif : centre de la commune)', { exact: false }).first().waitFor();
    await page.context().close();
  });

  it('saves a named place on the Lieux page with a map click, then offers it in the address fields', async () => {
    const page = await loggedIn();
    await page.getByRole('menuitem', { name: 'Lieux' }).click();
    await page.waitForURL(/#\/places/);
    await page.getByRole('link', { name: /Créer/ }).click();
    await page.waitForURL(/#\/places\/create/);
    // A coordinator of one territory finds it chosen already.
    await page.getByRole('combobox', { name: /Territoire/ }).filter({ hasText: 'Lot' }).waitFor();
    await page.locator('input[name="name"]').fill('Pharmacie de Lauzès');
    await page.getByRole('combobox', { name: /Type/ }).click();
    await page.getByRole('option', { name: 'Pharmacie' }).click();
    // Found by the search first (the commune's centre), then placed exactly with a click.
    await typeAndWaitOptions(page, 'place-lookup', 'Lauz', 'Lauzès');
    await page.getByRole('option').first().click();
    await page.getByTestId('place-point').filter({ hasText: `Position : ${lauzes.lat.toFixed(5).replace('.', ',')}` }).waitFor();
    await expect(page.getByTestId('place-address').inputValue()).resolves.toBe('Lauzès');
    await page.getByTestId('place-address').fill('Le bourg, Lauzès');
    const map = page.locator('[data-testid="place-map"] .leaflet-container');
    await map.waitFor();
    await page.waitForFunction("document.querySelectorAll('[data-testid=\"place-map\"] .leaflet-overlay-pane path').length > 100");
    await map.scrollIntoViewIfNeeded();
    const box = (await map.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => page.getByTestId('place-point').textContent()).not.toContain(lauzes.lat.toFixed(5).replace('.', ','));
    await page.screenshot({ path: path.join(SHOTS, '44-lieu-creation.png') });
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForURL(/#\/places$/);
    await page.getByText('Pharmacie de Lauzès').waitFor();
    await page.screenshot({ path: path.join(SHOTS, '45-lieux-liste.png') });
    const [saved] = (await srv.api('GET', `/api/places?filter=${encodeURIComponent(JSON.stringify({ q: 'pharmacie de lauzes' }))}`)).body;
    expect(saved).toMatchObject({ name: 'Pharmacie de Lauzès', kind: 'pharmacy', address: 'Le bourg, Lauzès' });
    // Where it was clicked: in the Lot, not Lauzès's centre any more.
    expect(saved.point.lng).toBeGreaterThan(0.9);
    expect(saved.point.lng).not.toBeCloseTo(lauzes.lng, 6);

    await page.goto(`${srv.url}/console/#/trips/create?driverId=${driverId}`);
    await expect.poll(() => page.getByTestId('trip-driver').inputValue(), { timeout: 15_000 }).not.toBe('');
    await typeAndWaitOptions(page, 'to-place', 'pharma', 'Pharmacie de Lauzès');
    await expect(page.getByRole('option').first().textContent()).resolves.toContain('Lieu enregistré');
    await page.getByRole('option').first().click();
    await page.getByTestId('to-precision').filter({ hasText: 'Lieu enregistré' }).waitFor();
    await page.context().close();
  });
});
