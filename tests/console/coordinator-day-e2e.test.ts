import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import { startBanReplay, type BanReplay } from '../helpers/ban-replay.ts';
import type { TestServer } from '../helpers/server.ts';
import { addUser, ensureConsoleBuilt, frDate, startConsoleServer, typeInPicker } from './helpers.ts';

/**
 * A coordinator's whole journey for one call, on the Lot's real roads (embedded router), in a small seeded territory, with the BAN replayed on
 * loopback: the phone intake with an exact address typed through the geocoder, a way back, proposals for both legs,
 * the near misses of what does not fit, both legs confirmed in one click with a note, the note and the status changes
 * in the request's timeline and on the passenger's page, then the dashboard's work queue listing the trip to remind.
 * Every page at 1280×720: nothing wider than the window, no page error. Screenshots in tests/output/screenshots/.
 */
const SHOTS = path.resolve(import.meta.dirname, '../output/screenshots');
const PW = 'correct horse battery';
const ADDRESS = '335 Rue du Président Wilson 46000 Cahors';
const WILSON = { lng: 1.441237, lat: 44.456139 };
const CAHORS_HOSPITAL = { lng: 1.4465, lat: 44.4565 };
const NOTE = 'Mme Inventée attendra devant la mairie ; sa fille la rappelle la veille.';

let srv: TestServer;
let ban: BanReplay;
let browser: Browser;
let lotId: number;
// Lauzès as the BAN places its municipality (tests/integrations/fixtures/ban/lauz.json).
const lauzes = { lng: 1.575934, lat: 44.567382 };
let commuter: number;
let early: number;

