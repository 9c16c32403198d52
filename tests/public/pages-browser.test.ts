import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/axe.ts';
import { launchChromium } from '../helpers/browser.ts';
import { startPublic, type PublicServer } from './helpers.ts';

/**
 * Every public page in Chromium, on a laptop and on a phone, with FranceConnect not configured (the default): no
 * script error, no console error, no serious accessibility violation, a menu that opens on the phone, the
 * confirmations with their number and recap. Screenshots land in SCREENSHOT_DIR when it is set.
 */
let srv: PublicServer;
let browser: Browser;

const VIEWPORTS = { laptop: { width: 1280, height: 720 }, phone: { width: 390, height: 844 } } as const;
const PAGES = ['/t/lot', '/t/lot/proposer', '/t/lot/chercher', '/stats', '/stats?territoire=lot', '/confidentialite', '/mes-trajets', '/t/nulle-part'];
const CAHORS = '46042';
const FIGEAC = '46102';

beforeAll(async () => {
  srv = await startPublic({ demo: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

/** A page that records its script errors, console errors (CSP refusals included: the CSP is not bypassed), failed loads. */
async function watchedPage(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, locale: 'fr-FR' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  // A failed load shows as a console error without its address: the response says which one (a 404 page is no error).
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== 'document') errors.push(`${r.status()}: ${r.url()}`);
  });
  page.on('requestfailed', (r) => errors.push(`failed: ${r.url()}`));
  return { context, page, errors };
}

/** Waits for the DSFR script to have started and the page to be quiet. */
async function settled(page: Page) {
  await page.waitForFunction("document.documentElement.getAttribute('data-fr-js') === 'true'");
  await page.waitForLoadState('networkidle');
}

async function shot(page: Page, name: string) {
  if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/${name}.png`, fullPage: true });
}

const nextMonday = () => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7 || 7));
  return d.toISOString().slice(0, 10);
};

for (const [name, viewport] of Object.entries(VIEWPORTS)) {
  describe(`public pages at ${viewport.width}×${viewport.height}`, () => {
    it('no script error, no console error and no serious accessibility violation on any page', async () => {
      const { context, page, errors } = await watchedPage(viewport);
      const found: Record<string, string[]> = {};
      for (const path of PAGES) {
        errors.length = 0;
        const res = await page.goto(srv.url + path);
        expect(res?.status(), path).toBe(path === '/t/nulle-part' ? 404 : 200);
        await settled(page);
        await shot(page, `${name}${path.replace(/[/?=]/g, '_')}`);
        const violations = await seriousViolations(page);
        if (errors.length || violations.length) found[path] = [...errors, ...violations];
      }
      await context.close();
      expect(found).toEqual({});
    });
  });
}

describe('the menu', () => {
  it('is a button on a phone that opens the navigation, and a visible bar on a laptop', async () => {
    const phone = await watchedPage(VIEWPORTS.phone);
    await phone.page.goto(`${srv.url}/t/lot`);
    await settled(phone.page);
    const nav = phone.page.locator('#navigation');
    expect(await nav.isVisible()).toBe(false);
    await phone.page.getByRole('button', { name: 'Menu' }).click();
    await expect.poll(() => nav.isVisible()).toBe(true);
    // The coordination's phone, in the header's tools on a laptop, is copied into the phone's menu by DSFR.
    expect(await phone.page.locator('#menu-principal a[href="tel:0536490000"]').isVisible()).toBe(true);
    await shot(phone.page, 'phone_menu-open');
    await phone.page.locator('#navigation').getByRole('link', { name: 'Je cherche un trajet' }).click();
    await phone.page.waitForURL(/\/t\/lot\/chercher$/);
    await phone.page.getByRole('button', { name: 'Menu' }).click();
    await expect.poll(() => nav.isVisible()).toBe(true);
    await phone.page.getByRole('button', { name: 'Fermer' }).click();
    await expect.poll(() => nav.isVisible()).toBe(false);
    expect(phone.errors).toEqual([]);
    await phone.context.close();

    const laptop = await watchedPage(VIEWPORTS.laptop);
    await laptop.page.goto(`${srv.url}/t/lot`);
    await settled(laptop.page);
    expect(await laptop.page.getByRole('button', { name: 'Menu' }).isVisible()).toBe(false);
    expect(await laptop.page.locator('#navigation').isVisible()).toBe(true);
    await laptop.context.close();
  });
});

describe('confirmations and "Mes trajets" without FranceConnect', () => {
  it('"Je cherche un trajet" confirms with the request number and a recap of what was asked', async () => {
    const { context, page, errors } = await watchedPage(VIEWPORTS.phone);
    const date = nextMonday();
    await page.goto(`${srv.url}/t/lot/chercher`);
    await page.locator('#f-prenom').fill('Philomène');
    await page.locator('#f-telephone').fill('06 21 32 43 54');
    await page.getByLabel('Commune de départ').selectOption(CAHORS);
    await page.locator('#f-depart_precision').fill('Place François-Mitterrand');
    await page.getByLabel('Commune d’arrivée').selectOption(FIGEAC);
    await page.locator('#f-date').fill(date);
    await page.locator('#f-heure').fill('09:00');
    await page.getByLabel('Motif du déplacement').selectOption('health');
    await page.locator('label[for="f-consentement-0"]').click();
    await page.getByRole('button', { name: 'Chercher un conducteur' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Votre demande est enregistrée');
    await settled(page);
    await shot(page, 'phone_chercher-confirmation');

    const { rows } = await srv.testDb.db.query<{ id: number }>(
      `SELECT r.id FROM requests r JOIN person_identities i ON i.person_id = r.passenger_id WHERE i.first_name = 'Philomène'`);
    expect(rows).toHaveLength(1);
    expect(await page.locator('.fr-alert__title').textContent()).toBe(`Demande n° ${rows[0].id} enregistrée`);
    const recap = Object.fromEntries(
      await page.locator('.comobi-recap > div').evaluateAll((ds) => ds.map((d) => [d.querySelector('dt')!.textContent, d.querySelector('dd')!.textContent])),
    );
    const longDate = new Intl.DateTimeFormat('fr-FR', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
    expect(recap).toEqual({
      'Numéro de la demande': `n° ${rows[0].id}`,
      Départ: 'Place François-Mitterrand, Cahors',
      Arrivée: 'Figeac',
      Date: longDate,
      'Arrivée souhaitée': 'à 09:00',
      'Nombre de personnes': '1',
      // No return asked: the recap says so rather than leaving the passenger to wonder.
      Retour: 'aller simple',
      Motif: 'Santé',
      'Numéro où vous rappeler': '06 21 32 43 54',
    });
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('"Je propose un trajet" confirms with the trip number and a recap of the offer', async () => {
    const { context, page, errors } = await watchedPage(VIEWPORTS.laptop);
    await page.goto(`${srv.url}/t/lot/proposer`);
    await page.locator('#f-prenom').fill('Anatole');
    await page.locator('#f-telephone').fill('06 98 87 76 65');
    await page.getByLabel('Commune de départ').selectOption(FIGEAC);
    await page.getByLabel('Commune d’arrivée').selectOption(CAHORS);
    await page.locator('label[for="f-jours-0"]').click();
    await page.locator('label[for="f-jours-3"]').click();
    await page.locator('#f-heure_depart').fill('07:30');
    await page.locator('#f-heure_retour').fill('17:15');
    await page.locator('label[for="f-consentement-0"]').click();
    await page.getByRole('button', { name: 'Proposer ce trajet' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Merci pour votre proposition');
    await settled(page);
    await shot(page, 'laptop_proposer-confirmation');

    const { rows } = await srv.testDb.db.query<{ id: number }>(
      `SELECT t.id FROM trips t JOIN person_identities i ON i.person_id = t.driver_id WHERE i.first_name = 'Anatole'`);
    expect(rows).toHaveLength(1);
    expect(await page.locator('.fr-alert__title').textContent()).toBe(`Trajet n° ${rows[0].id} enregistré`);
    const recap = Object.fromEntries(
      await page.locator('.comobi-recap > div').evaluateAll((ds) => ds.map((d) => [d.querySelector('dt')!.textContent, d.querySelector('dd')!.textContent])),
    );
    expect(recap).toEqual({
      'Numéro du trajet': `n° ${rows[0].id}`,
      Départ: 'Figeac',
      Arrivée: 'Cahors',
      Jours: 'lundi, jeudi',
      'Heure de départ': '07:30',
      'Heure du retour': '17:15',
      'Places libres': '3',
      'Contact direct': 'non : seule la coordination voit votre trajet',
    });
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('"Mes trajets" says the online login is not open and gives the coordination’s number as a tel: link', async () => {
    const { context, page, errors } = await watchedPage(VIEWPORTS.phone);
    await page.goto(`${srv.url}/mes-trajets`);
    await settled(page);
    const main = page.locator('main');
    expect(await main.textContent()).toContain('La connexion en ligne n’est pas encore ouverte');
    expect(await main.textContent()).toContain('appelez la coordination au 05 36 49 00 00');
    expect(await main.locator('a[href="tel:0536490000"]').textContent()).toBe('05 36 49 00 00');
    expect(await main.locator('a[href="/t/lot/chercher"]').count()).toBe(1);
    expect(await main.locator('.fr-connect').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
