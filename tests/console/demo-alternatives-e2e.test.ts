import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import type { TestServer } from '../helpers/server.ts';
import { addUser, ensureConsoleBuilt, openConsole, startConsoleServer } from './helpers.ts';
import { nextWeekday } from '../../services/src/time/days.ts';

// The demo as a coordinator finds it: "Autres solutions" is no longer empty. A Cahors trip has the TER (the
// demo's extract), a trip inside the TAD zone its on-demand transport, a health trip seated-patient transport.
const SHOTS = path.resolve(import.meta.dirname, '../output/screenshots');
const PW = 'correct horse battery';

let srv: TestServer;
let browser: Browser;
let territoryId: number;
let passengerId: number;
const tuesday = nextWeekday(2);

beforeAll(async () => {
  ensureConsoleBuilt();
  fs.mkdirSync(SHOTS, { recursive: true });
  srv = await startConsoleServer({ demo: true });
  const db = srv.booted.services.db;
  territoryId = (await db.query<{ id: number }>(`SELECT id FROM territories WHERE slug = 'lot'`)).rows[0].id;
  await addUser(db, { email: 'coord@demo-alt.fr', password: PW, role: 'coordinator', territoryIds: [territoryId] });
  passengerId = (await srv.api('POST', '/api/people', { territoryId, isPassenger: true, firstName: 'Jeanne', lastName: 'Inventée' })).body.id;
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

async function reviewPage(ask: object, testId: string) {
  const r = await srv.api('POST', '/api/requests', { territoryId, passengerId, date: tuesday, toleranceMin: 30, ...ask });
  expect(r.status).toBe(201);
  expect(r.body.proposals).toEqual([]);
  const page = await openConsole(browser, srv.url, 'coord@demo-alt.fr', PW);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(`${srv.url}/console/#/requests/${r.body.id}/show`);
  await page.getByTestId(testId).waitFor({ timeout: 60_000 });
  return page;
}

describe('the demo’s "Autres solutions"', () => {
  it('offers the TER for Souillac → Cahors, from the demo’s timetable', async () => {
    const page = await reviewPage({
      from: { lng: 1.466605, lat: 44.902127 }, to: { lng: 1.433325, lat: 44.449275 }, fromLabel: 'Souillac, gare',
      toLabel: 'Cahors, gare', time: '06:30', timeKind: 'depart', purpose: 'work',
    }, 'alt-transit');
    const text = await page.getByTestId('alt-transit').textContent();
    expect(text).toMatch(/Train K1 – Toulouse Matabiau - Brive La Gaillarde n° \d+ \(SNCF VOYAGEURS\) : Souillac \d\d:\d\d → Cahors \d\d:\d\d/);
    expect(text).not.toContain('direction 8');
    await page.getByTestId('alt-transit').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, '32-demo-train.png') });
    await page.context().close();
  });

  it('offers the TAD zone and seated-patient transport for Douelle → Cahors hospital, a health trip', async () => {
    const page = await reviewPage({
      from: { lng: 1.3583, lat: 44.4727 }, to: { lng: 1.4465, lat: 44.4565 }, fromLabel: 'Douelle',
      toLabel: 'Cahors, centre hospitalier', time: '09:00', timeKind: 'arrive', purpose: 'health',
    }, 'alt-seated-patient');
    expect(await page.getByTestId('alt-on-demand').textContent()).toContain('TAD Vallée du Lot – Cahors (service fictif) · tél. 05 36 49 00 10');
    const seated = await page.getByTestId('alt-seated-patient').textContent();
    expect(seated).toContain('VSL Causses et Vallées (entreprise fictive) · VSL · tél. 05 36 49 00 11');
    expect(seated).toContain('Taxi conventionné Lou Camin (entreprise fictive) · taxi conventionné · tél. 05 36 49 00 12');
    // And beside them, the drivers who nearly fit (the demo's drivers pass Douelle at other times).
    await page.getByTestId('near-misses').getByTestId('near-miss').first().waitFor();
    await page.getByTestId('alt-seated-patient').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, '33-demo-tad-transport-assis.png') });
    await page.context().close();
  });

  it('lists the demo’s TER feed with its published dates and how far they were moved', async () => {
    const page = await openConsole(browser, srv.url, 'coord@demo-alt.fr', PW);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(`${srv.url}/console/#/feeds`);
    const row = page.locator('tr', { hasText: 'SNCF TER – lignes du Lot (démo)' });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/publiés du 22\/01\/2025 au 22\/04\/2025, décalés de \d+ semaines sur la période actuelle/);
    expect(await row.textContent()).toContain('licence ODbL');
    await page.screenshot({ path: path.join(SHOTS, '34-demo-feeds.png') });
    await page.context().close();
  });
});
