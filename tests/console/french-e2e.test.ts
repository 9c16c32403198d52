import fs from 'node:fs';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import type { TestServer } from '../helpers/server.ts';
import { addUser, ensureConsoleBuilt, frDate, pickerValue, proposalAsk, startConsoleServer, typeInPicker } from './helpers.ts';

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
  // A request of a demo passenger, with its proposals (the demo has requests but no matches).
  const passengerId = (await db.query<{ id: number }>(
    `SELECT p.id FROM people p JOIN person_identities i ON i.person_id = p.id
     WHERE p.is_passenger AND p.territory_id = $1 AND i.last_name IS NOT NULL ORDER BY p.id LIMIT 1`, [lotId])).rows[0].id;
  const { proposals: _n, ...ask } = await proposalAsk(srv);
  const made = await srv.api('POST', '/api/requests', { territoryId: lotId, passengerId, ...ask });
  if (made.status !== 201 && made.status !== 200) throw new Error(`request not made: ${JSON.stringify(made.body)}`);
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

    // The place search finds communes whatever the accents and the case ("beduer" is Béduer).
    await page.getByTestId('from-place').fill('beduer');
    await page.getByRole('option').first().waitFor();
    const names = await page.getByRole('option').allTextContents();
    expect(names[0]).toMatch(/^Béduer/);
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

  it('list exports open in a French spreadsheet: BOM, `;`, French headers, names and labels, dd/mm/yyyy', async () => {
    const page = await englishLoggedIn();
    await page.goto(`${srv.url}/console/#/requests`);
    await page.locator('tbody tr').first().waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Exporter' }).click()]);
    const bytes = fs.readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trim().split('\r\n');
    expect(lines[0]).toBe('N°;Passager;Départ;Arrivée;Date;Jours;Heure;Heure de;Retour;Places;Motif;Besoins;Statut;Créée le (heure de Paris)');
    const db = srv.booted.services.db;
    const first = lines[1].split(';');
    const r = (await db.query<{ first_name: string; last_name: string; status: string; date: string | null; created_at: Date }>(
      `SELECT i.first_name, i.last_name, r.status, to_char(r.date, 'DD/MM/YYYY') AS date, r.created_at
       FROM requests r JOIN person_identities i ON i.person_id = r.passenger_id WHERE r.id = $1`, [Number(first[0])])).rows[0];
    expect(first[1]).toBe(`${r.first_name} ${r.last_name}`.trim());
    expect(first[4]).toBe(r.date ?? '');
    expect(first[8]).toBe('aller simple');
    expect(first[12]).toBe({ open: 'Ouverte', matched: 'Conducteur trouvé', served: 'Servie', unserved: 'Non servie', cancelled: 'Annulée' }[r.status]);
    const paris = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    expect(first[13]).toBe(paris.format(r.created_at).replace(',', ''));
    await page.context().close();
  });

  it('the matches list names the passenger and the driver, and a row opens the match', async () => {
    const page = await englishLoggedIn();
    const db = srv.booted.services.db;
    const m = (await db.query<{ id: number; request_id: number; passenger: string; driver: string }>(
      `SELECT m.id, m.request_id, trim(coalesce(pi.first_name, '') || ' ' || coalesce(pi.last_name, '')) AS passenger,
         trim(coalesce(di.first_name, '') || ' ' || coalesce(di.last_name, '')) AS driver
       FROM matches m JOIN requests r ON r.id = m.request_id JOIN trips t ON t.id = m.trip_id
       JOIN person_identities pi ON pi.person_id = r.passenger_id JOIN person_identities di ON di.person_id = t.driver_id
       ORDER BY m.id DESC LIMIT 1`)).rows[0];
    expect(m).toBeDefined();
    await page.goto(`${srv.url}/console/#/matches`);
    const row = page.locator('tbody tr').first();
    await row.waitFor();
    expect(await row.textContent()).toContain(m.passenger);
    expect(await row.textContent()).toContain(m.driver);
    await row.click();
    await page.waitForURL(new RegExp(`#/matches/${m.id}/show$`));
    await page.getByRole('link', { name: `Demande n° ${m.request_id}` }).waitFor();
    expect(await page.locator('main').textContent()).toContain(m.passenger);
    // The names were read: the audit log says whose.
    const audited = await db.query(`SELECT 1 FROM audit_log WHERE action = 'read_personal' AND subject_type = 'person' AND fields @> ARRAY['firstName']`);
    expect(audited.rowCount).toBeGreaterThan(0);
    await page.context().close();
  });
});
