import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import type { TestServer } from '../helpers/server.ts';
import { addUser, ensureConsoleBuilt, startConsoleServer } from '../console/helpers.ts';

/**
 * The whole journey in the demo, in the browser: a request that no commuter serves (an afternoon appointment at
 * Figeac's hospital from Cajarc) gets a volunteer's proposal with both amounts; the coordinator accepts and confirms
 * it; the trip is in the volunteer's statement of the month. Screenshots land in SCREENSHOT_DIR when it is set.
 */
const PW = 'correct horse battery';
const SHOTS = process.env.SCREENSHOT_DIR;
let srv: TestServer;
let browser: Browser;
let page: Page;
let requestId: number;
let requestDate: string;
let volunteerId: number;

const shot = async (name: string) => {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
};

beforeAll(async () => {
  ensureConsoleBuilt();
  srv = await startConsoleServer({ demo: true });
  const db = srv.booted.services.db;
  const lotId = (await db.query<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`)).rows[0].id;
  await addUser(db, { email: 'benevoles@e2e.fr', password: PW, role: 'coordinator', territoryIds: [lotId] });
  const r = (await db.query<{ id: number; date: string }>(`SELECT id, date::text AS date FROM requests WHERE from_label = 'Cajarc, place du Foirail'`)).rows[0];
  requestId = r.id;
  requestDate = r.date;
  volunteerId = (await db.query<{ person_id: number }>(
    `SELECT v.person_id FROM volunteers v JOIN person_identities i ON i.person_id = v.person_id WHERE i.last_name = 'Lafargue'`)).rows[0].person_id;
  browser = await launchChromium();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'fr-FR' });
  page = await ctx.newPage();
  await page.goto(`${srv.url}/console/`);
  await page.locator('input[name="username"]').fill('benevoles@e2e.fr');
  await page.locator('input[name="password"]').fill(PW);
  await page.locator('button[type="submit"]').click();
  await page.getByText('Bonjour').waitFor();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

describe('a request no commuter serves, served by a volunteer', () => {
  it('no commuter serves it: searching again finds the volunteers only, with both amounts', async () => {
    await page.goto(`${srv.url}/console/#/requests/${requestId}/show`);
    await page.getByTestId('rematch').waitFor();
    await page.getByTestId('rematch').click();
    await page.getByText(/Recherche relancée/).waitFor();
    const stored = await srv.api('GET', `/api/requests/${requestId}`);
    expect(stored.body.proposals.length).toBeGreaterThan(0);
    expect(stored.body.proposals.every((p: { kind: string }) => p.kind === 'volunteer')).toBe(true);
    const best = stored.body.proposals[0];
    expect(best.volunteerId).toBe(volunteerId);
    await page.getByTestId(`volunteer-badge-${best.id}`).waitFor();
    const amounts = await page.getByTestId(`amounts-${best.id}`).innerText();
    const eur = (n: number) => new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(n);
    expect(amounts).toContain(`Participation : ${eur(best.participationEur)}`);
    expect(amounts).toContain(`Indemnité bénévole : ${eur(best.allowanceEur)}`);
    const row = await page.getByTestId(`proposal-${best.id}`).innerText();
    expect(row).toContain('Odette Lafargue');
    expect(row).toMatch(/Départ \d\d:\d\d, retour \d\d:\d\d/);
    // The map draws the volunteer's trip from home: the route is asked once the home is read.
    await page.waitForLoadState('networkidle');
    await page.locator('.detour-route').first().waitFor({ state: 'attached' });
    await shot('benevole-revue-1280.png');
  });

  it('is accepted then confirmed, and the receipt is offered', async () => {
    const best = (await srv.api('GET', `/api/requests/${requestId}`)).body.proposals[0];
    await page.getByTestId(`act-${best.id}-accepted`).click();
    await page.getByTestId(`act-${best.id}-confirmed`).click();
    await page.getByTestId(`receipt-${best.id}`).waitFor();
    await expect.poll(async () => (await srv.api('GET', `/api/matches/${best.id}`)).body.status).toBe('confirmed');
    await expect.poll(() => page.getByTestId('request-status').innerText()).toBe('Conducteur trouvé');
    const receipt = await fetch(`${srv.url}${await page.getByTestId(`receipt-${best.id}`).getAttribute('href')}`, {
      headers: { cookie: (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ') },
    });
    expect(receipt.status).toBe(200);
    expect(receipt.headers.get('content-type')).toBe('application/pdf');
  });

  it('appears in the volunteer’s statement of the month, with the amounts kept', async () => {
    const m = (await srv.api('GET', `/api/requests/${requestId}`)).body.proposals[0];
    await page.goto(`${srv.url}/console/#/volunteers`);
    await page.getByText('Odette Lafargue').click();
    await page.getByTestId('availability-grid').waitFor();
    await page.getByTestId('statement-month').locator('..').click();
    const months = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
    await page.getByRole('option', { name: `${months[Number(requestDate.slice(5, 7)) - 1]} ${requestDate.slice(0, 4)}` }).click();
    const lines = page.getByTestId('statement-lines');
    await lines.waitFor();
    const text = await lines.innerText();
    const fr = `${requestDate.slice(8, 10)}/${requestDate.slice(5, 7)}/${requestDate.slice(0, 4)}`;
    expect(text).toContain(fr);
    expect(text).toContain('Marcelle V.');
    expect(text).toContain('Figeac, Centre hospitalier');
    const eur = (n: number) => new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(n);
    expect(await page.getByTestId('statement-total').innerText()).toContain(eur(m.allowanceEur));
    expect(text).toContain(eur(m.participationEur));
    await shot('benevole-fiche-1280.png');
  });

  it('changes the week on the grid and saves it', async () => {
    // Monday 09:00–10:00: two half hours dragged over.
    await page.getByTestId('slot-1-09:00').hover();
    await page.mouse.down();
    await page.getByTestId('slot-1-09:30').hover();
    await page.mouse.up();
    await page.getByTestId('volunteer-save').click();
    await page.getByText('Bénévole modifié').waitFor();
    const v = (await srv.api('GET', `/api/volunteers/${volunteerId}`)).body;
    expect(v.slots).toEqual(expect.arrayContaining([{ weekday: 1, start: '09:00', end: '10:00' }, { weekday: 2, start: '08:00', end: '18:00' }]));
  });

  it('the territory’s costs page shows the rules and an example, and saves a change', async () => {
    await page.goto(`${srv.url}/console/#/couts`);
    await page.getByTestId('cost-perKmEur').waitFor();
    await page.getByTestId('cost-allowance').fill('0,35');
    await expect.poll(() => page.getByTestId('cost-example').innerText()).toContain('21,00');
    await shot('couts-1280.png');
    await page.getByTestId('cost-save').click();
    await page.getByText(/Barème enregistré/).waitFor();
    const lot = (await srv.booted.services.db.query<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`)).rows[0].id;
    expect((await srv.api('GET', `/api/territories/${lot}/costs`)).body.allowance.perKmEur).toBe(0.35);
  });
});