beforeAll(async () => {
  ensureConsoleBuilt();
  fs.mkdirSync(SHOTS, { recursive: true });
  ban = await startBanReplay();
  srv = await startConsoleServer({ env: { GEOCODER_URL: ban.url, GEOCODER_TIMEOUT_MS: '5000' } });
  const db = srv.booted.services.db;
  lotId = (await srv.api('POST', '/api/territories', { slug: 'lot', name: 'Lot' })).body.id;
  const uid = await addUser(db, { email: 'journee@e2e.fr', password: PW, role: 'coordinator', territoryIds: [lotId] });
  await db.query(`UPDATE users SET display_name = 'Claire Martin' WHERE id = $1`, [uid]);
  // Invented drivers from Lauzès: one who drives to Cahors's hospital every day and back
  // at 17:30, one who leaves too early for a 09:00 appointment (a near miss, not a proposal).
  const person = async (firstName: string, phone: string) =>
    (await srv.api('POST', '/api/people', { territoryId: lotId, isDriver: true, firstName, lastName: 'Inventé', phone })).body.id as number;
  commuter = await person('Fernand', '06 39 98 07 20');
  early = await person('Matinal', '06 39 98 07 21');
  const trip = async (body: object) => {
    const r = await srv.api('POST', '/api/trips', { territoryId: lotId, seats: 2, kind: 'regular', weekdays: [1, 2, 3, 4, 5, 6, 7], ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  };
  await trip({ driverId: commuter, departureTime: '08:25', returnTime: '17:30', origin: lauzes, destination: CAHORS_HOSPITAL, originLabel: 'Lauzès, place de l’église', destinationLabel: 'Cahors, centre hospitalier' });
  await trip({ driverId: early, departureTime: '07:45', origin: lauzes, destination: CAHORS_HOSPITAL, originLabel: 'Lauzès, le bourg', destinationLabel: 'Cahors, hôpital' });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await srv?.close();
  await ban?.close();
});

/** Each page visited: nothing wider than the 1280 px window, and a screenshot to look at. */
async function check(page: Page, name: string) {
  await page.waitForLoadState('networkidle');
  const sizes = (await page.evaluate(`({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })`)) as { scroll: number; client: number };
  expect(sizes.scroll, `${name}: horizontal overflow`).toBeLessThanOrEqual(sizes.client);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

describe('a coordinator’s day for one call', () => {
  it('phone call with an exact address → round trip → proposals → near misses → confirm with a note → timeline → work queue', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'fr-FR' });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${srv.url}/console/`);
    await page.locator('input[name="username"]').fill('journee@e2e.fr');
    await page.locator('input[name="password"]').fill(PW);
    await page.locator('button[type="submit"]').click();
    await page.getByText('Bonjour').waitFor();

    // 1. The call: "Appel" in the menu, an unknown number, a new passenger.
    await page.getByRole('menuitem', { name: 'Appel entrant' }).click();
    await page.waitForURL(/#\/appel/);
    await page.getByTestId('caller-search').fill('06 41 52 63 80');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.getByText('Aucune personne avec ce numéro').waitFor();
    await page.getByTestId('new-first-name').fill('Josette');
    await page.getByTestId('new-last-name').fill('Inventée');

    // 2. From Lauzès (a commune), to an exact address found by the replayed BAN.
    const pick = async (testId: string, text: string, first: string) => {
      const answered = page.waitForResponse((r) => r.url().includes('/api/places/search') && new URL(r.url()).searchParams.get('q') === text);
      await page.getByTestId(testId).fill(text);
      await answered;
      const option = page.getByRole('option').first();
      await option.filter({ hasText: first }).waitFor();
      return option;
    };
    await (await pick('from-place', 'Lauz', 'Lauzès')).click();
    const wilson = await pick('to-place', '335 rue du Président Wilson Cahors', ADDRESS);
    await expect(wilson.textContent()).resolves.toContain('Adresse');
    await check(page, '70-journee-appel-adresse');
    await wilson.click();
    await page.getByTestId('to-precision').filter({ hasText: 'Adresse exacte' }).waitFor();
    expect(ban.received.some((q) => q.get('q') === '335 rue du Président Wilson Cahors')).toBe(true);

    // 3. The appointment tomorrow (the intake's default), arrive by 09:00; the way back at 17:40.
    await page.getByTestId('return-time').click();
    await typeInPicker(page, 'return-time-input', '17:40');
    await expect(page.getByTestId('return-time-input').locator('input').inputValue()).resolves.toBe('17:40');
    const date = await page.getByTestId('date').locator('input').inputValue();
    await page.getByTestId('return-section').scrollIntoViewIfNeeded();
    await check(page, '71-journee-appel-retour');
    await page.getByTestId('submit-request').click();
    await page.waitForURL(/#\/requests\/\d+\/show/, { timeout: 60_000 });
    const requestId = Number(/requests\/(\d+)\/show/.exec(page.url())![1]);
    await page.getByText(`Demande n° ${requestId} enregistrée : 2 propositions, aller et retour`).waitFor();

    // The stored point is the address, not Cahors's centre; the start is Lauzès's centre, said so.
    const req = (await srv.api('GET', `/api/requests/${requestId}`)).body;
    expect(req).toMatchObject({ toLabel: ADDRESS, toSource: 'address', to: WILSON, fromLabel: 'Lauzès', fromSource: 'commune_centre', returnTime: '17:40', returnAfterMin: null, time: '09:00', timeKind: 'arrive' });
    expect(frDate(req.date)).toBe(date);
    expect(req.from.lng).toBeCloseTo(lauzes.lng, 6);
    expect(req.from.lat).toBeCloseTo(lauzes.lat, 6);

    // 4. Proposals for both legs: the commuter does both; the early driver is no proposal.
    const pair = req.roundTrip.find((p: any) => p.driverId === commuter);
    expect(pair).toMatchObject({ sameTrip: true });
    expect(req.roundTrip[0].driverId).toBe(commuter);
    expect(new Set(req.proposals.map((p: any) => p.requestLeg))).toEqual(new Set(['outbound', 'return']));
    expect(req.proposals.some((p: any) => p.driverId === early)).toBe(false);
    await page.getByTestId('round-trip').getByText('Retour : départ à 17:40').waitFor();
    await page.getByTestId(`leg-${pair.outboundMatchId}`).filter({ hasText: 'Aller · fait aussi le retour' }).waitFor();
    await page.getByTestId(`leg-${pair.returnMatchId}`).filter({ hasText: 'Retour · fait aussi l’aller' }).waitFor();
    await page.getByText('(approximatif : centre de la commune)', { exact: false }).first().waitFor();
    await check(page, '72-journee-propositions');

    // 5. Near misses: the early driver, with the gap in minutes, and a wider tolerance that would add him.
    const near = page.getByTestId('near-misses');
    await near.getByTestId('near-time').waitFor({ timeout: 60_000 });
    await expect.poll(() => near.getByTestId('near-time').textContent(), { timeout: 20_000 }).toContain('Matinal Inventé');
    const misses = (await srv.api('GET', `/api/requests/${requestId}/near-misses`)).body.nearMisses;
    const miss = misses.find((m: any) => m.driverId === early && m.kind === 'time');
    expect(miss.gapMin).toBeLessThan(-30);
    expect(await near.getByTestId('near-time').textContent()).toContain(`${Math.abs(miss.gapMin)} min avant`);
    await expect(near.getByTestId('widen-tolerance').textContent()).resolves.toMatch(/^± 30 → ± 60 min \(\+ 1 conducteur\)$/);
    await near.scrollIntoViewIfNeeded();
    await check(page, '73-journee-presque-compatibles');

    // 6. Both legs confirmed in one click, with the note typed beside the actions.
    await page.getByLabel('Note jointe à la prochaine action').fill(NOTE);
    await page.getByTestId(`confirm-both-${commuter}`).click();
    await page.getByTestId(`pair-${commuter}`).getByText('Aller et retour confirmés').waitFor();
    const after = (await srv.api('GET', `/api/requests/${requestId}`)).body;
    const status = (id: number) => after.proposals.find((p: any) => p.id === id).status;
    expect([status(pair.outboundMatchId), status(pair.returnMatchId), after.status]).toEqual(['confirmed', 'confirmed', 'matched']);
    for (const id of [pair.outboundMatchId, pair.returnMatchId]) {
      const events = (await srv.api('GET', `/api/matches/${id}`)).body.events;
      expect(events.map((e: any) => e.to)).toEqual(['accepted', 'confirmed']);
      expect(events.some((e: any) => e.note === NOTE)).toBe(true);
    }
    // The note field is emptied once used.
    await expect(page.getByLabel('Note jointe à la prochaine action').inputValue()).resolves.toBe('');

    // 7. The request's timeline: the note on the status changes, who and when, newest first.
    const timeline = page.getByTestId('request-timeline');
    await timeline.getByText(NOTE).first().waitFor();
    const statuses = await timeline.getByTestId('timeline-status').allTextContents();
    const confirmed = statuses.filter((s) => s.includes('Fernand Inventé') && s.includes('Confirmée'));
    expect(confirmed.length).toBe(2);
    // Same driver both ways: the return's lines say so.
    expect(confirmed.filter((s) => s.includes('Fernand Inventé (retour)')).length).toBe(1);
    expect(statuses.some((s) => s.includes(NOTE) && s.includes('Claire Martin'))).toBe(true);
    // The request itself found its driver: one line, not one per leg.
    await timeline.getByTestId('timeline-request_status').getByText('Ouverte → Conducteur trouvé', { exact: false }).waitFor();
    expect(await timeline.getByTestId('timeline-request_status').count()).toBe(1);
    const order = await timeline.locator('li').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    expect(order.at(-1)).toBe('timeline-request');
    await timeline.scrollIntoViewIfNeeded();
    await check(page, '74-journee-historique-demande');

    // 8. The passenger's page: the same note, and the request in her list.
    await page.getByTestId('passenger-page').click();
    await page.waitForURL(new RegExp(`#/passengers/${req.passengerId}/show`));
    const person = page.getByTestId('person-timeline');
    await person.getByText(NOTE).first().waitFor();
    await page.getByTestId('person-requests').getByText(ADDRESS, { exact: false }).first().waitFor();
    await person.getByText(NOTE).first().scrollIntoViewIfNeeded();
    await check(page, '75-journee-page-passagere');

    // 9. The dashboard: tomorrow's trips to remind list both legs, with the passenger and the driver.
    await page.getByRole('menuitem', { name: 'Tableau de bord' }).click();
    const tomorrow = page.getByTestId('queue-tripsTomorrow');
    const items = tomorrow.getByTestId('queue-item-tripsTomorrow').filter({ hasText: 'Josette Inventée avec Fernand Inventé' });
    await items.first().waitFor({ timeout: 30_000 });
    expect(await items.count()).toBe(2);
    const text = await tomorrow.innerText();
    expect(text).toContain(date);
    // Each leg the way it goes: the return from the address back to Lauzès.
    expect(await items.evaluateAll((els) => els.map((e) => e.parentElement!.innerText.replace(/\s+/g, ' ')))).toEqual([
      expect.stringMatching(new RegExp(`prise en charge 08:\\d\\d Lauzès → ${ADDRESS}`)),
      expect.stringMatching(new RegExp(`prise en charge 17:30 · retour ${ADDRESS} → Lauzès`)),
    ]);
    await tomorrow.scrollIntoViewIfNeeded();
    await check(page, '76-journee-file-de-travail');
    await items.first().click();
    await page.waitForURL(new RegExp(`#/requests/${requestId}/show\\?match=\\d+$`));
    await page.getByText(`Demande n° ${requestId}`).first().waitFor();
    await check(page, '77-journee-retour-a-la-demande');

    expect(errors).toEqual([]);
    await ctx.close();
  }, 180_000);
});
