import { type Browser, type Page } from 'playwright-core';
import { seriousViolations as axe } from '../helpers/axe.ts';
import { launchChromium } from '../helpers/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPublic, type PublicServer } from './helpers.ts';

let srv: PublicServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  srv = await startPublic({ demo: true, env: { JDMA_ID: '3456' } });
  browser = await launchChromium();
  // The page's CSP forbids inline scripts: the context bypasses it only to inject axe-core.
  const context = await browser.newContext({ bypassCSP: true, locale: 'fr-FR' });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

const seriousViolations = () => axe(page);

describe('public pages in a real browser', () => {
  for (const path of ['/t/lot', '/t/lot/proposer', '/t/lot/chercher', '/stats?territoire=lot', '/confidentialite', '/mes-trajets']) {
    it(`${path} has no serious or critical accessibility violation`, async () => {
      const res = await page.goto(srv.url + path);
      expect(res?.status()).toBe(200);
      expect(await page.getAttribute('html', 'lang')).toBe('fr');
      expect(await page.locator('main#contenu').count()).toBe(1);
      expect(await seriousViolations()).toEqual([]);
    });
  }

  it('a form sent empty shows its errors tied to the fields, accessibly', async () => {
    await page.goto(`${srv.url}/t/lot/chercher`);
    await page.getByRole('button', { name: 'Chercher un conducteur' }).click();
    await page.waitForURL(/\/t\/lot\/chercher$/);
    await expect.poll(() => page.locator('.fr-error-text').count()).toBeGreaterThan(3);
    const phone = page.getByLabel('Téléphone', { exact: false });
    expect(await phone.getAttribute('aria-invalid')).toBe('true');
    expect(await seriousViolations()).toEqual([]);
  });

  it('a driver offers a trip through the form and sees the confirmation', async () => {
    await page.goto(`${srv.url}/t/lot/proposer`);
    await page.locator('#f-prenom').fill('Yolande');
    await page.locator('#f-telephone').fill('06 11 22 33 44');
    await page.getByLabel('Commune de départ').selectOption('46042');
    await page.getByLabel('Commune d’arrivée').selectOption('46102');
    await page.locator('label[for="f-jours-0"]').click(); // DSFR draws the box on the label
    await page.locator('#f-heure_depart').fill('07:45');
    await page.locator('label[for="f-consentement-0"]').click();
    await page.getByRole('button', { name: 'Proposer ce trajet' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Merci pour votre proposition');
    expect(await page.locator('a[href^="https://jedonnemonavis.numerique.gouv.fr/Demarches/3456"]').count()).toBeGreaterThan(0);
    expect(await seriousViolations()).toEqual([]);
    const { rows } = await srv.testDb.db.query(`SELECT t.departure_min FROM trips t JOIN person_identities i ON i.person_id = t.driver_id WHERE i.first_name = 'Yolande'`);
    expect(rows).toEqual([{ departure_min: 465 }]);
  });
});
