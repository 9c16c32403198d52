import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, ensureConsoleBuilt, openConsole, startConsoleServer } from '../console/helpers.ts';
import { launchChromium } from '../helpers/browser.ts';
import type { TestServer } from '../helpers/server.ts';
import { CORREZE, readFeatures, writeCollection } from './helpers.ts';

/** The wizard in Debian's Chromium: an admin uploads the Corrèze's file, checks the map, creates the territory. */
let srv: TestServer;
let browser: Browser;
let dir: string;
const PW = 'mot de passe de test 19';

beforeAll(async () => {
  ensureConsoleBuilt();
  srv = await startConsoleServer();
  await addUser(srv.booted.services.db, { email: 'admin@wizard.fr', password: PW, role: 'admin' });
  browser = await launchChromium();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-wizard-'));
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('console territory wizard', () => {
  it('shows each refused feature and its reason, and creates nothing', async () => {
    const f = readFeatures(CORREZE);
    const bowTie = { ...f[1], geometry: { type: 'Polygon', coordinates: [[[1.7, 45.2], [1.8, 45.3], [1.8, 45.2], [1.7, 45.3], [1.7, 45.2]]] } };
    const file = writeCollection(dir, 'bow-tie.geojson', [f[0], bowTie]);
    const page = await openConsole(browser, srv.url, 'admin@wizard.fr', PW);
    await page.goto(`${srv.url}/console/#/territories/create`);
    await page.getByTestId('wizard-name').fill('Essai');
    await page.getByTestId('wizard-file').setInputFiles(file);
    await page.getByRole('button', { name: 'Vérifier le fichier' }).click();
    const issues = page.getByTestId('wizard-issues');
    await issues.waitFor();
    expect(await issues.innerText()).toMatch(/file\.features\[1\]\.geometry\s+feature 1 \(INSEE \d{5}\): géométrie invalide : Self-intersection/);
    expect((await srv.booted.services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM territories')).rows[0].n).toBe(0);
    await page.context().close();
  });

  it('uploads the Corrèze, shows its 283 communes and boundary, creates it and its first coordinator', async () => {
    const page = await openConsole(browser, srv.url, 'admin@wizard.fr', PW);
    await page.goto(`${srv.url}/console/#/territories`);
    await page.getByRole('link', { name: /créer/i }).click();
    await page.getByTestId('wizard-name').fill('Corrèze');
    await page.getByTestId('wizard-file').setInputFiles(CORREZE);
    await page.getByRole('button', { name: 'Vérifier le fichier' }).click();
    const summary = page.getByTestId('wizard-summary');
    await summary.waitFor({ timeout: 30_000 });
    expect(await summary.innerText()).toContain('283 communes, codes postaux pour 282');
    // The boundary is drawn on the map (one SVG path for the union of the communes).
    await page.locator('.leaflet-container path.leaflet-interactive').first().waitFor();
    expect((await srv.booted.services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM territories')).rows[0].n).toBe(0);

    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.getByTestId('wizard-email').fill('coord@wizard.fr');
    await page.getByRole('button', { name: 'Créer le territoire' }).click();
    const password = (await page.getByTestId('wizard-password').innerText({ timeout: 30_000 })).trim();
    expect(password).toMatch(/^\S{16}$/);
    const { rows } = await srv.booted.services.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM communes c JOIN territories t ON t.id = c.territory_id WHERE t.slug = 'correze'`,
    );
    expect(rows[0].n).toBe(283);
    await page.context().close();

    const coord = await openConsole(browser, srv.url, 'coord@wizard.fr', password);
    await coord.context().close();
  });
});
