import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import type { TestServer } from '../helpers/server.ts';
import { addUser, ensureConsoleBuilt, frDate, startConsoleServer, typeInPicker } from '../console/helpers.ts';

/**
 * Issue 16's "done when", as one journey in the demo and in the browser: a request that no commuter serves (Marcelle
 * Vayssié, Cajarc → Figeac's hospital) is served by a volunteer whose availability fits, with both amounts; the
 * coordinator records her eligibility by residence and her membership on her page, accepts, confirms, then marks the
 * trip done; it is in the volunteer's statement of the month as done, and the TUS yearly report of that year counts
 * it (page and JSON): the volunteer among the drivers, the beneficiary by residence, the trip with its distance in
 * the mean, the participation asked. Every figure is checked against what the API returned for that match.
 * Screenshots land in SCREENSHOT_DIR when it is set.
 */
const PW = 'correct horse battery';
const SHOTS = process.env.SCREENSHOT_DIR;
const TIMEOUT = 180_000;
let srv: TestServer;
let browser: Browser;
let page: Page;
let lotId: number;
let requestId: number;
let requestDate: string;
let passengerId: number;
let volunteerId: number;
/** The report of the trip's year before the journey: the trip must add to it. */
let before: any;
/** The match as the API returned it once done. */
let match: any;

const eur = (n: number) => new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(n);
/** The report's own number format (report-formats.ts): decimal comma, plain spaces. */
const fr = (v: number, digits: number) =>
  v.toLocaleString('fr-FR', { minimumFractionDigits: digits, maximumFractionDigits: digits }).replace(/\u202f|\u00a0/g, ' ');
const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;
const year = () => Number(requestDate.slice(0, 4));

const shot = async (name: string) => {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name) });
  await page.screenshot({ path: path.join(SHOTS, name.replace('.png', '-page.png')), fullPage: true });
};

