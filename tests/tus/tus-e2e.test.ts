import fs from 'node:fs';
import path from 'node:path';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { consolePlugin } from '../../services/src/console/plugin.ts';
import { addCommunes, createTerritory } from '../../services/src/domain/territories.ts';
import { StraightLineRouter } from '../../services/src/routing/straight-line.ts';
import { importUrbanUnits } from '../../services/src/territory/urban-units.ts';
import { launchChromium } from '../helpers/browser.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { addUser, DIST, ensureConsoleBuilt, openConsole, typeInPicker } from '../console/helpers.ts';

const ROOT = path.join(import.meta.dirname, '../..');
const SHOTS = path.join(ROOT, 'scripts/tmp');
const PW = 'correct horse battery';
const year = new Date().getFullYear();
let srv: TestServer;
let browser: Browser;
let lot: number;
const at: Record<string, { lng: number; lat: number }> = {};
const one = async <T = any>(sql: string, params: unknown[] = []) => (await srv.testDb.db.query<any>(sql, params)).rows[0] as T;

beforeAll(async () => {
  ensureConsoleBuilt();
  srv = await startServer({ router: new StraightLineRouter(), plugins: async (b) => [await consolePlugin(b.services, { distDir: DIST })] });
  const db = srv.testDb.db;
  const communes = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/communes-46-lot.geojson'), 'utf8'));
  lot = await createTerritory(db, { slug: 'lot', name: 'Lot' });
  await addCommunes(db, lot, communes.features.map((f: any) => ({ insee: f.properties.code, name: f.properties.nom, population: null, geometry: f.geometry })));
  await importUrbanUnits(db, fs.readFileSync(path.join(ROOT, 'fixtures/lot-urban-units-2020.csv'), 'utf8'), 'lot-urban-units-2020.csv');
  for (const [k, insee] of Object.entries({ lalbenque: '46148', cahors: '46042', gramat: '46128' })) {
    const p = await one(`SELECT ST_X(ST_PointOnSurface(geom)) AS lng, ST_Y(ST_PointOnSurface(geom)) AS lat FROM communes WHERE insee = $1`, [insee]);
    at[k] = { lng: Number(p.lng), lat: Number(p.lat) };
  }
  await srv.api('PUT', `/api/tus/settings/${lot}`, { enabled: true, associationName: 'Mobilité solidaire du Lot', rna: 'W461000001', employees: 1, memberFeeEur: 10 });
  await addUser(db, { email: 'coord@tus.fr', password: PW, role: 'coordinator', territoryIds: [lot] });
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

it('a coordinator records a passenger’s eligibility and membership, then serves a request outside the perimeter by exception', async () => {
  const person = (await srv.api('POST', '/api/people', { territoryId: lot, isPassenger: true, communeInsee: '46148', firstName: 'Odette', lastName: 'Lacombe' })).body.id;
  const page = await openConsole(browser, srv.url, 'coord@tus.fr', PW);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(`${srv.url}/console/#/passengers/${person}/show`);
  const panel = page.getByTestId('tus-eligibility');
  await expect.poll(() => page.getByTestId('tus-residence').textContent()).toBe('Lalbenque : commune hors unité urbaine — éligible au titre de la résidence');
  await panel.getByText('Pas encore enregistré comme bénéficiaire').waitFor();
  await page.getByTestId('tus-by-residence').check();
  await page.getByTestId('tus-proof').fill('Facture d’électricité à son nom');
  await typeInPicker(page, 'tus-proof-date', `20/01/${year}`);
  await page.getByRole('button', { name: 'Enregistrer l’éligibilité' }).click();
  await expect.poll(() => page.getByTestId('tus-beneficiary').textContent()).toContain(`Bénéficiaire au titre de la résidence · justificatif : Facture d’électricité à son nom du 20/01/${year}`);
  await typeInPicker(page, 'tus-member-paid', `20/01/${year}`);
  await page.getByRole('button', { name: 'Enregistrer l’adhésion' }).click();
  await expect.poll(async () => (await page.getByTestId('tus-memberships').textContent())?.replace(/\s/g, ' ')).toContain(`${year}10,00 €20/01/${year}`);
  await panel.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, 'tus-person.png') });
  expect(await one('SELECT by_residence, residence_insee, proof, proof_date::text FROM tus_beneficiaries WHERE person_id = $1', [person])).toEqual({
    by_residence: true, residence_insee: '46148', proof: 'Facture d’électricité à son nom', proof_date: `${year}-01-20`,
  });

  // Resources: a benefit must be chosen; the API's French reason is shown.
  await page.getByTestId('tus-by-resources').check();
  await page.getByRole('button', { name: 'Enregistrer l’éligibilité' }).click();
  await page.getByText('resourceBenefit : indiquez la prestation ou la couverture justifiée').waitFor();

  const rid = (await srv.api('POST', '/api/requests', { territoryId: lot, passengerId: person, from: at.lalbenque, to: at.cahors, date: `${year}-12-15`, time: '09:00', storeProposals: false })).body.id;
  await page.goto(`${srv.url}/console/#/requests/${rid}/show`);
  const rules = page.getByTestId('tus-rules');
  await rules.scrollIntoViewIfNeeded();
  await expect.poll(() => page.getByTestId('tus-violation-perimeter').textContent()).toContain('la destination est à Cahors (unité urbaine Cahors, 23 345 habitants)');
  await page.getByTestId('tus-exception-rule').locator('..').click();
  await page.getByRole('option', { name: 'Périmètre des bénéficiaires au titre de la résidence' }).click();
  await page.getByTestId('tus-exception-reason').fill('Rendez-vous au centre hospitalier de Cahors');
  await page.getByRole('button', { name: 'Servir par dérogation' }).click();
  await expect.poll(() => page.getByTestId('tus-exception-perimeter').textContent()).toContain('Rendez-vous au centre hospitalier de Cahors');
  await rules.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, 'tus-request.png') });
  expect(await one('SELECT rule, reason FROM tus_exceptions WHERE request_id = $1', [rid])).toEqual({ rule: 'perimeter', reason: 'Rendez-vous au centre hospitalier de Cahors' });
}, 180_000);

