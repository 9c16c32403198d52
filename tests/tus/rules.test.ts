import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capParticipation, participationCapsOf, TUS_CAP_EUR_PER_KM } from '../../services/src/domain/tus.ts';
import { erasePerson } from '../../services/src/privacy/erase.ts';
import { addCommunes, createTerritory } from '../../services/src/domain/territories.ts';
import { distanceM } from '../../services/src/geo/sphere.ts';
import { DETOUR_FACTOR, StraightLineRouter } from '../../services/src/routing/straight-line.ts';
import { importUrbanUnits } from '../../services/src/territory/urban-units.ts';
import { importFeed, postgresTarget } from '../../gtfs-import/src/index.ts';
import { makeZip } from '../gtfs/helpers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const ROOT = path.join(import.meta.dirname, '../..');
let srv: TestServer;
let lot: number;
let other: number;
let viewer: string;
let coordinator: string;
const at: Record<string, { lng: number; lat: number }> = {};
const year = new Date().getFullYear();
const date = `${year}-11-20`;

const one = async <T = any>(sql: string, params: unknown[] = []) => (await srv.testDb.db.query<any>(sql, params)).rows[0] as T;

async function person(communeInsee: string, firstName: string) {
  const r = await srv.api('POST', '/api/people', { territoryId: lot, isPassenger: true, communeInsee, firstName, lastName: 'Essai' });
  expect(r.status).toBe(201);
  return r.body.id as number;
}
async function request(passengerId: number | null, from: string, to: string | { lng: number; lat: number }, territoryId = lot) {
  const r = await srv.api('POST', '/api/requests', {
    territoryId, passengerId, from: at[from], to: typeof to === 'string' ? at[to] : to, date, time: '09:00', storeProposals: false,
  });
  expect(r.status).toBe(201);
  return r.body.id as number;
}
const check = async (id: number, token?: string) => {
  const r = await srv.api('GET', `/api/requests/${id}/tus`, undefined, token);
  expect(r.status).toBe(200);
  return r.body;
};
const rules = (c: { violations: { rule: string }[] }) => c.violations.map((v) => v.rule).sort();
const tokenFor = async (role: string) => (await srv.api('POST', '/api/tokens', { label: `tus ${role}`, role, territoryId: lot })).body.token as string;

beforeAll(async () => {
  srv = await startServer({ router: new StraightLineRouter() });
  const db = srv.testDb.db;
  const communes = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/communes-46-lot.geojson'), 'utf8'));
  lot = await createTerritory(db, { slug: 'lot-tus', name: 'Lot (TUS)' });
  other = await createTerritory(db, { slug: 'sans-tus', name: 'Sans TUS' });
  await addCommunes(db, lot, communes.features.map((f: any) => ({ insee: f.properties.code, name: f.properties.nom, population: null, geometry: f.geometry })));
  await importUrbanUnits(db, fs.readFileSync(path.join(ROOT, 'fixtures/lot-urban-units-2020.csv'), 'utf8'), 'lot-urban-units-2020.csv');
  for (const [k, insee] of Object.entries({ lalbenque: '46148', cahors: '46042', figeac: '46102', saintCere: '46251', gramat: '46128' })) {
    const p = await one(`SELECT ST_X(ST_PointOnSurface(geom)) AS lng, ST_Y(ST_PointOnSurface(geom)) AS lat FROM communes WHERE insee = $1`, [insee]);
    at[k] = { lng: Number(p.lng), lat: Number(p.lat) };
  }
  const put = await srv.api('PUT', `/api/tus/settings/${lot}`, { enabled: true, associationName: 'Mobilité solidaire (essai)', rna: 'W461000001', memberFeeEur: 10 });
  expect(put.status).toBe(200);
  viewer = await tokenFor('viewer');
  coordinator = await tokenFor('coordinator');
});
afterAll(async () => srv?.close());

describe('participation cap (arrêté of 17 October 2019)', () => {
  it('caps at €0.32 per km, never below zero', () => {
    expect(TUS_CAP_EUR_PER_KM).toBe(0.32);
    expect(capParticipation(30, 50)).toBe(16);
    expect(capParticipation(12.5, 50)).toBe(12.5);
    expect(capParticipation(10, 12.34)).toBe(3.95);
    expect(capParticipation(-2, 10)).toBe(0);
    expect(capParticipation(5, 0)).toBe(0);
    expect(() => capParticipation(Number.NaN, 3)).toThrow(RangeError);
  });
});

