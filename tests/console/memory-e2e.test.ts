import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { consolePlugin } from '../../services/src/console/plugin.ts';
import { StraightLineRouter } from '../../services/src/routing/straight-line.ts';
import { launchChromium } from '../helpers/browser.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { messagingFixtures, weekdayAhead } from '../messaging/fixture.ts';
import { addUser, DIST, ensureConsoleBuilt, frDate, openConsole, typeInPicker } from './helpers.ts';

const PW = 'correct horse battery';
let srv: TestServer;
let browser: Browser;
let territoryId: number;
const { fixture } = messagingFixtures(() => srv, () => territoryId);

beforeAll(async () => {
  ensureConsoleBuilt();
  srv = await startServer({
    router: new StraightLineRouter(),
    plugins: async (b) => [await consolePlugin(b.services, { distDir: DIST })],
  });
  territoryId = (await srv.api('POST', '/api/territories', { slug: 'lot', name: 'Lot' })).body.id;
  const uid = await addUser(srv.booted.services.db, { email: 'claire@memoire.fr', password: PW, role: 'coordinator', territoryIds: [territoryId] });
  await srv.booted.services.db.query(`UPDATE users SET display_name = 'Claire Martin' WHERE id = $1`, [uid]);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

/** The French date and time a timeline shows: "01/12/2026 14:05". */
const FR_DATE_TIME = /\d\d\/\d\d\/\d{4} \d\d:\d\d/;

async function addNote(page: Page, scope: string, kind: 'Appel' | 'Note', text: string) {
  const box = page.getByTestId(scope);
  await box.getByRole('button', { name: kind, exact: true }).click();
  await box.getByTestId('note-body').fill(text);
  await box.getByRole('button', { name: 'Ajouter' }).click();
  // The entry the timeline shows once the note is stored (the text is in the note box too until then).
  await box.getByTestId(kind === 'Appel' ? 'timeline-call' : 'timeline-note').getByText(text).waitFor();
}

it('a call noted on a request shows in its timeline and on the passenger’s page, with the status notes, who and when', async () => {
  const f = await fixture();
  const page = await openConsole(browser, srv.url, 'claire@memoire.fr', PW);
  await page.goto(`${srv.url}/console/#/requests/${f.requestId}/show`);
  const timeline = page.getByTestId('request-timeline');
  await timeline.getByText(/Demande n° \d+ enregistrée/).waitFor();

  await addNote(page, 'request-timeline', 'Appel', 'A rappelé : attendra devant la mairie.');
  const call = timeline.getByTestId('timeline-call').first();
  expect(await call.textContent()).toMatch(FR_DATE_TIME);
  expect(await call.textContent()).toContain('Claire Martin');

  // The note typed with a workflow step is in the timeline, on the status change.
  await page.getByLabel('Note jointe à la prochaine action').fill('Pierre rappellera ce soir.');
  await page.getByTestId(`act-${f.matchId}-contacted`).click();
  const status = timeline.getByTestId('timeline-status').first();
  await status.getByText('Pierre rappellera ce soir.').waitFor();
  expect(await status.textContent()).toMatch(/Mise en relation avec Pierre Conducteur : Proposée → Conducteur contacté/);
  // Newest first: the status change above the call.
  const order = await timeline.locator('li').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
  expect(order.indexOf('timeline-status')).toBeLessThan(order.indexOf('timeline-call'));
  expect(order.at(-1)).toBe('timeline-request');

  // The request's own status, with its coded reason.
  await page.getByLabel('Raison').click();
  await page.getByRole('option', { name: 'Aucun conducteur à cette heure' }).click();
  await page.getByRole('button', { name: 'Classer non servie' }).click();
  await timeline.getByTestId('timeline-request_status').getByText('Ouverte → Non servie (Aucun conducteur à cette heure)', { exact: false }).waitFor();

  await page.getByTestId('passenger-page').click();
  const person = page.getByTestId('person-timeline');
  await person.getByText('A rappelé : attendra devant la mairie.').waitFor();
  await person.getByText('Pierre rappellera ce soir.').waitFor();
  // On her page, the request is named and linked; the match is named by its driver.
  expect(await person.getByTestId('timeline-call').first().textContent()).toContain(`demande n° ${f.requestId}`);
  await addNote(page, 'person-timeline', 'Note', 'Sa fille répond quand elle ne décroche pas.');
  const requests = page.getByTestId('person-requests');
  await requests.getByText('Place de la Mairie, Le Vigan', { exact: false }).waitFor();
  expect(await requests.locator('tbody tr').count()).toBe(1);

  const stored = await srv.booted.services.db.query<{ kind: string; body: string; person_id: number | null }>(
    'SELECT kind, body, person_id FROM notes ORDER BY id');
  expect(stored.rows).toEqual([
    { kind: 'call', body: 'A rappelé : attendra devant la mairie.', person_id: null },
    { kind: 'note', body: 'Sa fille répond quand elle ne décroche pas.', person_id: f.passengerId },
  ]);
}, 150_000);

it('"Reprendre ce trajet" opens the phone intake filled in from a past request and saves a new one; her usual places come first', async () => {
  const f = await fixture();
  const page = await openConsole(browser, srv.url, 'claire@memoire.fr', PW);
  await page.goto(`${srv.url}/console/#/passengers/${f.passengerId}/show`);
  await page.getByTestId(`resume-${f.requestId}`).click();
  await page.getByTestId('resume-notice').waitFor();
  expect(page.url()).toContain(`/appel?reprendre=${f.requestId}`);
  // Same person, same places, same time; the date is left empty to choose.
  await expect.poll(() => page.getByTestId('from-place').inputValue()).toBe('Place de la Mairie, Le Vigan');
  expect(await page.getByTestId('caller-search').inputValue()).toMatch(/06 12 34 \d\d 78/);
  expect(await page.getByRole('radio', { checked: true }).count()).toBe(1);
  expect(await page.getByTestId('time').locator('input').inputValue()).toBe('07:40');
  expect(await page.getByTestId('date').locator('input').inputValue()).toBe('');

  // Typing a place for her: the places of her past requests are offered first; one click takes it again.
  await page.getByTestId('from-place').fill('');
  await page.getByTestId('from-place').fill('mair');
  const first = page.getByRole('option').first();
  await expect.poll(() => first.getAttribute('data-kind')).toBe('usual');
  expect(await first.textContent()).toContain('Place de la Mairie, Le Vigan');
  expect(await first.textContent()).toContain('Lieu habituel de la personne');
  await first.click();
  await expect.poll(() => page.getByTestId('from-place').inputValue()).toBe('Place de la Mairie, Le Vigan');

  const date = weekdayAhead(9);
  await typeInPicker(page, 'date', frDate(date));
  await page.getByTestId('submit-request').click();
  await page.waitForURL(/#\/requests\/\d+\/show/);
  const newId = Number(/requests\/(\d+)\/show/.exec(page.url())![1]);
  expect(newId).not.toBe(f.requestId);
  const [before, after] = await Promise.all([f.requestId, newId].map(async (rid) => (await srv.api('GET', `/api/requests/${rid}`)).body));
  expect(after).toMatchObject({
    passengerId: f.passengerId, from: before.from, to: before.to, fromLabel: before.fromLabel, time: before.time, timeKind: before.timeKind,
    toleranceMin: before.toleranceMin, seats: before.seats, purpose: before.purpose, date,
  });
  expect(after.date).not.toBe(before.date);
}, 150_000);