it('the yearly report page shows last year’s figures and links to the PDF and the CSV', async () => {
  const last = year - 1;
  const driver = (await one(`INSERT INTO people (territory_id, is_driver) VALUES ($1, true) RETURNING id`, [lot])).id;
  const passenger = (await one(`INSERT INTO people (territory_id, is_passenger, commune_insee) VALUES ($1, true, '46148') RETURNING id`, [lot])).id;
  const pt = (p: { lng: number; lat: number }) => `ST_SetSRID(ST_MakePoint(${p.lng}, ${p.lat}), 4326)`;
  const trip = (await one(
    `INSERT INTO trips (territory_id, driver_id, kind, weekdays, departure_min, origin, destination, seats, route, distance_m, duration_s)
     VALUES ($1, $2, 'regular', '{1}', 480, ${pt(at.gramat)}, ${pt(at.cahors)}, 3, ST_MakeLine(${pt(at.gramat)}, ${pt(at.cahors)}), 60000, 3000) RETURNING id`, [lot, driver])).id;
  const req = (await one(`INSERT INTO requests (territory_id, passenger_id, from_point, to_point, date, time_min, time_kind)
     VALUES ($1, $2, ${pt(at.lalbenque)}, ${pt(at.cahors)}, $3, 480, 'depart') RETURNING id`, [lot, passenger, `${last}-05-04`])).id;
  await srv.testDb.db.query(`INSERT INTO matches (territory_id, request_id, trip_id, date, pickup, dropoff, pickup_min, dropoff_min, detour_m, detour_s, score, status, shared_m)
     VALUES ($1, $2, $3, $4, ${pt(at.lalbenque)}, ${pt(at.cahors)}, 480, 500, 0, 0, 1, 'done', 21500)`, [lot, req, trip, `${last}-05-04`]);
  await srv.testDb.db.query(`INSERT INTO tus_beneficiaries (person_id, territory_id, by_residence, residence_insee, proof, proof_date, recorded_by)
     VALUES ($1, $2, true, '46148', 'domicile', $3, 'test')`, [passenger, lot, `${last}-01-02`]);

  const page = await openConsole(browser, srv.url, 'coord@tus.fr', PW);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.getByRole('menuitem', { name: 'Rapport annuel TUS' }).click();
  const report = page.getByTestId('tus-report');
  await report.getByText(`Rapport annuel ${last}`).waitFor();
  await report.getByText('Transport d’utilité sociale — Lot').waitFor();
  const row = (label: string) => report.locator('tr', { has: page.getByText(label, { exact: true }) }).locator('td').nth(1).textContent();
  expect(await row('Nombre de trajets')).toBe('1');
  expect(await row('Distance moyenne par trajet (à vol d’oiseau)')).toBe('21,5 km');
  expect(await row('au titre de la résidence')).toBe('1 (100,0 %)');
  expect(await row('Conducteurs')).toBe('1');
  expect(await row('Nom')).toBe('Mobilité solidaire du Lot');
  await page.screenshot({ path: path.join(SHOTS, 'tus-report.png') });
  const pdfHref = await page.getByTestId('tus-report-pdf').getAttribute('href');
  expect(pdfHref).toBe(`/api/reports/tus?territory=${lot}&year=${last}&format=pdf`);
  // The links work with the console's session cookie.
  const pdf = await page.request.get(`${srv.url}${pdfHref}`);
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  const csv = await page.request.get(`${srv.url}${await page.getByTestId('tus-report-csv').getAttribute('href')}`);
  expect((await csv.text()).replace(/^\uFEFF/, '').split('\r\n')).toContain('Trajets réalisés;Nombre de trajets;1');
  // Another year: the page asks the API again.
  await page.getByTestId('tus-report-year').locator('..').click();
  await page.getByRole('option', { name: String(last - 1), exact: true }).click();
  await report.getByText(`Rapport annuel ${last - 1}`).waitFor();
  expect(await row('Nombre de trajets')).toBe('0');
}, 180_000);