beforeAll(async () => {
  ensureConsoleBuilt();
  srv = await startConsoleServer({ demo: true });
  const db = srv.booted.services.db;
  lotId = (await db.query<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`)).rows[0].id;
  await addUser(db, { email: 'rapport@e2e.fr', password: PW, role: 'coordinator', territoryIds: [lotId] });
  const r = (await db.query<{ id: number; date: string; passenger_id: number }>(
    `SELECT id, date::text AS date, passenger_id FROM requests WHERE from_label = 'Cajarc, place du Foirail'`)).rows[0];
  [requestId, requestDate, passengerId] = [r.id, r.date, r.passenger_id];
  volunteerId = (await db.query<{ person_id: number }>(
    `SELECT v.person_id FROM volunteers v JOIN person_identities i ON i.person_id = v.person_id WHERE i.last_name = 'Lafargue'`)).rows[0].person_id;
  before = (await srv.api('GET', `/api/reports/tus?territory=${lotId}&year=${year()}`)).body;
  browser = await launchChromium();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'fr-FR' });
  page = await ctx.newPage();
  await page.goto(`${srv.url}/console/`);
  await page.locator('input[name="username"]').fill('rapport@e2e.fr');
  await page.locator('input[name="password"]').fill(PW);
  await page.locator('button[type="submit"]').click();
  await page.getByText('Bonjour').waitFor();
}, TIMEOUT);
afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

describe('from a request no commuter serves to the yearly TUS report', () => {
  it('the demo has no trip done in that year yet, and the passenger is not yet a beneficiary', async () => {
    // The mean distance below is checked exactly: it needs the journey's trip to be the year's only one.
    expect(before).toMatchObject({ trips: 0, drivers: 0, volunteerDrivers: 0, beneficiaries: 0, participationEur: 0, meanDistanceKm: null });
    const tus = (await srv.api('GET', `/api/requests/${requestId}/tus`)).body;
    expect(tus.violations.map((v: { rule: string }) => v.rule)).toContain('eligibility');
  }, TIMEOUT);

  it('the coordinator records the passenger’s eligibility by residence and her membership on her page', async () => {
    const today = new Date().toISOString().slice(0, 10);
    await page.goto(`${srv.url}/console/#/passengers/${passengerId}/show`);
    const panel = page.getByTestId('tus-eligibility');
    await expect.poll(() => page.getByTestId('tus-residence').textContent(), { timeout: 30_000 })
      .toBe('Cajarc : commune hors unité urbaine — éligible au titre de la résidence');
    await panel.getByText('Pas encore enregistré comme bénéficiaire').waitFor();
    await page.getByTestId('tus-by-residence').check();
    await page.getByTestId('tus-proof').fill('Avis de taxe d’habitation à son nom');
    await typeInPicker(page, 'tus-proof-date', frDate(today));
    await page.getByRole('button', { name: 'Enregistrer l’éligibilité' }).click();
    await expect.poll(() => page.getByTestId('tus-beneficiary').textContent())
      .toContain(`Bénéficiaire au titre de la résidence · justificatif : Avis de taxe d’habitation à son nom du ${frDate(today)}`);
    await page.getByTestId('tus-member-year').fill(String(year()));
    await typeInPicker(page, 'tus-member-paid', frDate(today));
    await page.getByRole('button', { name: 'Enregistrer l’adhésion' }).click();
    await expect.poll(async () => (await page.getByTestId('tus-memberships').textContent())?.replace(/\s/g, ' '))
      .toContain(`${year()}10,00 €${frDate(today)}`);
    // The request's rules now see her as an eligible member.
    const tus = (await srv.api('GET', `/api/requests/${requestId}/tus`)).body;
    expect(tus.violations.map((v: { rule: string }) => v.rule)).not.toContain('eligibility');
    expect(tus.violations.map((v: { rule: string }) => v.rule)).not.toContain('membership');
  }, TIMEOUT);

  it('no commuter serves the request: a volunteer whose availability fits is proposed with both amounts', async () => {
    await page.goto(`${srv.url}/console/#/requests/${requestId}/show`);
    await page.getByTestId('rematch').waitFor();
    await page.getByTestId('rematch').click();
    await page.getByText(/Recherche relancée/).waitFor();
    const stored = (await srv.api('GET', `/api/requests/${requestId}`)).body;
    expect(stored.proposals.length).toBeGreaterThan(0);
    expect(stored.proposals.every((p: { kind: string }) => p.kind === 'volunteer')).toBe(true);
    const best = stored.proposals[0];
    expect(best.volunteerId).toBe(volunteerId);
    expect(best.participationEur).toBeGreaterThan(0);
    expect(best.allowanceEur).toBeGreaterThan(0);
    // Her trip, home back to home, lies inside one of her weekly slots of that weekday.
    const v = (await srv.api('GET', `/api/volunteers/${volunteerId}`)).body;
    const weekday = new Date(`${requestDate}T12:00:00Z`).getUTCDay() || 7;
    const fits = v.slots.some((s: { weekday: number; start: string; end: string }) =>
      s.weekday === weekday && s.start <= best.volunteerTrip.leaveHome && best.volunteerTrip.backHome <= s.end);
    expect(fits, `${best.volunteerTrip.leaveHome}–${best.volunteerTrip.backHome} on weekday ${weekday} in ${JSON.stringify(v.slots)}`).toBe(true);
    const amounts = await page.getByTestId(`amounts-${best.id}`).innerText();
    expect(amounts).toContain(`Participation : ${eur(best.participationEur)}`);
    expect(amounts).toContain(`Indemnité bénévole : ${eur(best.allowanceEur)}`);
  }, TIMEOUT);

  it('is accepted, confirmed, then marked done on the request page', async () => {
    const best = (await srv.api('GET', `/api/requests/${requestId}`)).body.proposals[0];
    await page.getByTestId(`act-${best.id}-accepted`).click();
    await page.getByTestId(`act-${best.id}-confirmed`).click();
    await expect.poll(() => page.getByTestId('request-status').innerText()).toBe('Conducteur trouvé');
    await page.getByTestId(`act-${best.id}-done`).click();
    await expect.poll(async () => (await srv.api('GET', `/api/matches/${best.id}`)).body.status).toBe('done');
    await expect.poll(() => page.getByTestId('request-status').innerText()).toBe('Servie');
    match = (await srv.api('GET', `/api/matches/${best.id}`)).body;
    // Done keeps the amounts the proposal showed.
    expect(match).toMatchObject({ kind: 'volunteer', volunteerId, participationEur: best.participationEur, allowanceEur: best.allowanceEur, date: requestDate });
    const events = (await srv.booted.services.db.query<{ to_status: string }>(
      'SELECT to_status FROM match_events WHERE match_id = $1 ORDER BY id', [best.id])).rows.map((e) => e.to_status);
    expect(events.slice(-3)).toEqual(['accepted', 'confirmed', 'done']);
  }, TIMEOUT);

  it('the volunteer’s statement of that month lists the trip as done, with the amounts kept', async () => {
    await page.goto(`${srv.url}/console/#/volunteers`);
    await page.getByText('Odette Lafargue').click();
    await page.getByTestId('availability-grid').waitFor();
    await page.getByTestId('statement-month').locator('..').click();
    const months = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
    await page.getByRole('option', { name: `${months[Number(requestDate.slice(5, 7)) - 1]} ${requestDate.slice(0, 4)}` }).click();
    const lines = page.getByTestId('statement-lines');
    await lines.waitFor();
    const row = lines.locator('tbody tr', { hasText: frDate(requestDate) }).filter({ hasText: 'Marcelle V.' });
    await expect.poll(() => row.count()).toBe(1);
    const text = (await row.innerText()).replace(/\u00a0|\u202f/g, ' ');
    const km = `${fr(round(match.volunteerTrip.distanceM / 1000, 1), 1)} km`;
    for (const part of ['Figeac, Centre hospitalier', `${match.volunteerTrip.leaveHome} – ${match.volunteerTrip.backHome}`, km,
      eur(match.allowanceEur).replace(/\u00a0|\u202f/g, ' '), eur(match.participationEur).replace(/\u00a0|\u202f/g, ' '), 'effectué'])
      expect(text).toContain(part);
    const st = (await srv.api('GET', `/api/volunteers/${volunteerId}/statement?month=${requestDate.slice(0, 7)}`)).body;
    expect(st.lines.find((l: { matchId: number }) => l.matchId === match.id)).toMatchObject({
      status: 'done', allowanceEur: match.allowanceEur, participationEur: match.participationEur,
    });
    await lines.scrollIntoViewIfNeeded();
    await shot('rapport-releve-1280.png');
  }, TIMEOUT);

  it('the yearly TUS report of that year counts it, in the JSON and on the console page', async () => {
    const { rows } = await srv.booted.services.db.query<{ m: number }>(
      `SELECT ST_Distance(ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography) AS m`,
      [match.pickup.lng, match.pickup.lat, match.dropoff.lng, match.dropoff.lat],
    );
    // The passenger's distance, pickup to drop-off as the API returned them (the report counts it straight line).
    const passengerKm = round(Number(rows[0].m) / 1000, 1);
    const volunteerKm = round(match.volunteerTrip.distanceM / 1000, 1);
    const after = (await srv.api('GET', `/api/reports/tus?territory=${lotId}&year=${year()}`)).body;
    expect(after).toMatchObject({
      year: year(),
      trips: before.trips + 1,
      drivers: before.drivers + 1,
      volunteerDrivers: before.volunteerDrivers + 1,
      beneficiaries: before.beneficiaries + 1,
      byResidence: before.byResidence + 1,
      byResources: before.byResources,
      withoutRecord: before.withoutRecord,
      members: before.members + 1,
      memberFeesEur: before.memberFeesEur + 10,
      participationEur: round(before.participationEur + match.participationEur, 2),
      meanParticipationEur: match.participationEur,
      meanDistanceKm: passengerKm,
      meanVolunteerDistanceKm: volunteerKm,
      vehicles: { lent: { count: before.vehicles.lent.count + 1 } },
    });
    const seats = (await srv.api('GET', `/api/volunteers/${volunteerId}`)).body.seats;
    expect(after.vehicles.lent.meanCapacity).toBe(seats);

    await page.goto(`${srv.url}/console/#/rapport-tus`);
    const report = page.getByTestId('tus-report');
    await report.waitFor();
    await page.getByTestId('tus-report-year').locator('..').click();
    await page.getByRole('option', { name: String(year()), exact: true }).click();
    await report.getByText(`Rapport annuel ${year()}`).waitFor();
    const cell = (label: string) => report.locator('tr', { has: page.getByText(label, { exact: true }) }).locator('td').nth(1).textContent();
    const expected: [string, string][] = [
      ['Nombre de trajets', String(after.trips)],
      ['Conducteurs', String(after.drivers)],
      ['dont bénévoles', String(after.volunteerDrivers)],
      ['Bénéficiaires transportés', String(after.beneficiaries)],
      ['au titre de la résidence', `${after.byResidence} (${fr(after.shareByResidencePct, 1)} %)`],
      ['Distance moyenne par trajet (à vol d’oiseau)', `${fr(passengerKm, 1)} km`],
      ['Distance moyenne des trajets bénévoles (aller-retour depuis le domicile)', `${fr(volunteerKm, 1)} km`],
      ['Participation aux coûts demandée (total)', `${fr(after.participationEur, 2)} €`],
      ['Participation moyenne par trajet', `${fr(match.participationEur, 2)} €`],
    ];
    for (const [label, value] of expected) await expect.poll(() => cell(label), { message: label }).toBe(value);
    expect(after.shareByResidencePct).toBe(100);
    await shot('rapport-tus-1280.png');
    // The CSV the page links to says the same.
    const csv = await page.request.get(`${srv.url}${await page.getByTestId('tus-report-csv').getAttribute('href')}`);
    expect((await csv.text()).replace(/^\uFEFF/, '').split('\r\n')).toContain(`Trajets réalisés;Nombre de trajets;${after.trips}`);
  }, TIMEOUT);
});