describe('eligibility (R3133-1)', () => {
  it('by residence: a rural commune or a small unit is accepted, Cahors (23,345 inhabitants) refused with the reason', async () => {
    const rural = await person('46148', 'Rurale');
    const ok = await srv.api('PUT', `/api/people/${rural}/tus/beneficiary`, { byResidence: true, proof: 'justificatif de domicile', proofDate: `${year}-01-15` });
    expect(ok.status).toBe(200);
    expect(ok.body.beneficiary).toMatchObject({ byResidence: true, byResources: false, proof: 'justificatif de domicile', proofDate: `${year}-01-15` });
    expect(ok.body.residence).toMatchObject({ insee: '46148', unitCode: null, eligible: true });

    const small = await person('46251', 'Saint-Céré');
    expect((await srv.api('PUT', `/api/people/${small}/tus/beneficiary`, { byResidence: true, proof: 'facture', proofDate: `${year}-01-15` })).status).toBe(200);

    const town = await person('46042', 'Cadurcienne');
    const refused = await srv.api('PUT', `/api/people/${town}/tus/beneficiary`, { byResidence: true, proof: 'facture EDF', proofDate: `${year}-01-15` });
    expect(refused.status).toBe(400);
    expect(refused.body.fields[0].field).toBe('byResidence');
    expect(refused.body.fields[0].reason).toContain('Cahors (unité urbaine Cahors, 23 345 habitants)');
    expect(await one('SELECT count(*)::int AS n FROM tus_beneficiaries WHERE person_id = $1', [town])).toEqual({ n: 0 });
  });

  it('by resources: a benefit of the decree with the proof seen and its date; bad input names the field', async () => {
    const town = await person('46042', 'Allocataire');
    const missing = await srv.api('PUT', `/api/people/${town}/tus/beneficiary`, { byResources: true, proof: 'attestation CAF', proofDate: `${year}-02-01` });
    expect(missing.status).toBe(400);
    expect(missing.body.fields[0].field).toBe('resourceBenefit');
    const unknown = await srv.api('PUT', `/api/people/${town}/tus/beneficiary`, { byResources: true, resourceBenefit: 'loto', proof: 'attestation', proofDate: `${year}-02-01` });
    expect(unknown.status).toBe(400);
    expect(unknown.body.fields[0].field).toBe('resourceBenefit');
    const future = await srv.api('PUT', `/api/people/${town}/tus/beneficiary`, { byResources: true, resourceBenefit: 'rsa', proof: 'attestation', proofDate: `${year + 1}-02-01` });
    expect(future.body.fields[0].field).toBe('proofDate');
    const ok = await srv.api('PUT', `/api/people/${town}/tus/beneficiary`, { byResources: true, resourceBenefit: 'aah', proof: 'notification MDPH', proofDate: `${year}-02-01` });
    expect(ok.status).toBe(200);
    expect(ok.body.beneficiary).toMatchObject({ byResources: true, resourceBenefit: 'aah', resourceBenefitLabel: 'Allocation aux adultes handicapés (AAH)' });
  });

  it('a request of a passenger with no record breaks the eligibility rule, said in French', async () => {
    const nobody = await person('46148', 'Inconnue');
    const c = await check(await request(nobody, 'lalbenque', 'gramat'));
    expect(c.applies).toBe(true);
    expect(rules(c)).toEqual(['eligibility', 'membership']);
    expect(c.violations.find((v: any) => v.rule === 'eligibility').message).toContain('n’est pas enregistré comme bénéficiaire');
    const anonymous = await check(await request(null, 'lalbenque', 'gramat'));
    expect(rules(anonymous)).toEqual(['eligibility']);
  });
});

