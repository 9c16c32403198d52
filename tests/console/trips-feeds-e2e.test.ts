import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flexFeed, makeZip, tinyFeed } from '../gtfs/helpers.ts';
import type { TestServer } from '../helpers/server.ts';
import { addUser, ensureConsoleBuilt, openConsole, pickerValue, startConsoleServer, typeInPicker } from './helpers.ts';

const SHOTS = path.resolve(import.meta.dirname, '../output/screenshots');
const PW = 'correct horse battery';
const LABEL = 'Place de la Halle, Gramat';

let srv: TestServer;
let browser: Browser;
let feeds: http.Server;
let feedBase: string;
let driver: { id: number; last_name: string };

/** Serves the feeds slowly (512 bytes every 250 ms) so that the progress page has something to show. */
async function serveSlowly(files: Record<string, Buffer>) {
  const server = http.createServer(async (req, res) => {
    const body = files[req.url ?? ''];
    if (!body) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-length', body.length);
    for (let i = 0; i < body.length; i += 512) {
      res.write(body.subarray(i, i + 512));
      await new Promise((r) => setTimeout(r, 250));
    }
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

beforeAll(async () => {
  ensureConsoleBuilt();
  fs.mkdirSync(SHOTS, { recursive: true });
  const broken = tinyFeed();
  broken['stops.txt'] = 'stop_id,stop_name,stop_lat,stop_lon\nS1,Cahors Gare,44.4491,1.4340\nS2,Figeac Gare,north,2.0317\n';
  feeds = await serveSlowly({ '/flex.zip': fs.readFileSync(flexFeed('on-demand-service')), '/broken.zip': fs.readFileSync(await makeZip(broken)) });
  feedBase = `http://127.0.0.1:${(feeds.address() as AddressInfo).port}`;
  srv = await startConsoleServer({ demo: true });
  const db = srv.booted.services.db;
  const lotId = (await db.query<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`)).rows[0].id;
  await addUser(db, { email: 'admin@e2e.fr', password: PW, role: 'admin' });
  await addUser(db, { email: 'lot@e2e.fr', password: PW, role: 'coordinator', territoryIds: [lotId] });
  driver = (await db.query<{ id: number; last_name: string }>(
    `SELECT p.id, i.last_name FROM people p JOIN person_identities i ON i.person_id = p.id
     WHERE p.is_driver AND p.territory_id = $1 AND i.last_name IS NOT NULL ORDER BY p.id LIMIT 1`, [lotId],
  )).rows[0];
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
  await new Promise((r) => feeds?.close(r));
});

const loggedIn = (email: string): Promise<Page> => openConsole(browser, srv.url, email, PW);

describe('imported feeds and trips in a real browser', () => {
  it('lets an admin import a feed, follow its progress and read the report', async () => {
    const page = await loggedIn('admin@e2e.fr');
    await page.goto(`${srv.url}/console/#/feeds`);
    await page.getByTestId('import-feed').click();
    await page.getByTestId('import-url').fill(`${feedBase}/flex.zip`);
    await page.getByTestId('import-name').fill('TAD de démonstration');
    await page.screenshot({ path: path.join(SHOTS, '10-import-formulaire.png') });
    await page.getByTestId('start-import').click();
    await page.waitForURL(/#\/feed-imports\/\d+/);
    // Downloading: some bytes of the total, before the end.
    await page.getByTestId('import-status').filter({ hasText: 'Téléchargement' }).waitFor();
    await page.getByText(/Téléchargé : \d+ ko sur 5 ko/).waitFor();
    await page.screenshot({ path: path.join(SHOTS, '11-import-progression.png') });
    await page.getByTestId('import-status').filter({ hasText: 'Terminé' }).waitFor({ timeout: 60_000 });
    const report = page.getByTestId('import-report');
    await report.waitFor();
    await expect(report.textContent()).resolves.toContain('stop_times.txt');
    await expect(report.textContent()).resolves.toMatch(/Période de service : du \d\d\/\d\d\/\d{4} au/);
    // The example feed's service ended in November 2022: activated, and said so in French (banner and warnings).
    await expect(page.getByTestId('import-expired').textContent()).resolves.toMatch(/^Flux expiré : valable jusqu’au 23\/11\/2022, avant l’import du \d\d\/\d\d\/\d{4}/);
    const warnings = await page.getByTestId('import-warnings').textContent();
    expect(warnings).toMatch(/(calendar|feed_info)\.txt, colonne (end_date|feed_end_date) : Flux expiré : valable jusqu’au 23\/11\/2022/);
    expect(warnings).toContain('feed_info.txt, ligne 1, colonne feed_id : Colonne inconnue, ignorée');
    expect(warnings).not.toMatch(/unknown column|expired feed/);
    await page.screenshot({ path: path.join(SHOTS, '12-import-termine-rapport.png'), fullPage: true });

    await page.getByRole('link', { name: 'Voir le flux' }).click();
    await page.waitForURL(/#\/feeds\/\d+\/show/);
    await page.getByTestId('import-report').waitFor();
    await page.getByText('Active').first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, '13-flux-rapport.png'), fullPage: true });
    const v = await srv.booted.services.db.query(
      `SELECT v.status FROM gtfs.feed_versions v JOIN gtfs.feeds f ON f.id = v.feed_id WHERE f.name = 'TAD de démonstration'`,
    );
    expect(v.rows).toEqual([{ status: 'active' }]);

    // A broken feed: the error says which file, line and column.
    await page.goto(`${srv.url}/console/#/feeds/create`);
    await page.getByTestId('import-url').fill(`${feedBase}/broken.zip`);
    await page.getByTestId('import-name').fill('Flux cassé');
    await page.getByTestId('start-import').click();
    await page.getByTestId('import-status').filter({ hasText: 'Échec' }).waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('error-file').textContent()).resolves.toBe('stops.txt');
    await expect(page.getByTestId('error-line').textContent()).resolves.toBe('3');
    await expect(page.getByTestId('error-column').textContent()).resolves.toBe('stop_lat');
    await page.getByText('Coordonnée invalide').waitFor();
    await page.screenshot({ path: path.join(SHOTS, '14-import-echec.png') });
    await page.context().close();
  });

  it('lets a coordinator add a regular trip for a driver, see its route, and find it by commune', async () => {
    const page = await loggedIn('lot@e2e.fr');
    await page.goto(`${srv.url}/console/#/drivers/${driver.id}/show`);
    await page.getByTestId('add-trip').click();
    await page.waitForURL(/#\/trips\/create\?driverId=/);
    await expect.poll(() => page.getByTestId('trip-driver').inputValue(), { timeout: 15_000 }).toContain(driver.last_name);
    await page.getByTestId('from-place').fill('Gramat');
    await page.getByRole('option', { name: /^Gramat\s*Commune/ }).click();
    await page.getByTestId('from-label').fill(LABEL);
    await page.getByTestId('to-place').fill('Cahors');
    await page.getByRole('option', { name: /^Cahors\s*Commune/ }).click();
    // Monday, Tuesday, Thursday: each click chooses its day (it once unchose them from a Monday-to-Friday start).
    for (const d of [1, 2, 4]) await page.getByTestId(`weekday-${d}`).click();
    for (const d of [1, 2, 3, 4, 5, 6, 7]) {
      await expect(page.getByTestId(`weekday-${d}`).getAttribute('aria-pressed')).resolves.toBe(String([1, 2, 4].includes(d)));
    }
    await typeInPicker(page, 'departure-time', '05:10');
    await typeInPicker(page, 'return-time', '17:30');
    expect(await pickerValue(page, 'departure-time')).toBe('05:10');
    // Validity in the wrong order: the API's reason appears in French on the input.
    await typeInPicker(page, 'valid-from', '01/02/2030');
    await typeInPicker(page, 'valid-to', '01/01/2030');
    expect(await pickerValue(page, 'valid-from')).toBe('01/02/2030');
    await page.getByTestId('submit-trip').click();
    await page.getByText('La fin de validité précède le début').waitFor();
    await page.screenshot({ path: path.join(SHOTS, '15-trajet-erreur.png') });
    await typeInPicker(page, 'valid-to', '31/12/2030');
    await page.getByTestId('submit-trip').click();

    await page.waitForURL(/#\/trips\/\d+\/show/);
    const tripId = Number(/trips\/(\d+)\/show/.exec(page.url())![1]);
    await page.locator('[data-testid="trip-map"] path.trip-route').waitFor();
    await page.getByText(LABEL).first().waitFor();
    // Screenshot only: let the map's zoom animation settle.
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(SHOTS, '16-trajet-itineraire.png') });
    const saved = await srv.api('GET', `/api/trips/${tripId}`);
    expect(saved.body).toMatchObject({ driverId: driver.id, kind: 'regular', weekdays: [1, 2, 4], departureTime: '05:10', returnTime: '17:30', validTo: '2030-12-31' });
    expect(saved.body.route.coordinates.length).toBeGreaterThan(2);

    // The full edit screen: same form, prefilled, PUT.
    await page.getByRole('link', { name: /^Modifier$/i }).click();
    await page.waitForURL(new RegExp(`#/trips/${tripId}$`));
    await expect.poll(() => pickerValue(page, 'departure-time'), { timeout: 15_000 }).toBe('05:10');
    expect(await pickerValue(page, 'valid-to')).toBe('31/12/2030');
    await expect(page.getByTestId('weekday-4').getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(page.getByTestId('from-label').inputValue()).resolves.toBe(LABEL);
    await page.getByTestId('seats').fill('2');
    await page.getByTestId('submit-trip').click();
    await page.waitForURL(new RegExp(`#/trips/${tripId}/show`));
    await expect.poll(async () => (await srv.api('GET', `/api/trips/${tripId}`)).body.seats, { timeout: 15_000 }).toBe(2);

    // The trips list filtered by a commune on the way.
    await page.goto(`${srv.url}/console/#/trips`);
    const total = async () => Number((await page.locator('.MuiTablePagination-displayedRows').textContent())!.split(/sur|of/).pop()!.trim().replace(/\s/g, ''));
    await page.locator('.MuiTablePagination-displayedRows').waitFor();
    const all = await total();
    const insee = async (name: string) => (await srv.booted.services.db.query<{ insee: string }>(`SELECT insee FROM communes WHERE name = $1`, [name])).rows[0].insee;
    const listed = (code: string) => page.waitForResponse((r) => r.url().includes('/api/trips?') && decodeURIComponent(r.url()).includes(`"communeInsee":"${code}"`));
    const gramat = listed(await insee('Gramat'));
    await page.getByLabel('Commune traversée (2 km)').fill('Gramat');
    await page.getByRole('option', { name: /^Gramat \(/ }).click();
    const inGramat = Number((await (await gramat).headerValue('content-range'))!.split('/')[1]);
    expect(inGramat).toBeLessThan(all);
    await page.getByText(LABEL).first().waitFor();
    await expect.poll(total, { timeout: 15_000 }).toBe(inGramat);
    await page.screenshot({ path: path.join(SHOTS, '17-trajets-filtre-commune.png') });
    const answered = listed(await insee('Figeac'));
    await page.getByLabel('Commune traversée (2 km)').fill('Figeac');
    await page.getByRole('option', { name: /^Figeac \(/ }).click();
    expect((await answered).status()).toBe(200);
    await page.locator('tbody tr').first().waitFor();
    await expect(page.getByText(LABEL).count()).resolves.toBe(0);

    // And on the driver's page.
    await page.goto(`${srv.url}/console/#/drivers/${driver.id}/show`);
    await page.getByText(LABEL).first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, '18-conducteur-trajets.png') });
    await page.context().close();
  });
});
