import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.ts';
import { addUser, ensureConsoleBuilt, frDate, openConsole, pickerValue, proposalAsk, startConsoleServer, typeInPicker } from './helpers.ts';

const SHOTS = path.resolve(import.meta.dirname, '../output/screenshots');
const PW = 'correct horse battery';
const PHONE = '06 39 98 12 34';

let srv: TestServer;
let browser: Browser;
let ask: Awaited<ReturnType<typeof proposalAsk>>;
let requestId: number;

beforeAll(async () => {
  ensureConsoleBuilt();
  fs.mkdirSync(SHOTS, { recursive: true });
  srv = await startConsoleServer({ demo: true });
  const db = srv.booted.services.db;
  const lotId = (await db.query<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`)).rows[0].id;
  const other = await srv.api('POST', '/api/territories', { slug: 'vallee', name: 'Vallée voisine' });
  await addUser(db, { email: 'admin@e2e.fr', password: PW, role: 'admin' });
  await addUser(db, { email: 'lot@e2e.fr', password: PW, role: 'coordinator', territoryIds: [lotId] });
  await addUser(db, { email: 'vallee@e2e.fr', password: PW, role: 'coordinator', territoryIds: [other.body.id] });
  ask = await proposalAsk(srv);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

const loggedIn = (email: string): Promise<Page> => openConsole(browser, srv.url, email, PW);

const pickCommune = async (page: Page, which: 'from' | 'to', name: string) => {
  await page.getByTestId(`${which}-place`).fill(name);
  await page.getByRole('option', { name: new RegExp(`^${name}\\s*Commune`) }).click();
};

describe('console in a real browser', () => {
  it('takes a phone request, shows proposals on the map, confirms a match', async () => {
    const page = await loggedIn('lot@e2e.fr');
    await expect(page.getByRole('menuitem', { name: 'Appel entrant' }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: path.join(SHOTS, '01-tableau-de-bord.png') });

    await page.getByRole('menuitem', { name: 'Appel entrant' }).click();
    await page.getByTestId('caller-search').fill(PHONE);
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.getByText('Aucune personne avec ce numéro').waitFor();
    await page.getByTestId('new-first-name').fill('Josette');
    await page.getByTestId('new-last-name').fill('Essai');
    await pickCommune(page, 'from', 'Gramat');
    await pickCommune(page, 'to', 'Cahors');
    await typeInPicker(page, 'date', frDate(ask.date));
    await typeInPicker(page, 'time', ask.time);
    expect(await pickerValue(page, 'date')).toBe(frDate(ask.date));
    await page.waitForFunction("document.querySelectorAll('.leaflet-overlay-pane path').length > 300");
    await page.screenshot({ path: path.join(SHOTS, '02-appel-entrant.png') });
    await page.getByTestId('submit-request').click();

    await page.waitForURL(/#\/requests\/\d+\/show/);
    requestId = Number(/requests\/(\d+)\/show/.exec(page.url())![1]);
    const rows = page.locator('[data-testid^="proposal-"]');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(ask.proposals);
    await page.getByText('Josette Essai').first().waitFor();
    // Commune outlines plus the driver's route and the detour route drawn on the map.
    await page.waitForFunction("document.querySelectorAll('.leaflet-overlay-pane path').length > 302");
    await page.getByText(/^Prise en charge \d\d:\d\d$/).waitFor();
    await page.screenshot({ path: path.join(SHOTS, '03-propositions-carte.png') });

    const first = (await rows.first().getAttribute('data-testid'))!.replace('proposal-', '');
    await page.getByTestId(`act-${first}-accepted`).click();
    await page.getByTestId(`act-${first}-confirmed`).click();
    await expect.poll(() => page.getByTestId('request-status').textContent()).toBe('Conducteur trouvé');
    await expect(page.getByTestId(`proposal-${first}`).textContent()).resolves.toContain('Confirmée');
    await page.screenshot({ path: path.join(SHOTS, '04-mise-en-relation-confirmee.png') });

    // The same caller again: found by phone, not created twice.
    await page.getByRole('menuitem', { name: 'Appel entrant' }).click();
    await page.getByTestId('caller-search').fill('0639981234');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.getByText(/Josette Essai · 06 39 98 12 34/).waitFor();
    expect(await page.getByRole('radio').count()).toBe(1);
    const n = await srv.booted.services.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM person_identities WHERE phone = $1`, [PHONE]);
    expect(n.rows[0].n).toBe(1);
    await page.context().close();
  });

  it('shows the admin the audit entries of that request', async () => {
    const page = await loggedIn('admin@e2e.fr');
    await page.goto(`${srv.url}/console/#/audit?filter=${encodeURIComponent(JSON.stringify({ reason: `request:${requestId}` }))}`);
    await page.getByText(`request:${requestId}`).first().waitFor();
    expect(await page.getByText('Lecture de données personnelles').count()).toBeGreaterThan(0);
    await expect(page.getByTestId('audit-export').getAttribute('href')).resolves.toContain('/api/audit/export.csv');
    await page.screenshot({ path: path.join(SHOTS, '05-journal-audit.png') });
    await page.context().close();
  });

  it('shows a coordinator of another territory none of it', async () => {
    const page = await loggedIn('vallee@e2e.fr');
    await page.goto(`${srv.url}/console/#/requests`);
    await page.getByText(/Aucun|Pas encore/).first().waitFor();
    expect(await page.locator('tbody tr').count()).toBe(0);
    await page.goto(`${srv.url}/console/#/passengers?filter=${encodeURIComponent(JSON.stringify({ q: '0639981234' }))}`);
    await page.getByText(/Aucun|Pas encore/).first().waitFor();
    await expect(page.getByText('Essai').count()).resolves.toBe(0);
    await page.goto(`${srv.url}/console/#/matches`);
    await page.getByText(/Aucun|Pas encore/).first().waitFor();
    await page.goto(`${srv.url}/console/#/requests/${requestId}/show`);
    await page.getByText('Introuvable, ou hors de vos territoires').first().waitFor();
    await expect(page.getByText('Josette').count()).resolves.toBe(0);
    await page.goto(`${srv.url}/console/#/appel`);
    await page.getByText('Qui appelle ?').waitFor();
    // The map layer of another territory: no commune outline at all. Asked with the console's own session: the
    // console loads the communes once per page and may already hold them from an earlier screen.
    const communes = await page.request.get(`${srv.url}/api/communes?geometry=true`);
    expect((await communes.json()).features).toHaveLength(0);
    expect(await page.locator('path.commune-outline').count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, '06-autre-territoire.png') });
    await page.context().close();
  });
});
