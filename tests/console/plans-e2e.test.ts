import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCommunes } from '../../services/src/domain/territories.ts';
import { addDays } from '../../services/src/time/days.ts';
import { launchChromium } from '../helpers/browser.ts';
import type { TestServer } from '../helpers/server.ts';
import { addUser, ensureConsoleBuilt, frDate, openConsole, startConsoleServer, typeInPicker } from './helpers.ts';

const SHOTS = path.resolve(import.meta.dirname, '../output/screenshots');
const PW = 'correct horse battery';
// On the D653 north of Cahors (the Lot road graph): a trip from Gourdon passes Labastide-du-Vert on its way.
const CAHORS = { lng: 1.4419, lat: 44.4475 };
const LABASTIDE = { lng: 1.5296, lat: 44.5911 };
const GOURDON = { lng: 1.3832, lat: 44.7373 };
const day = (() => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7 || 7));
  return d.toISOString().slice(0, 10);
})();

let srv: TestServer;
let browser: Browser;
let territoryId: number;
const req: Record<string, number> = {};

async function trip(origin: object, departureTime: string, seats: number) {
  const d = await srv.api('POST', '/api/people', { territoryId, isDriver: true, firstName: 'Inventé', lastName: 'Conducteur' });
  const r = await srv.api('POST', '/api/trips', {
    territoryId, driverId: d.body.id, kind: 'regular', weekdays: [1, 2, 3, 4, 5], departureTime, origin, destination: CAHORS, seats,
    originLabel: departureTime === '07:30' ? 'Gourdon' : 'Labastide', destinationLabel: 'Cahors, Préfecture',
  });
  expect(r.status).toBe(201);
  return r.body.id as number;
}
async function request(from: object, to: object, date: string, time: string, storeProposals = true) {
  const r = await srv.api('POST', '/api/requests', { territoryId, from, to, date, time, storeProposals });
  expect(r.status).toBe(201);
  return r.body.id as number;
}

