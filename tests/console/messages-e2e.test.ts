import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { consolePlugin } from '../../services/src/console/plugin.ts';
import { toLocal } from '../../services/src/interop/time.ts';
import { toClock } from '../../services/src/time/clock.ts';
import { messagingPlugin } from '../../services/src/messaging/plugin.ts';
import { StraightLineRouter } from '../../services/src/routing/straight-line.ts';
import { launchChromium } from '../helpers/browser.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { messagingFixtures } from '../messaging/fixture.ts';
import { addUser, DIST, ensureConsoleBuilt, openConsole } from './helpers.ts';

const PW = 'correct horse battery';
let srv: TestServer;
let browser: Browser;
let territoryId: number;
const { fixture, walk } = messagingFixtures(() => srv, () => territoryId);

beforeAll(async () => {
  ensureConsoleBuilt();
  // The demo's set-up: no provider configured (dry run), the sender running in-process.
  srv = await startServer({
    router: new StraightLineRouter(),
    plugins: async (b) => [await consolePlugin(b.services, { distDir: DIST }), messagingPlugin({ MESSAGING_POLL_MS: '200' })],
  });
  territoryId = (await srv.api('POST', '/api/territories', { slug: 'lot', name: 'Lot', coordinatorPhone: '05 65 53 00 00' })).body.id;
  await addUser(srv.booted.services.db, { email: 'coord@messages.fr', password: PW, role: 'coordinator', territoryIds: [territoryId] });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

it('confirming a match in the console shows both messages on the request page and in Messages, with the text that would go', async () => {
  // Quiet hours far from now, so that the test does not depend on the hour it runs at.
  const m = toLocal(Math.floor(Date.now() / 1000), 'Europe/Paris').min;
  const messaging = { channel: 'sms', consent: true, quietHours: { start: toClock((m + 600) % 1440), end: toClock((m + 660) % 1440) } };
  const f = await fixture({ driver: { messaging }, passenger: { messaging } });
  await walk(f.matchId, 'accepted');
  const page = await openConsole(browser, srv.url, 'coord@messages.fr', PW);
  await page.goto(`${srv.url}/console/#/requests/${f.requestId}/show`);
  await page.getByText('Aucun message pour cette demande.').waitFor();
  await page.getByTestId(`proposal-${f.matchId}`).getByRole('button', { name: 'Confirmer' }).click();
  const table = page.getByTestId('request-messages');
  // Two confirmations and two reminders, the confirmations kept by the dry run once the sender has run.
  await expect.poll(async () => table.getByText('Simulation (non envoyé)').count(), { timeout: 20_000 }).toBe(2);
  expect(await table.getByText('Confirmation').count()).toBe(2);
  expect(await table.getByText('Rappel la veille').count()).toBe(2);
  await expect.poll(() => table.getByText('06 •• •• •• 78').count(), { timeout: 10_000 }).toBe(4);
  await table.getByRole('button', { name: 'Voir le texte' }).first().click();
  await expect.poll(() => table.locator('[data-testid^="message-text-"]').first().textContent(), { timeout: 10_000 }).toMatch(/^CoMobi : (trajet confirmé|vous emmenez)/);

  await page.goto(`${srv.url}/console/#/messages`);
  await page.getByRole('heading', { name: 'Messages' }).first().waitFor();
  await expect.poll(() => page.locator('tbody tr').count(), { timeout: 10_000 }).toBe(4);
  await page.locator('tbody tr').filter({ hasText: 'Simulation' }).first().click();
  // The list's record (without the text) shows first, then the message itself.
  await expect.poll(() => page.getByTestId('message-text').textContent(), { timeout: 10_000 }).toMatch(/Coordination : 05 65 53 00 00$/);
  expect(await page.getByText('Simulation : aucun fournisseur n’est configuré').count()).toBe(1);
});

it('the person form records how messages reach someone; a landline for SMS is refused in French', async () => {
  const page = await openConsole(browser, srv.url, 'coord@messages.fr', PW);
  await page.goto(`${srv.url}/console/#/passengers/create`);
  await page.getByLabel('Prénom').fill('Jeanne');
  await page.getByLabel('Téléphone', { exact: true }).fill('05 65 00 11 22');
  await page.getByLabel('Passager', { exact: true }).check();
  await page.getByLabel('Canal préféré').click();
  await page.getByRole('option', { name: 'SMS' }).click();
  await page.getByLabel('Accepte de recevoir les messages').check();
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByText('ce numéro ne peut pas recevoir de SMS', { exact: false }).first().waitFor();
  await page.getByLabel('Canal préféré').click();
  await page.getByRole('option', { name: 'Appel vocal' }).click();
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByText(/Appel vocal · accord du \d\d\/\d\d\/\d{4}/).waitFor();
  const people = await srv.api('GET', `/api/people?filter=${encodeURIComponent(JSON.stringify({ q: 'Jeanne' }))}`);
  expect(people.body[0].messaging).toMatchObject({ channel: 'voice', consent: true, consentTextVersion: 'messages-2026-12', quietHours: null, relay: null });
});
