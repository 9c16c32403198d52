import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import type { TestServer } from '../helpers/server.ts';
import { addUser, ensureConsoleBuilt, frDate, pickerValue, startConsoleServer, typeInPicker } from './helpers.ts';

/**
 * The console follows French conventions even in a browser set to English (as the one the issue was found with):
 * dates dd/mm/yyyy, 24 h, decimal commas, French alphabetical order, French texts on MUI's own buttons.
 */
const PW = 'correct horse battery';
let srv: TestServer;
let browser: Browser;

beforeAll(async () => {
  ensureConsoleBuilt();
  srv = await startConsoleServer({ demo: true });
  const db = srv.booted.services.db;
  const lotId = (await db.query<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`)).rows[0].id;
  await addUser(db, { email: 'fr@e2e.fr', password: PW, role: 'coordinator', territoryIds: [lotId] });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

/** A console session in an English browser: what the page shows must not depend on it. */
async function englishConsole(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'en-US', timezoneId: 'Europe/Paris' });
  const page = await ctx.newPage();
  await page.goto(`${srv.url}/console/`);
  return page;
}

async function englishLoggedIn(): Promise<Page> {
  const page = await englishConsole();
  await page.locator('input[name="username"]').fill('fr@e2e.fr');
  await page.locator('input[name="password"]').fill(PW);
  await page.locator('button[type="submit"]').click();
  await page.getByText('Bonjour').waitFor();
  return page;
}

describe('French conventions in the console', () => {
  it('the login page names the product and asks for an e-mail address', async () => {
    const page = await englishConsole();
    await page.getByRole('heading', { name: 'CoMobi' }).waitFor();
    expect(await page.getByLabel('Adresse e-mail').count()).toBe(1);
    expect(await page.getByText('Identifiant').count()).toBe(0);
    await page.context().close();
  });

  it('dates and times in French, communes in French order, MUI buttons in French', async () => {
    const page = await englishLoggedIn();
    await page.goto(`${srv.url}/console/#/appel`);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await expect.poll(() => pickerValue(page, 'date')).toBe(frDate(tomorrow));
    expect(await pickerValue(page, 'time')).toBe('09:00');
    await typeInPicker(page, 'time', '14:30');
    expect(await pickerValue(page, 'time')).toBe('14:30');
    await typeInPicker(page, 'date', '03/02/2027');
    expect(await pickerValue(page, 'date')).toBe('03/02/2027');

    // The autocomplete's button says "Ouvrir", never "Open".
    expect(await page.locator('[title="Open"], [aria-label="Open"]').count()).toBe(0);
    expect(await page.locator('[title="Ouvrir"]').count()).toBeGreaterThan(0);

    await page.getByTestId('from-commune').fill('B');
    await page.getByRole('option').first().waitFor();
    const names = (await page.getByRole('option').allTextContents()).map((o) => o.replace(/ \(\d+\)$/, ''));
    expect(names.indexOf('Béduer')).toBeGreaterThanOrEqual(0);
    expect(names.indexOf('Béduer')).toBeLessThan(names.indexOf('Bretenoux'));
    const sorted = [...names].sort(new Intl.Collator('fr').compare);
    expect(names).toEqual(sorted);
    await page.context().close();
  });

  it('distances with a decimal comma and phone numbers as tel: links', async () => {
    const page = await englishLoggedIn();
    const trip = (await srv.booted.services.db.query<{ id: number }>('SELECT id FROM trips ORDER BY id LIMIT 1')).rows[0];
    await page.goto(`${srv.url}/console/#/trips/${trip.id}/show`);
    await page.getByText(/\d+,\d\s?km/).first().waitFor();
    expect(await page.getByText(/\d+\.\d km/).count()).toBe(0);

    await page.goto(`${srv.url}/console/#/drivers`);
    const link = page.locator('a[href^="tel:"]').first();
    await link.waitFor();
    expect(await link.getAttribute('href')).toMatch(/^tel:\+?\d{10,}$/);
    expect((await link.getAttribute('href'))!.slice(4)).toBe((await link.textContent())!.replace(/[^+0-9]/g, ''));
    await page.context().close();
  });
});
