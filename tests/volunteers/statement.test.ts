import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startServer, type TestServer } from '../helpers/server.ts';

const LABASTIDE = { lng: 1.5296, lat: 44.5911 };
const CAHORS = { lng: 1.4419, lat: 44.4475 };
const HOME = { lng: 1.5105, lat: 44.6032 };

let srv: TestServer;
let territoryId: number;
let volunteerId: number;
let passengerId: number;
const matches: number[] = [];

/** The text of a PDF, as poppler reads it (what a screen reader or a search finds). */
function pdfText(pdf: Buffer): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'releve-')), 'doc.pdf');
  fs.writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

async function raw(p: string) {
  const res = await fetch(srv.url + p, { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-access-reason': 'releve' } });
  return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
}

beforeAll(async () => {
  srv = await startServer();
  territoryId = (await srv.api('POST', '/api/territories', { slug: 'releves', name: 'Lot (relevés)', coordinatorPhone: '05 65 00 00 00' })).body.id;
  const costs = await srv.api('PUT', `/api/territories/${territoryId}/costs`, {
    participation: { flatEur: 3, flatUpToKm: 15, perKmEur: 0.25, minimumEur: 3 },
    allowance: { perKmEur: 0.35 },
  });
  expect(costs.status).toBe(200);
  const v = await srv.api('POST', '/api/people', { territoryId, isDriver: true, firstName: 'Honorine', lastName: 'Inventée' });
  volunteerId = v.body.id;
  expect((await srv.api('POST', '/api/volunteers', {
    personId: volunteerId, home: HOME, homeLabel: 'Le Mas du Vert (inventé)', maxKm: 40, purposes: ['health'],
    slots: [2, 4].map((weekday) => ({ weekday, start: '07:00', end: '18:00' })),
  })).status).toBe(201);
  passengerId = (await srv.api('POST', '/api/people', { territoryId, isPassenger: true, firstName: 'Fernand', lastName: 'Passager' })).body.id;
  // Two trips in March (Tuesday 9th, Thursday 18th), one in April; the first and the April one confirmed, the second done.
  for (const date of ['2027-03-09', '2027-03-18', '2027-04-06']) {
    const req = await srv.api('POST', '/api/requests', {
      territoryId, passengerId, from: LABASTIDE, to: CAHORS, fromLabel: 'Labastide-du-Vert, le bourg', toLabel: 'Centre hospitalier de Cahors',
      date, time: '09:00', purpose: 'health',
    });
    expect(req.status).toBe(201);
    const m = req.body.proposals.find((p: { kind: string }) => p.kind === 'volunteer');
    expect(m).toMatchObject({ kind: 'volunteer', volunteerId, status: 'proposed' });
    for (const status of ['accepted', 'confirmed', ...(date === '2027-03-18' ? ['done'] : [])])
      expect((await srv.api('PUT', `/api/matches/${m.id}`, { status })).status).toBe(200);
    matches.push(m.id);
  }
});
afterAll(async () => srv?.close());

describe('a volunteer’s monthly statement', () => {
  it('lists the month’s trips confirmed or done with the amounts kept on each, and their totals', async () => {
    const r = await srv.api('GET', `/api/volunteers/${volunteerId}/statement?month=2027-03`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ volunteerId, volunteerName: 'Honorine Inventée', month: '2027-03', territory: 'Lot (relevés)' });
    expect(r.body.lines.map((l: { date: string; status: string }) => [l.date, l.status])).toEqual([['2027-03-09', 'confirmed'], ['2027-03-18', 'done']]);
    const stored = await srv.testDb.db.query<{ id: number; allowance_eur: string; participation_eur: string; volunteer_distance_m: number }>(
      'SELECT id, allowance_eur, participation_eur, volunteer_distance_m FROM matches WHERE id = ANY($1::int[]) ORDER BY id', [matches.slice(0, 2)],
    );
    const [a, b] = stored.rows;
    expect(r.body.lines[0]).toMatchObject({ matchId: a.id, passenger: 'Fernand P.', from: 'Labastide-du-Vert, le bourg', to: 'Centre hospitalier de Cahors' });
    expect(r.body.lines[0].allowanceEur).toBe(Number(a.allowance_eur));
    // €0.35 per km home → home, computed on the road distance.
    expect(Number(a.allowance_eur)).toBeCloseTo(Math.round(a.volunteer_distance_m * 0.35 / 10) / 100, 2);
    expect(r.body.totals).toEqual({
      trips: 2,
      distanceKm: Math.round((Math.round(a.volunteer_distance_m / 100) + Math.round(b.volunteer_distance_m / 100))) / 10,
      allowanceEur: Math.round((Number(a.allowance_eur) + Number(b.allowance_eur)) * 100) / 100,
      participationEur: Math.round((Number(a.participation_eur) + Number(b.participation_eur)) * 100) / 100,
    });
    // The passenger's ~20 km: €3 + (km − 15) × 0.25, at least €3.
    expect(Number(a.participation_eur)).toBeGreaterThan(3);
  });

  it('keeps the amounts of handled trips when the rules change; new proposals follow the new rules', async () => {
    const before = (await srv.api('GET', `/api/volunteers/${volunteerId}/statement?month=2027-03`)).body.totals;
    expect((await srv.api('PUT', `/api/territories/${territoryId}/costs`, { allowance: { perKmEur: 0.5 } })).status).toBe(200);
    expect((await srv.api('GET', `/api/volunteers/${volunteerId}/statement?month=2027-03`)).body.totals).toEqual(before);
    const fresh = await srv.api('POST', '/api/match', { territoryId, from: LABASTIDE, to: CAHORS, date: '2027-03-11', time: '14:00', purpose: 'health' });
    const p = fresh.body.proposals[0];
    expect(p.allowanceEur).toBeCloseTo(Math.round(p.volunteerDistanceM * 0.5 / 10) / 100, 2);
    expect((await srv.api('GET', `/api/territories/${territoryId}/costs`)).body).toMatchObject({
      participation: { flatEur: 3, flatUpToKm: 15, perKmEur: 0.25, minimumEur: 3, basis: 'passenger' },
      allowance: { perKmEur: 0.5 },
    });
    await srv.api('PUT', `/api/territories/${territoryId}/costs`, { allowance: { perKmEur: 0.35 } });
  });

  it('as a French CSV: BOM, semicolons, dd/mm/yyyy, decimal comma, a total line', async () => {
    const r = await raw(`/api/volunteers/${volunteerId}/statement?month=2027-03&format=csv`);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/csv/);
    const text = r.body.toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe('Date;Départ du domicile;Retour au domicile;Passager;Départ;Destination;Aller-retour;Attente (min);Distance domicile-domicile (km);Indemnité kilométrique (€);Participation du passager (€);Statut');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^09\/03\/2027;08:\d\d;\d\d:\d\d;Fernand P\.;Labastide-du-Vert, le bourg;Centre hospitalier de Cahors;non;;\d+,\d;\d+,\d\d;\d+,\d\d;confirmé$/);
    expect(lines[2]).toMatch(/^18\/03\/2027;.*;effectué$/);
    const json = (await srv.api('GET', `/api/volunteers/${volunteerId}/statement?month=2027-03`)).body;
    expect(lines[3]).toBe(`Total;;;2 trajets;;;;;${json.totals.distanceKm.toFixed(1).replace('.', ',')};${json.totals.allowanceEur.toFixed(2).replace('.', ',')};${json.totals.participationEur.toFixed(2).replace('.', ',')};`);
  });

  it('as a PDF in French that reads back with the trips, the totals and the signatures', async () => {
    const r = await raw(`/api/volunteers/${volunteerId}/statement?month=2027-03&format=pdf`);
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/pdf');
    const text = pdfText(r.body);
    const json = (await srv.api('GET', `/api/volunteers/${volunteerId}/statement?month=2027-03`)).body;
    expect(text).toContain('Relevé mensuel de mars 2027');
    expect(text).toContain('Bénévole : Honorine Inventée');
    expect(text).toContain('09/03/2027');
    expect(text).toContain('18/03/2027');
    expect(text).toContain('Fernand P.');
    expect(text).toContain(`${json.totals.allowanceEur.toFixed(2).replace('.', ',')} €`);
    expect(text).toContain(`${json.lines[0].participationEur.toFixed(2).replace('.', ',')} €`);
    expect(text).toMatch(/2 trajets/);
    expect(text).toContain('Signature du bénévole');
    expect(text).not.toContain('2027-04');
    // An empty month says so.
    expect(pdfText((await raw(`/api/volunteers/${volunteerId}/statement?month=2027-05&format=pdf`)).body)).toContain('Aucun trajet confirmé ce mois-ci.');
  });

  it('refuses a bad month or format, another role, an unknown volunteer', async () => {
    for (const [q, field] of [['month=2027-13', 'month'], ['month=mars', 'month'], ['', 'month'], ['month=2027-03&format=xls', 'format']]) {
      const r = await srv.api('GET', `/api/volunteers/${volunteerId}/statement?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.fields[0].field).toBe(field);
    }
    expect((await srv.api('GET', '/api/volunteers/999999/statement?month=2027-03')).status).toBe(404);
    const { createToken } = await import('../../services/src/domain/tokens.ts');
    const { token } = await createToken(srv.booted.services.db, { label: 'viewer', role: 'viewer', territoryId });
    expect((await srv.api('GET', `/api/volunteers/${volunteerId}/statement?month=2027-03`, undefined, token)).status).toBe(403);
    expect((await srv.api('PUT', `/api/territories/${territoryId}/costs`, { allowance: { perKmEur: -1 } })).body.fields[0].field).toBe('allowance.perKmEur');
    expect((await srv.api('PUT', `/api/territories/${territoryId}/costs`, { participation: { price: 3 } })).status).toBe(400);
  });
});

describe('the passenger’s receipt ("carnet de voyage")', () => {
  it('is a PDF to sign with the trip, the volunteer and the participation kept on the match', async () => {
    const r = await raw(`/api/matches/${matches[0]}/receipt.pdf`);
    expect(r.status).toBe(200);
    const text = pdfText(r.body);
    const m = (await srv.api('GET', `/api/matches/${matches[0]}`)).body;
    expect(text).toContain('Carnet de voyage');
    expect(text).toContain('09/03/2027');
    expect(text).toContain('Fernand Passager');
    expect(text).toContain('Conducteur bénévole : Honorine Inventée');
    expect(text).toContain(`Participation aux frais : ${m.participationEur.toFixed(2).replace('.', ',')} €`);
    expect(text).toContain('Signature du passager');
    expect(text).toContain('Signature du conducteur');
    expect(text).toContain('Labastide-du-Vert, le bourg');
  });

  it('only once the trip is agreed', async () => {
    const req = await srv.api('POST', '/api/requests', { territoryId, from: LABASTIDE, to: CAHORS, date: '2027-03-23', time: '10:00', purpose: 'health' });
    const proposed = req.body.proposals[0];
    const r = await srv.api('GET', `/api/matches/${proposed.id}/receipt.pdf`);
    expect(r.status).toBe(409);
    expect(r.body.fields[0].field).toBe('status');
  });
});
