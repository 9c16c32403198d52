import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/axe.ts';
import { launchChromium } from '../helpers/browser.ts';
import { startPublic, type PublicServer } from '../public/helpers.ts';

/**
 * "Je propose un trajet" leads to "Je deviens conducteur bénévole": a person offers to drive on purpose, on a phone.
 * They are recorded inactive with their days, hours, distance and car, until the coordination calls them.
 */
let srv: PublicServer;
let browser: Browser;
const CAJARC = '46045';

beforeAll(async () => {
  srv = await startPublic({ demo: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

describe('Je deviens conducteur bénévole', () => {
  it('is offered from "Je propose un trajet" and records an inactive volunteer with the week ticked, on a phone', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'fr-FR' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${srv.url}/t/lot/proposer`);
    await page.getByRole('link', { name: 'Je deviens conducteur bénévole' }).click();
    await page.waitForURL(/\/t\/lot\/benevole$/);
    await page.waitForFunction("document.documentElement.getAttribute('data-fr-js') === 'true'");
    if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/benevole-public-390.png`, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    // Sent without a day nor a purpose: the errors name them, in French.
    await page.getByLabel('Prénom').fill('Gaston');
    await page.getByLabel('Nom', { exact: true }).fill('Inventé');
    await page.getByLabel('Téléphone').fill('06 39 98 99 77');
    await page.locator('select[name="depart"]').selectOption(CAJARC);
    for (const p of ['health', 'work', 'training', 'shopping', 'admin', 'leisure', 'other']) await page.locator(`input[name="motifs"][value="${p}"]`).uncheck({ force: true });
    await page.locator('input[name="consentement"]').check({ force: true });
    await page.getByRole('button', { name: 'Proposer de conduire' }).click();
    await page.getByText('Choisissez au moins un jour.').first().waitFor();
    await page.getByText('Choisissez au moins un type de déplacement.').first().waitFor();
    expect(await page.getByText('Choisissez au moins un moment de la journée.').count()).toBeGreaterThan(0);
    // Tuesdays and Thursdays, mornings; 25 km; a wheelchair-accessible car; health and admin.
    for (const d of ['2', '4']) await page.locator(`input[name="jours"][value="${d}"]`).check({ force: true });
    await page.locator('input[name="moments"][value="matin"]').check({ force: true });
    await page.getByLabel('Distance maximale depuis chez vous (km)').fill('25');
    await page.locator('input[name="fauteuil"]').check({ force: true });
    for (const p of ['health', 'admin']) await page.locator(`input[name="motifs"][value="${p}"]`).check({ force: true });
    await page.locator('input[name="consentement"]').check({ force: true });
    await page.getByRole('button', { name: 'Proposer de conduire' }).click();
    await page.getByRole('heading', { name: 'Merci de proposer de conduire' }).waitFor();
    if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/benevole-public-merci-390.png`, fullPage: true });
    expect(await page.locator('dl').innerText()).toMatch(/mardi, jeudi[\s\S]*le matin[\s\S]*25 km[\s\S]*oui[\s\S]*Santé, Démarches/);
    const { rows } = await srv.testDb.db.query<{ active: boolean; max_km: number; wheelchair: boolean; purposes: string[]; slots: string[] }>(
      `SELECT v.active, v.max_km, v.wheelchair, v.purposes,
         ARRAY(SELECT s.weekday || ' ' || s.start_min || '-' || s.end_min FROM volunteer_slots s WHERE s.volunteer_id = v.person_id ORDER BY 1) AS slots
       FROM volunteers v JOIN person_identities i ON i.person_id = v.person_id WHERE i.phone = '06 39 98 99 77'`,
    );
    expect(rows).toEqual([{ active: false, max_km: 25, wheelchair: true, purposes: ['health', 'admin'], slots: ['2 480-720', '4 480-720'] }]);
    // Nothing personal in the logs.
    expect(srv.logs.join('\n')).not.toMatch(/Gaston|06 39 98 99 77/);
    expect(errors).toEqual([]);
    await context.close();
  });
});