beforeAll(async () => {
  ensureConsoleBuilt();
  fs.mkdirSync(SHOTS, { recursive: true });
  srv = await startConsoleServer();
  territoryId = (await srv.api('POST', '/api/territories', { slug: 'lot-plan-e2e', name: 'Lot (plan)' })).body.id;
  const features = JSON.parse(fs.readFileSync(path.join(srv.config.repoRoot, 'fixtures/communes-46-lot.geojson'), 'utf8')).features;
  await addCommunes(
    srv.testDb.db,
    territoryId,
    features
      .filter((f: any) => ['46009', '46102', '46042', '46127'].includes(f.properties.code))
      .map((f: any) => ({ insee: f.properties.code, name: f.properties.nom, population: null, geometry: f.geometry })),
  );
  await addUser(srv.testDb.db, { email: 'plan@e2e.fr', password: PW, role: 'coordinator', territoryIds: [territoryId] });
  // One seat from Gourdon at 07:30 (passing Labastide at about 07:45), two seats from Labastide at 08:00.
  await trip(GOURDON, '07:30', 1);
  await trip(LABASTIDE, '08:00', 2);
  // First come: Labastide at 07:45 (best proposal today: the Gourdon driver), then Gourdon at 07:30 (only him), then a
  // Labastide ask entered without a search (no proposal today).
  req.first = await request(LABASTIDE, CAHORS, day, '07:45');
  req.second = await request(GOURDON, CAHORS, day, '07:30');
  req.third = await request(LABASTIDE, CAHORS, day, '08:00', false);
  // Left without a driver: three Assier → Figeac appointments between 9 and 10, one Gourdon → Cahors in the afternoon.
  const { rows } = await srv.testDb.db.query<{ insee: string; lng: number; lat: number }>(
    'SELECT insee, ST_X(centroid) AS lng, ST_Y(centroid) AS lat FROM communes',
  );
  const at = (insee: string) => rows.find((r) => r.insee === insee)!;
  const unserved = async (from: string, to: string, date: string, time: string, reason: string) => {
    const id = await request(at(from), at(to), date, time, false);
    expect((await srv.api('PUT', `/api/requests/${id}`, { status: 'unserved', unservedReason: reason })).status).toBe(200);
  };
  await unserved('46009', '46102', addDays(day, -7), '09:15', 'no_driver');
  await unserved('46009', '46102', addDays(day, -6), '09:30', 'no_driver_at_time');
  await unserved('46009', '46102', addDays(day, -6), '09:45', 'driver_declined');
  await unserved('46127', '46042', addDays(day, -5), '14:00', 'no_driver');
  browser = await launchChromium();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

describe('console plan page and recruiting, in a real browser', () => {
  it('shows on the dashboard where drivers are missing: the pairs, the drivers to find, the map', async () => {
    const page = await openConsole(browser, srv.url, 'plan@e2e.fr', PW);
    await page.setViewportSize({ width: 1280, height: 720 });
    const card = page.getByTestId('recruiting');
    await card.getByTestId('recruiting-table').waitFor();
    const rows = await card.getByTestId('recruiting-table').locator('tbody tr').allInnerTexts();
    expect(rows.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual([
      'Assier → Figeac départ entre 9 h et 10 h 3 2 1 0',
      'Gourdon → Cahors départ entre 14 h et 15 h 1 1 1 1',
    ]);
    // Gourdon → Cahors: the Gourdon driver leaves in the morning, on the axis (within 5 km of both centres).
    expect((await card.getByTestId('recruiting-first').innerText()).replace(/\s+/g, ' ')).toContain('1 conducteur régulier Assier → Figeac, départ entre 9 h et 10 h');
    await expect.poll(() => card.locator('path.leaflet-interactive').count()).toBeGreaterThanOrEqual(2);
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, '70-recrutement-tableau-de-bord.png') });
    await page.context().close();
  });

  it('computes a plan for a horizon, explains what it changes, confirms it all', async () => {
    const page = await openConsole(browser, srv.url, 'plan@e2e.fr', PW);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(`${srv.url}/console/#/plans`);
    await page.getByTestId('plan-compute').waitFor();
    await typeInPicker(page, 'plan-from', frDate(day));
    await typeInPicker(page, 'plan-to', frDate(day));
    await page.getByTestId('plan-compute').click();
    const summary = page.getByTestId('plan-summary');
    await summary.waitFor();
    expect(await summary.innerText()).toContain(`Du ${frDate(day)} au ${frDate(day)}`);
    expect(await summary.innerText()).toContain('3 demandes servies sur 3 ouvertes (2 en traitant les demandes une par une');
    const changes = (await page.getByTestId('plan-changes').innerText()).replace(/\s+/g, ' ');
    expect(changes).toContain(`Conducteur réassigné – demande n° ${req.first} : Au lieu du trajet Gourdon → Cahors, Préfecture (départ 07:30), le plan lui donne le trajet Labastide → Cahors, Préfecture (départ 08:00) : la place du premier sert à la demande n° ${req.second}, qui n’a pas d’autre conducteur.`);
    expect(changes).toContain(`Nouvelle demande servie – demande n° ${req.third}`);
    expect(changes).not.toContain(`demande n° ${req.second} :`);
    await page.screenshot({ path: path.join(SHOTS, '71-plan-calcule.png'), fullPage: true });

    await page.getByTestId('plan-confirm-all').click();
    await page.getByTestId('plan-confirmed').waitFor();
    expect(await page.getByTestId('plan-confirmed').innerText()).toContain('3 mises en relation confirmées : à appeler.');
    await expect.poll(() => page.getByTestId('plan-assignments').getByText('Confirmée').count()).toBe(3);
    expect(await page.getByTestId('plan-confirm-all').isDisabled()).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, '72-plan-confirme.png'), fullPage: true });

    // The confirmed pairs are the requests' proposed matches to call, as the API has them.
    const plans = await srv.testDb.db.query<{ request_id: number; match_id: number | null }>(
      'SELECT request_id, match_id FROM plan_items ORDER BY request_id',
    );
    expect(plans.rows.every((r) => r.match_id !== null)).toBe(true);
    const m = await srv.api('GET', `/api/matches/${plans.rows.find((r) => r.request_id === req.third)!.match_id}`);
    expect(m.body).toMatchObject({ requestId: req.third, status: 'proposed' });
    await page.context().close();
  });

  it('shows a volunteer’s item with her name and outing, and confirms it', async () => {
    // The Tuesday after: a volunteer at home near Labastide, and a passenger only she can take (a short hop north,
    // against the commuters' way).
    const tuesday = addDays(day, 1);
    const person = await srv.api('POST', '/api/people', { territoryId, isDriver: true, firstName: 'Odette', lastName: 'Lafargue' });
    const HOME = { lng: 1.4865, lat: 44.59 };
    const v = await srv.api('POST', '/api/volunteers', {
      personId: person.body.id, home: HOME, maxKm: 40, purposes: ['health'], slots: [{ weekday: 2, start: '07:00', end: '12:00' }],
    });
    expect(v.status).toBe(201);
    const r = await srv.api('POST', '/api/requests', {
      territoryId, from: HOME, to: { lng: 1.4865, lat: 44.6 }, date: tuesday, time: '09:00', timeKind: 'depart', purpose: 'health',
    });
    expect(r.body.proposals.map((x: any) => x.kind)).toEqual(['volunteer']);
    const page = await openConsole(browser, srv.url, 'plan@e2e.fr', PW);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(`${srv.url}/console/#/plans`);
    await page.getByTestId('plan-compute').waitFor();
    await typeInPicker(page, 'plan-from', frDate(tuesday));
    await typeInPicker(page, 'plan-to', frDate(tuesday));
    await page.getByTestId('plan-compute').click();
    await page.getByTestId('plan-summary').waitFor();
    const cell = page.getByTestId(`plan-driver-${r.body.id}-outbound`);
    await expect.poll(async () => (await cell.innerText()).replace(/\s+/g, ' ')).toMatch(
      /^Bénévole Odette Lafargue – départ du domicile 0\d:\d\d, retour 0\d:\d\d$/,
    );
    await page.screenshot({ path: path.join(SHOTS, '73-plan-benevole.png'), fullPage: true });
    await page.getByTestId('plan-confirm-all').click();
    await page.getByTestId('plan-confirmed').waitFor();
    expect(await page.getByTestId('plan-confirmed').innerText()).toContain('1 mise en relation confirmée : à appeler.');
    const items = await srv.testDb.db.query<{ match_id: number }>('SELECT match_id FROM plan_items WHERE request_id = $1 AND match_id IS NOT NULL', [r.body.id]);
    const m = await srv.api('GET', `/api/matches/${items.rows[0].match_id}`);
    expect(m.body).toMatchObject({ requestId: r.body.id, kind: 'volunteer', volunteerId: person.body.id, status: 'proposed' });
    await page.context().close();
  });
});
