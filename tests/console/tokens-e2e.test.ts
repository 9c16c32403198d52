import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import type { TestServer } from '../helpers/server.ts';
import { addUser, ensureConsoleBuilt, openConsole, startConsoleServer } from './helpers.ts';

const SHOTS = path.resolve(import.meta.dirname, '../output/screenshots');
const PW = 'correct horse battery';

let srv: TestServer;
let browser: Browser;
let lot: number;

beforeAll(async () => {
  ensureConsoleBuilt();
  fs.mkdirSync(SHOTS, { recursive: true });
  srv = await startConsoleServer();
  lot = (await srv.api('POST', '/api/territories', { slug: 'lot-e2e', name: 'Lot' })).body.id;
  await srv.api('POST', '/api/territories', { slug: 'quercy-e2e', name: 'Quercy blanc' });
  await addUser(srv.booted.services.db, { email: 'admin@jetons.fr', password: PW, role: 'admin' });
  await addUser(srv.booted.services.db, { email: 'coord@jetons.fr', password: PW, role: 'coordinator', territoryIds: [lot] });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

/** Logged in, at the size of a small laptop screen (the screenshots are read at that size). */
async function console1280(email: string): Promise<Page> {
  const page = await openConsole(browser, srv.url, email, PW);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.url });
  return page;
}

describe('API tokens in the console', () => {
  it('lets an admin create a token, shown once with a copy button, then revoke it', async () => {
    const page = await console1280('admin@jetons.fr');
    await page.getByRole('menuitem', { name: 'Jetons d’API' }).click();
    await page.waitForURL(/#\/tokens/);
    await page.getByRole('link', { name: 'Créer' }).click();

    await page.getByLabel('Libellé').fill('Opérateur MaaS du Lot');
    await page.getByRole('combobox', { name: 'Rôle' }).click();
    await page.getByRole('option', { name: 'Intégration' }).click();
    await page.getByRole('combobox', { name: 'Territoire' }).click();
    await page.getByRole('option', { name: 'Lot', exact: true }).click();
    await page.getByRole('button', { name: 'Enregistrer' }).click();

    await page.getByText('Copiez ce jeton maintenant : il ne sera plus affiché.').waitFor();
    const token = await page.getByTestId('issued-token').inputValue();
    expect(token).toMatch(/^cmb_[\w-]{32}$/);
    await page.getByTestId('copy-token').click();
    await page.getByRole('button', { name: 'Copié', exact: true }).waitFor();
    // A string: the test's tsconfig has no DOM types; the function runs in the page.
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(token);
    await page.screenshot({ path: path.join(SHOTS, 'jetons-1-cree.png') });

    // What was shown is a working integration key of the Lot.
    const made = (await srv.api('GET', '/api/tokens')).body.find((t: { label: string }) => t.label === 'Opérateur MaaS du Lot');
    expect(made).toMatchObject({ role: 'integration', territoryId: lot, createdBy: expect.stringMatching(/^user:\d+$/), revokedAt: null });
    expect((await srv.api('GET', '/api/territories', undefined, token)).status).toBe(200);

    // Once: back on the list, and after a reload, the secret is nowhere on the page.
    await page.getByTestId('token-done').click();
    const row = page.locator('tr', { hasText: 'Opérateur MaaS du Lot' });
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('Actif');
    expect(await row.textContent()).toContain('Intégration');
    expect(await row.textContent()).toMatch(/\d\d\/\d\d\/\d{4} \d\d:\d\d/);
    await page.reload();
    await row.waitFor();
    expect(await page.content()).not.toContain(token);
    await page.screenshot({ path: path.join(SHOTS, 'jetons-2-liste.png') });

    await row.getByRole('button', { name: 'Révoquer' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Révoquer le jeton « Opérateur MaaS du Lot » ?').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'jetons-3-confirmation.png') });
    await dialog.getByRole('button', { name: 'Révoquer' }).click();
    await page.getByText('Jeton « Opérateur MaaS du Lot » révoqué').waitFor();
    await expect.poll(() => row.textContent()).toMatch(/Révoqué le \d\d\/\d\d\/\d{4} \d\d:\d\d/);
    expect(await row.getByRole('button', { name: 'Révoquer' }).count()).toBe(0);
    expect((await srv.api('GET', '/api/territories', undefined, token)).status).toBe(401);
    await page.screenshot({ path: path.join(SHOTS, 'jetons-4-revoque.png') });

    // The state filter: revoked tokens stay listed under "Révoqués", gone from "Actifs".
    await page.getByRole('combobox', { name: 'État' }).click();
    await page.getByRole('option', { name: 'Actifs' }).click();
    await page.getByText('Aucun résultat').first().waitFor();
    await page.getByRole('combobox', { name: 'État' }).click();
    await page.getByRole('option', { name: 'Révoqués' }).click();
    await row.waitFor();
    await page.context().close();
  });

  it('says in French why a non-admin token needs a territory, and makes nothing', async () => {
    const page = await console1280('admin@jetons.fr');
    await page.goto(`${srv.url}/console/#/tokens/create`);
    await page.getByLabel('Libellé').fill('Sans territoire');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Choisissez le territoire : seul un jeton administrateur vaut pour tous les territoires').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'jetons-0-formulaire.png') });
    const labels = (await srv.api('GET', '/api/tokens')).body.map((t: { label: string }) => t.label);
    expect(labels).not.toContain('Sans territoire');
    await page.context().close();
  });

  it('hides the page from a coordinator', async () => {
    const page = await console1280('coord@jetons.fr');
    await page.getByRole('menuitem', { name: 'Demandes' }).waitFor();
    expect(await page.getByRole('menuitem', { name: 'Jetons d’API' }).count()).toBe(0);
    await page.goto(`${srv.url}/console/#/tokens`);
    await page.getByText('Page manquante').waitFor();
    expect(await page.getByText('Opérateur MaaS du Lot').count()).toBe(0);
    await page.context().close();
  });
});