describe('membership, 100 km, perimeter', () => {
  let rural: number;
  let resources: number;
  beforeAll(async () => {
    rural = await person('46148', 'Résidente');
    await srv.api('PUT', `/api/people/${rural}/tus/beneficiary`, { byResidence: true, proof: 'justificatif de domicile', proofDate: `${year}-01-15` });
    resources = await person('46042', 'Ressources');
    await srv.api('PUT', `/api/people/${resources}/tus/beneficiary`, { byResources: true, resourceBenefit: 'aspa', proof: 'attestation CARSAT', proofDate: `${year}-01-10` });
  });

  it('membership of the year: missing, then recorded with its fee and date', async () => {
    const rid = await request(rural, 'lalbenque', 'gramat');
    const before = await check(rid);
    expect(rules(before)).toEqual(['membership']);
    expect(before.violations[0].message).toBe(`Le passager n’a pas d’adhésion à l’association enregistrée pour ${year}.`);
    const m = await srv.api('PUT', `/api/people/${rural}/tus/memberships/${year}`, { feeEur: 10, paidOn: `${year}-01-15` });
    expect(m.status).toBe(200);
    expect(m.body.memberships).toEqual([expect.objectContaining({ year, feeEur: 10, paidOn: `${year}-01-15` })]);
    expect((await check(rid)).violations).toEqual([]);
    const late = await srv.api('PUT', `/api/people/${rural}/tus/memberships/${year - 1}`, { feeEur: 10, paidOn: `${year}-01-15` });
    expect(late.status).toBe(400);
    expect(late.body.fields[0].field).toBe('paidOn');
  });

  it('a trip over 100 km breaks the distance rule, with its length', async () => {
    await srv.api('PUT', `/api/people/${resources}/tus/memberships/${year}`, { feeEur: 10, paidOn: `${year}-01-10` });
    const toulouse = { lng: 1.444, lat: 43.6045 };
    const c = await check(await request(resources, 'cahors', toulouse));
    const km = (distanceM([at.cahors.lng, at.cahors.lat], [toulouse.lng, toulouse.lat]) * DETOUR_FACTOR) / 1000;
    expect(km).toBeGreaterThan(100);
    expect(rules(c)).toEqual(['distance']);
    expect(c.distanceKm).toBe(Math.round(km * 10) / 10);
    expect(c.violations[0].message).toContain(`Le trajet fait ${km.toFixed(1).replace('.', ',')} km`);
    expect(c.violations[0].message).toContain('limité aux trajets de 100 km au plus');
    expect(c.maxParticipationEur).toBe(Math.round(km * 0.32 * 100) / 100);
    // Resources: no perimeter; Cahors → Figeac is under 100 km and passes.
    expect((await check(await request(resources, 'cahors', 'figeac'))).violations).toEqual([]);
  });

  it('residence only: the trip stays among rural communes and small units, or reaches a multimodal hub', async () => {
    const toSmall = await check(await request(rural, 'lalbenque', 'saintCere'));
    expect(toSmall.violations).toEqual([]);
    const toCahors = await check(await request(rural, 'lalbenque', 'cahors'));
    expect(rules(toCahors)).toEqual(['perimeter']);
    expect(toCahors.violations[0].message).toContain('la destination est à Cahors (unité urbaine Cahors, 23 345 habitants)');
    expect(toCahors.violations[0].message).toContain('aucun pôle d’échange multimodal n’est à moins de 300 m');
    // A carpool area (BNLC) at the destination is a hub of the neighbouring unit: the trip is allowed.
    await srv.testDb.db.query(
      `INSERT INTO carpool_areas (id, name, insee, type, updated_on, open, geom) VALUES ('46042-tus', 'Aire de covoiturage (essai)', '46042',
       'Aire de covoiturage', '2026-01-01', true, ST_SetSRID(ST_MakePoint($1, $2), 4326))`,
      [at.cahors.lng + 0.001, at.cahors.lat],
    );
    expect((await check(await request(rural, 'lalbenque', 'cahors'))).violations).toEqual([]);
    // Figeac (13,376 inhabitants) has no hub in this test: refused.
    const toFigeac = await check(await request(rural, 'lalbenque', 'figeac'));
    expect(toFigeac.violations[0].message).toContain('Figeac (unité urbaine Figeac, 13 376 habitants)');
    // Out of the territory's communes.
    const out = await check(await request(rural, 'lalbenque', { lng: 1.444, lat: 43.6045 }));
    expect(rules(out)).toEqual(['distance', 'perimeter']);
    expect(out.violations.find((v: any) => v.rule === 'perimeter').message).toContain('hors des communes du territoire');
  });

  it('a GTFS stop of two lines is a multimodal hub, a stop of one line is not', async () => {
    const target = await postgresTarget(srv.testDb.url!);
    await importFeed(target, await makeZip({
      'agency.txt': 'agency_id,agency_name,agency_url,agency_timezone\nA,Lot Bus,https://example.org,Europe/Paris\n',
      'stops.txt': 'stop_id,stop_name,stop_lat,stop_lon\nG,Figeac Gare routière,44.6086,2.0317\nP,Figeac Place Vival,44.6080,2.0390\nC,Capdenac,44.5770,2.0750\n',
      'routes.txt': 'route_id,agency_id,route_short_name,route_type\nR1,A,L1,3\nR2,A,L2,3\n',
      'calendar.txt': 'service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20250101,20301231\n',
      'trips.txt': 'route_id,service_id,trip_id\nR1,WK,T1\nR2,WK,T2\n',
      'stop_times.txt': 'trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,08:00:00,08:00:00,G,1\nT1,08:20:00,08:20:00,C,2\n'
        + 'T2,09:00:00,09:00:00,G,1\nT2,09:05:00,09:05:00,P,2\n',
    }), { name: 'figeac-bus' });
    await target.close();
    expect((await check(await request(rural, 'lalbenque', { lng: 2.0318, lat: 44.6087 }))).violations).toEqual([]);
    const single = await check(await request(rural, 'lalbenque', { lng: 2.0391, lat: 44.6081 }));
    expect(rules(single)).toEqual(['perimeter']);
  });

  it('an exception is recorded with its reason, audited, shown; viewers see the rule but not the reason', async () => {
    const rid = await request(rural, 'lalbenque', 'figeac');
    expect((await check(rid)).blocking).toBe(1);
    const bad = await srv.api('POST', `/api/requests/${rid}/tus/exceptions`, { rule: 'perimeter', reason: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.fields[0].field).toBe('reason');
    const unknownRule = await srv.api('POST', `/api/requests/${rid}/tus/exceptions`, { rule: 'age', reason: 'raison' });
    expect(unknownRule.body.fields[0].field).toBe('rule');
    const ok = await srv.api('POST', `/api/requests/${rid}/tus/exceptions`, { rule: 'perimeter', reason: 'Consultation à l’hôpital de Figeac, aucun autre moyen' }, coordinator);
    expect(ok.status).toBe(201);
    expect(ok.body.blocking).toBe(0);
    expect(ok.body.violations[0].exception).toMatchObject({ rule: 'perimeter', reason: 'Consultation à l’hôpital de Figeac, aucun autre moyen', recordedBy: expect.stringMatching(/^token:/) });
    expect(await one(`SELECT action, subject_type, subject_id, fields FROM audit_log WHERE action = 'tus_exception_recorded'`)).toEqual({
      action: 'tus_exception_recorded', subject_type: 'request', subject_id: rid, fields: ['perimeter'],
    });
    const seen = await check(rid, viewer);
    expect(seen.violations[0].exception).toMatchObject({ rule: 'perimeter', reason: '' });
  });

  it('a territory that blocks confirmation refuses a match of a request breaking a rule, until an exception is recorded', async () => {
    const settings = { enabled: true, associationName: 'Mobilité solidaire (essai)', rna: 'W461000001', memberFeeEur: 10 };
    expect((await srv.api('PUT', `/api/tus/settings/${lot}`, { ...settings, blockConfirmation: true })).body.blockConfirmation).toBe(true);
    const rid = await request(rural, 'lalbenque', 'figeac');
    const driver = (await srv.api('POST', '/api/people', { territoryId: lot, isDriver: true, firstName: 'Conductrice' })).body.id;
    const pt = (p: { lng: number; lat: number }) => `ST_SetSRID(ST_MakePoint(${p.lng}, ${p.lat}), 4326)`;
    const trip = await one(
      `INSERT INTO trips (territory_id, driver_id, kind, date, departure_min, origin, destination, seats, route, distance_m, duration_s)
       VALUES ($1, $2, 'oneoff', $3, 500, ${pt(at.lalbenque)}, ${pt(at.figeac)}, 3, ST_MakeLine(${pt(at.lalbenque)}, ${pt(at.figeac)}), 80000, 4000) RETURNING id`,
      [lot, driver, date],
    );
    const m = await one(
      `INSERT INTO matches (territory_id, request_id, trip_id, date, pickup, dropoff, pickup_min, dropoff_min, detour_m, detour_s, score, status)
       VALUES ($1, $2, $3, $4, ${pt(at.lalbenque)}, ${pt(at.figeac)}, 540, 600, 0, 0, 1, 'accepted') RETURNING id`,
      [lot, rid, trip.id, date],
    );
    const refused = await srv.api('PUT', `/api/matches/${m.id}`, { status: 'confirmed' });
    expect(refused.status).toBe(409);
    expect(refused.body.fields).toEqual([{ field: 'tus.perimeter', reason: expect.stringContaining('Figeac (unité urbaine Figeac, 13 376 habitants)') }]);
    expect(refused.body.message).toContain('enregistrez une dérogation pour confirmer');
    expect(await one('SELECT status FROM matches WHERE id = $1', [m.id])).toEqual({ status: 'accepted' });
    await srv.api('POST', `/api/requests/${rid}/tus/exceptions`, { rule: 'perimeter', reason: 'Dialyse à Figeac' });
    const ok = await srv.api('PUT', `/api/matches/${m.id}`, { status: 'confirmed' });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('confirmed');
    await srv.api('PUT', `/api/tus/settings/${lot}`, settings);
  });
});

describe('access and scope', () => {
  it('a person’s TUS record is for coordinators, each read audited', async () => {
    const p = await person('46148', 'Auditée');
    expect((await srv.api('GET', `/api/people/${p}/tus`, undefined, viewer)).status).toBe(403);
    const r = await srv.api('GET', `/api/people/${p}/tus`, undefined, coordinator);
    expect(r.status).toBe(200);
    expect(await one(`SELECT fields FROM audit_log WHERE action = 'read_personal' AND subject_id = $1 ORDER BY id DESC LIMIT 1`, [p])).toEqual({
      fields: ['tusEligibility', 'tusProof', 'tusMemberships'],
    });
  });

  it('the costs module gets a cap for TUS territories only', async () => {
    const caps = await participationCapsOf(srv.testDb.db, [lot, other]);
    expect([...caps.keys()]).toEqual([lot]);
    expect(caps.get(lot)!(42.5)).toBe(13.6);
  });

  it('a territory without the option checks nothing', async () => {
    const r = await srv.api('POST', '/api/people', { territoryId: other, isPassenger: true, firstName: 'Ailleurs' });
    const c = await check(await request(r.body.id, 'lalbenque', 'cahors', other));
    expect(c).toMatchObject({ applies: false, violations: [], blocking: 0 });
  });

  it('erasing a person clears the benefit, the proof and the exceptions’ reasons, and keeps the grounds for the report', async () => {
    const p = await person('46148', 'Effacée');
    await srv.api('PUT', `/api/people/${p}/tus/beneficiary`, { byResidence: true, byResources: true, resourceBenefit: 'rsa', proof: 'attestation CAF de Mme Effacée', proofDate: `${year}-01-02` });
    const rid = await request(p, 'lalbenque', 'figeac');
    await srv.api('POST', `/api/requests/${rid}/tus/exceptions`, { rule: 'membership', reason: 'Mme Effacée paiera sa cotisation lundi' });
    await srv.testDb.db.transaction((tx) => erasePerson(tx, p, { actor: 'test', role: 'admin' }));
    expect(await one('SELECT by_residence, by_resources, residence_insee, resource_benefit, proof FROM tus_beneficiaries WHERE person_id = $1', [p])).toEqual({
      by_residence: true, by_resources: true, residence_insee: '46148', resource_benefit: null, proof: null,
    });
    expect(await one('SELECT rule, reason FROM tus_exceptions WHERE request_id = $1', [rid])).toEqual({ rule: 'membership', reason: '' });
  });

  it('bad settings name the field', async () => {
    const r = await srv.api('PUT', `/api/tus/settings/${lot}`, { enabled: true, rna: '12345' });
    expect(r.status).toBe(400);
    expect(r.body.fields[0].field).toBe('rna');
  });
});
