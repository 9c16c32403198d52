import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import type { TestServer } from '../helpers/server.ts';
import { addUser, ensureConsoleBuilt, startConsoleServer, typeInPicker } from './helpers.ts';
import { nextWeekday } from '../../services/src/time/days.ts';

/**
 * A phone call for a hospital appointment with a way back: the intake's "Retour" section, proposals for both legs
 * with the driver who can do both first, and both legs confirmed in one click. Screenshots at 1280×720.
 */
const SHOTS = path.resolve(import.meta.dirname, '../output/screenshots');
const PW = 'correct horse battery';
const GRAMAT = { lng: 1.7251, lat: 44.7795 };
const CAHORS = { lng: 1.4419, lat: 44.4475 };

let srv: TestServer;
let browser: Browser;
let commuter: number;
let eveningDriver: number;
let lotId: number;

beforeAll(async () => {
  ensureConsoleBuilt();
  fs.mkdirSync(SHOTS, { recursive: true });
  srv = await startConsoleServer({ demo: true });
  const db = srv.booted.services.db;
  lotId = (await db.query<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`)).rows[0].id;
  await addUser(db, { email: 'ar@e2e.fr', password: PW, role: 'coordinator', territoryIds: [lotId] });
  // Invented drivers: a commuter Gramat → Cahors every day, back at 17:30; another who only drives back in the evening.
  const person = async (firstName: string, phone: string) =>
    (await srv.api('POST', '/api/people', { territoryId: lotId, isDriver: true, firstName, lastName: 'Inventé', phone })).body.id as number;
  commuter = await person('Aller-Retour', '06 39 98 07 10');
  const evening = await person('Soir', '06 39 98 07 11');
  eveningDriver = evening;
  const trip = async (body: object) => expect((await srv.api('POST', '/api/trips', { territoryId: lotId, seats: 2, ...body })).status).toBe(201);
  await trip({ driverId: commuter, kind: 'regular', weekdays: [1, 2, 3, 4, 5, 6, 7], departureTime: '08:00', returnTime: '17:30', origin: GRAMAT, destination: CAHORS, originLabel: 'Gramat, place de la Halle', destinationLabel: 'Cahors, centre hospitalier' });
  await trip({ driverId: evening, kind: 'regular', weekdays: [1, 2, 3, 4, 5, 6, 7], departureTime: '17:35', origin: CAHORS, destination: GRAMAT });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

async function loggedIn(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'fr-FR' });
  const page = await ctx.newPage();
  await page.goto(`${srv.url}/console/`);
  await page.locator('input[name="username"]').fill('ar@e2e.fr');
  await page.locator('input[name="password"]').fill(PW);
  await page.locator('button[type="submit"]').click();
  await page.getByText('Bonjour').waitFor();
  return page;
}

async function choosePlace(page: Page, testId: string, text: string) {
  const answered = page.waitForResponse((r) => r.url().includes('/api/places/search') && new URL(r.url()).searchParams.get('q') === text);
  await page.getByTestId(testId).fill(text);
  await answered;
  await page.getByRole('option').first().filter({ hasText: text }).click();
}

describe('a round trip taken on the phone', () => {
  it('records the return, proposes both legs with the both-ways driver first, and confirms both in one click', async () => {
    const page = await loggedIn();
    await page.goto(`${srv.url}/console/#/appel`);
    await page.getByTestId('caller-search').fill('06 41 52 63 99');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.getByText('Aucune personne avec ce numéro').waitFor();
    await page.getByTestId('new-first-name').fill('Inventée');
    await page.getByTestId('new-last-name').fill('Allers-Retours');
    await choosePlace(page, 'from-place', 'Gramat');
    await choosePlace(page, 'to-place', 'Cahors');
    // Arrive by 09:00 (the intake's default), back at 17:40.
    await page.getByTestId('return-time').click();
    await typeInPicker(page, 'return-time-input', '17:40');
    await expect(page.getByTestId('return-time-input').locator('input').inputValue()).resolves.toBe('17:40');
    await page.getByTestId('return-section').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, '60-appel-aller-retour.png') });
    const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    expect(width).toBeLessThanOrEqual(1280);

    await page.getByTestId('submit-request').click();
    await page.waitForURL(/#\/requests\/\d+\/show/, { timeout: 30_000 });
    const requestId = Number(/requests\/(\d+)\/show/.exec(page.url())![1]);
    const req = (await srv.api('GET', `/api/requests/${requestId}`)).body;
    expect(req).toMatchObject({ returnTime: '17:40', returnAfterMin: null });
    const pair = req.roundTrip.find((p: any) => p.driverId === commuter);
    expect(pair).toMatchObject({ sameTrip: true });
    expect(req.roundTrip[0].driverId).toBe(commuter);

    // The review page: the round trip first, both legs labelled in the table.
    const card = page.getByTestId('round-trip');
    await card.getByText('Retour : départ à 17:40').waitFor();
    await page.getByTestId(`pair-${commuter}`).getByText('Aller-Retour Inventé').waitFor();
    await page.getByTestId(`leg-${pair.outboundMatchId}`).filter({ hasText: 'Aller · fait aussi le retour' }).waitFor();
    await page.getByTestId(`leg-${pair.returnMatchId}`).filter({ hasText: 'Retour · fait aussi l’aller' }).waitFor();
    const firstRows = await page.locator('[data-testid="proposals"] tbody tr').evaluateAll((rows) => rows.slice(0, 2).map((r) => r.getAttribute('data-testid')));
    expect(firstRows).toEqual([`proposal-${pair.outboundMatchId}`, `proposal-${pair.returnMatchId}`]);
    const evening = req.proposals.filter((p: any) => p.requestLeg === 'return' && !p.bothLegs);
    expect(evening.length).toBeGreaterThan(0);
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: path.join(SHOTS, '61-revue-aller-retour.png') });
    expect((await page.evaluate('document.documentElement.scrollWidth')) as number).toBeLessThanOrEqual(1280);

    // The return row shows the driver's way back on the map: from Cahors at 17:30, on the return route.
    await page.getByTestId(`proposal-${pair.returnMatchId}`).click();
    await page.getByText('Aller-Retour Inventé : Cahors, centre hospitalier → Gramat, place de la Halle (départ 17:30)').waitFor();
    await page.locator('path.usual-route').waitFor();
    await page.getByTestId(`proposal-${pair.outboundMatchId}`).click();
    await page.getByText('Aller-Retour Inventé : Gramat, place de la Halle → Cahors, centre hospitalier (départ 08:00)').waitFor();

    await page.getByTestId(`confirm-both-${commuter}`).click();
    await page.getByTestId(`pair-${commuter}`).getByText('Aller et retour confirmés').waitFor();
    const after = (await srv.api('GET', `/api/requests/${requestId}`)).body;
    const status = (id: number) => after.proposals.find((p: any) => p.id === id).status;
    expect([status(pair.outboundMatchId), status(pair.returnMatchId), after.status]).toEqual(['confirmed', 'confirmed', 'matched']);
    // One action, one request: the history of each leg shows the same two steps.
    for (const id of [pair.outboundMatchId, pair.returnMatchId])
      expect((await srv.api('GET', `/api/matches/${id}`)).body.events.map((e: any) => e.to)).toEqual(['accepted', 'confirmed']);
    await page.screenshot({ path: path.join(SHOTS, '62-revue-aller-retour-confirme.png') });
    await page.context().close();
  }, 240_000);

  it('no driver both ways: one driver each way, confirmed in one click; the passenger gets one message for both', async () => {
    const passengerId = (await srv.api('POST', '/api/people', { territoryId: lotId, isPassenger: true, firstName: 'Odette', lastName: 'Inventée', phone: '06 41 52 63 98' })).body.id as number;
    expect(passengerId).toBeGreaterThan(0);
    const r = await srv.api('POST', '/api/requests', {
      territoryId: lotId, passengerId, from: GRAMAT, to: CAHORS, fromLabel: 'Gramat, place de la Halle', toLabel: 'Cahors, centre hospitalier',
      date: nextWeekday(3), time: '09:00', timeKind: 'arrive', purpose: 'health', returnTime: '17:40',
    });
    expect(r.status).toBe(201);
    const leg = (driver: number, l: string) => r.body.proposals.find((p: any) => p.driverId === driver && p.requestLeg === l);
    const out = leg(commuter, 'outbound');
    const back = leg(eveningDriver, 'return');
    // The commuter cannot wait for the way back that day: nobody does both legs any more.
    expect((await srv.api('PUT', `/api/matches/${leg(commuter, 'return').id}`, { status: 'declined', reason: 'driver_unavailable' })).status).toBe(200);
    expect((await srv.api('GET', `/api/requests/${r.body.id}`)).body.roundTrip).toEqual([]);

    const page = await loggedIn();
    await page.goto(`${srv.url}/console/#/requests/${r.body.id}/show`);
    const box = page.getByTestId('two-drivers');
    await box.waitFor({ timeout: 30_000 });
    const choose = async (testId: string, text: string) => {
      await page.getByTestId(testId).getByRole('combobox').click();
      await page.getByRole('option').filter({ hasText: text }).first().click();
      await page.locator('.MuiMenu-root').waitFor({ state: 'detached' });
      await page.getByTestId(testId).filter({ hasText: text }).waitFor();
    };
    await choose('two-drivers-outbound', `Aller-Retour Inventé · ${out.pickup.time}`);
    await choose('two-drivers-return', `Soir Inventé · ${back.pickup.time}`);
    expect((await page.evaluate('document.documentElement.scrollWidth')) as number).toBeLessThanOrEqual(1280);
    await page.getByTestId('round-trip').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, '63-revue-aller-retour-deux-conducteurs.png') });
    await page.getByTestId('confirm-two-drivers').click();
    await page.getByText('Aller confirmé avec Aller-Retour Inventé, retour avec Soir Inventé').waitFor();
    const after = (await srv.api('GET', `/api/requests/${r.body.id}`)).body;
    const status = (id: number) => after.proposals.find((p: any) => p.id === id).status;
    expect([status(out.id), status(back.id), after.status]).toEqual(['confirmed', 'confirmed', 'matched']);
    // One confirmation each: the passenger's tells both legs, each driver's their own.
    const { rows } = await srv.booted.services.db.query<{ person_id: number; body: string }>(
      `SELECT person_id, body FROM messages WHERE request_id = $1 AND kind = 'confirmation' ORDER BY person_id`, [r.body.id]);
    expect(rows.map((m) => m.person_id).sort()).toEqual([commuter, eveningDriver, passengerId].sort());
    const toPassenger = rows.find((m) => m.person_id === passengerId)!.body;
    expect(toPassenger).toContain(`Aller ${out.pickup.time.replace(':', 'h')}`);
    expect(toPassenger).toContain(`Retour ${back.pickup.time.replace(':', 'h')}`);
    await page.context().close();
  }, 240_000);

  it('offers "about N hours after the appointment" with French labels', async () => {
    const page = await loggedIn();
    await page.goto(`${srv.url}/console/#/appel`);
    await page.getByTestId('return-after').click();
    await page.getByTestId('return-after-input').click();
    await page.getByRole('option', { name: 'environ 2 h 30 après l’arrivée' }).click();
    await page.getByTestId('return-after-input').filter({ hasText: 'environ 2 h 30 après l’arrivée' }).waitFor();
    await page.context().close();
  }, 240_000);
});
