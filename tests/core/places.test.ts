import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCommunes } from '../../services/src/domain/territories.ts';
import { createToken } from '../../services/src/domain/tokens.ts';
import { openapiValidator } from '../integrations/openapi.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

/** The real communes of the Lot (fixtures/), in a territory of their own: the gazetteer searched as deployed. */
const COMMUNES = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../fixtures/communes-46-lot.geojson'), 'utf8'));

let srv: TestServer;
let lot: number;
let other: number;
let coordinator: string;
let otherCoordinator: string;
let viewer: string;

const search = async (q: string, token = coordinator, extra = '') =>
  srv.api('GET', `/api/places/search?q=${encodeURIComponent(q)}&territoryId=${lot}${extra}`, undefined, token);
const labels = (r: { body: { suggestions: { label: string }[] } }) => r.body.suggestions.map((s) => s.label);

beforeAll(async () => {
  srv = await startServer();
  const db = srv.booted.services.db;
  // Made here rather than over HTTP: a keep-alive socket left idle while PGlite loads the communes would be closed
  // by the server just as the next request reuses it.
  const territory = async (slug: string, name: string) =>
    (await db.query<{ id: number }>('INSERT INTO territories (slug, name) VALUES ($1, $2) RETURNING id', [slug, name])).rows[0].id;
  lot = await territory('lot-lieux', 'Lot (lieux)');
  other = await territory('ailleurs-lieux', 'Ailleurs');
  await db.transaction((tx) =>
    addCommunes(tx, lot, COMMUNES.features.map((f: any) => ({ insee: f.properties.code, name: f.properties.nom, population: null, geometry: f.geometry }))),
  );
  coordinator = (await createToken(db, { label: 'c', role: 'coordinator', territoryId: lot })).token;
  otherCoordinator = (await createToken(db, { label: 'o', role: 'coordinator', territoryId: other })).token;
  viewer = (await createToken(db, { label: 'v', role: 'viewer', territoryId: lot })).token;
});
afterAll(async () => srv?.close());

describe('the gazetteer', () => {
  it('ranks a name starting with the query before a match inside a word ("Lauz" → Lauzès first)', async () => {
    const r = await search('Lauz');
    expect(r.status).toBe(200);
    expect(r.body.geocoder).toBe('gazetteer');
    const l = labels(r);
    expect(l[0]).toBe('Lauzès');
    // Word prefixes next, the match inside "Alauzie" last.
    expect(l.slice(1, 3).sort()).toEqual(['Sabadel-Lauzès', 'Sénaillac-Lauzès']);
    expect(l.indexOf('Castelnau Montratier-Sainte Alauzie')).toBeGreaterThan(2);
    expect(r.body.suggestions[0]).toMatchObject({ kind: 'commune', source: 'gazetteer', pointSource: 'commune_centre', insee: '46162' });
    const centroid = await srv.booted.services.db.query<{ lng: number; lat: number }>(
      `SELECT ST_X(centroid) AS lng, ST_Y(centroid) AS lat FROM communes WHERE insee = '46162'`,
    );
    expect(r.body.suggestions[0].lng).toBeCloseTo(Number(centroid.rows[0].lng), 6);
    expect(r.body.suggestions[0].lat).toBeCloseTo(Number(centroid.rows[0].lat), 6);
  });

  it('ignores accents, case and hyphens', async () => {
    expect(labels(await search('beduer'))[0]).toBe('Béduer');
    expect(labels(await search('BÉDUER'))[0]).toBe('Béduer');
    expect(labels(await search('saint cere'))[0]).toBe('Saint-Céré');
    expect(labels(await search('st-céré'))).not.toContain('Saint-Céré');
    expect(labels(await search('cirq lapo'))[0]).toBe('Saint-Cirq-Lapopie');
  });

  it('answers nothing for a query too short, and 400 without one', async () => {
    expect(labels(await search('l'))).toEqual([]);
    const bad = await srv.api('GET', `/api/places/search?territoryId=${lot}`, undefined, coordinator);
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toContainEqual({ field: 'q', reason: expect.any(String) });
    const near = await search('Cahors', coordinator, '&near=500,1');
    expect(near.status).toBe(400);
    expect(near.body.fields[0].field).toBe('near');
  });

  it('finds the carpool areas and the stops of active feeds of the territory', async () => {
    const db = srv.booted.services.db;
    await db.query(`INSERT INTO carpool_areas (id, name, insee, type, updated_on, open, geom)
      VALUES ('test-46042-1', 'Aire de covoiturage de Regourd', '46042', 'Aire de covoiturage', '2026-01-01', true, ST_SetSRID(ST_MakePoint(1.4640, 44.4580), 4326))`);
    const feed = (await db.query<{ id: number }>(`INSERT INTO gtfs.feeds (name, territory_id) VALUES ('Test lieux', $1) RETURNING id`, [lot])).rows[0].id;
    const fv = (await db.query<{ id: number }>(`INSERT INTO gtfs.feed_versions (feed_id, version, status) VALUES ($1, 1, 'active') RETURNING id`, [feed])).rows[0].id;
    await db.exec(`CREATE TABLE gtfs.stops_places_test PARTITION OF gtfs.stops FOR VALUES IN (${fv})`);
    await db.query(`INSERT INTO gtfs.stops (feed_version_id, stop_id, place_key, stop_name, geom, location_type) VALUES
      ($1, 'S1', 1, 'Cahors Gare SNCF', ST_SetSRID(ST_MakePoint(1.4330, 44.4490), 4326), 1),
      ($1, 'S1a', 2, 'Cahors Gare SNCF', ST_SetSRID(ST_MakePoint(1.4331, 44.4491), 4326), 0),
      ($1, 'S2', 3, 'Regourd Centre', ST_SetSRID(ST_MakePoint(1.4650, 44.4590), 4326), 0)`, [fv]);
    const r = await search('regourd');
    expect(r.body.suggestions.map((s: any) => [s.label, s.kind])).toEqual([
      ['Regourd Centre', 'stop'],
      ['Aire de covoiturage de Regourd', 'carpool_area'],
    ]);
    const gare = (await search('gare cahors')).body.suggestions.filter((s: any) => s.kind === 'stop');
    // The station stands for its platforms: one suggestion.
    expect(gare).toHaveLength(1);
    expect(gare[0]).toMatchObject({ label: 'Cahors Gare SNCF', pointSource: 'place', insee: '46042' });
  });
});

describe('named places', () => {
  let hospital: number;

  it('are created by a coordinator, in their territory, and found first among equal matches', async () => {
    const r = await srv.api('POST', '/api/places', {
      name: 'Centre hospitalier de Cahors', kind: 'health', address: '335 rue du Président Wilson', point: { lng: 1.4412, lat: 44.4561 },
    }, coordinator);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ territoryId: lot, kind: 'health', communeInsee: '46042', communeName: 'Cahors', point: { lng: 1.4412, lat: 44.4561 } });
    hospital = r.body.id;
    const found = await search('hopital');
    expect(found.body.suggestions).toEqual([]);
    const s = await search('centre hosp');
    expect(s.body.suggestions[0]).toMatchObject({
      label: 'Centre hospitalier de Cahors, 335 rue du Président Wilson', kind: 'place', pointSource: 'place', lng: 1.4412, lat: 44.4561, insee: '46042',
    });
    // The address is searched too.
    expect(labels(await search('president wilson'))[0]).toBe('Centre hospitalier de Cahors, 335 rue du Président Wilson');
  });

  it('are a simple-rest resource: list with Content-Range, filter, edit, delete', async () => {
    const list = await srv.api('GET', `/api/places?filter=${encodeURIComponent(JSON.stringify({ q: 'HOSPITALIER' }))}`, undefined, coordinator);
    expect(list.status).toBe(200);
    expect(list.body.map((p: any) => p.id)).toEqual([hospital]);
    expect(list.headers.get('content-range')).toBe('places 0-0/1');
    const put = await srv.api('PUT', `/api/places/${hospital}`, { ...list.body[0], name: 'Hôpital de Cahors' }, coordinator);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'Hôpital de Cahors', address: '335 rue du Président Wilson' });
    expect(labels(await search('hopital'))[0]).toBe('Hôpital de Cahors, 335 rue du Président Wilson');
    const market = await srv.api('POST', '/api/places', { name: 'Marché de Gramat', kind: 'market', point: { lng: 1.7255, lat: 44.7808 } }, coordinator);
    expect((await srv.api('DELETE', `/api/places/${market.body.id}`, undefined, coordinator)).status).toBe(200);
    expect((await srv.api('GET', `/api/places/${market.body.id}`, undefined, coordinator)).status).toBe(404);
  });

  it('refuse bad input with the field, and a home without its person', async () => {
    const bad = await srv.api('POST', '/api/places', { name: '', kind: 'castle', point: { lng: 200, lat: 44 } }, coordinator);
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((f: any) => f.field).sort()).toEqual(['kind', 'name', 'point.lng']);
    const home = await srv.api('POST', '/api/places', { name: 'Chez Mme Inventée', kind: 'home', point: { lng: 1.44, lat: 44.45 } }, coordinator);
    expect(home.status).toBe(400);
    expect(home.body.fields).toEqual([{ field: 'personId', reason: expect.stringContaining('personId') }]);
    const stranger = await srv.api('POST', '/api/people', { territoryId: other, isPassenger: true, firstName: 'Autre' });
    const elsewhere = await srv.api('POST', '/api/places', { name: 'Chez Autre', kind: 'home', personId: stranger.body.id, point: { lng: 1.44, lat: 44.45 } }, coordinator);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.fields[0].field).toBe('personId');
  });

  it('are seen by no other territory and by no viewer', async () => {
    expect((await srv.api('GET', `/api/places/${hospital}`, undefined, otherCoordinator)).status).toBe(404);
    expect((await srv.api('GET', '/api/places', undefined, otherCoordinator)).body).toEqual([]);
    const s = await srv.api('GET', '/api/places/search?q=hopital', undefined, otherCoordinator);
    expect(s.status).toBe(200);
    expect(s.body.suggestions).toEqual([]);
    expect((await srv.api('GET', `/api/places/search?q=hopital&territoryId=${lot}`, undefined, otherCoordinator)).status).toBe(400);
    expect((await srv.api('PUT', `/api/places/${hospital}`, { name: 'Volé' }, otherCoordinator)).status).toBe(404);
    expect((await srv.api('GET', '/api/places', undefined, viewer)).status).toBe(403);
    expect((await search('hopital', viewer)).status).toBe(403);
  });
});

describe('the OpenAPI document', () => {
  it('describes the search and the places as they answer', async () => {
    const file = path.join(os.tmpdir(), `comobi-openapi-places-${process.pid}.json`);
    fs.writeFileSync(file, JSON.stringify((await srv.api('GET', '/api/openapi.json', undefined, null)).body));
    const v = openapiValidator(file);
    fs.rmSync(file);
    const body = { name: 'Mairie de Béduer', kind: 'public_service', point: { lng: 1.94, lat: 44.58 } };
    expect(v.request('/api/places', 'post', body)).toEqual([]);
    const created = await srv.api('POST', '/api/places', body, coordinator);
    expect(v.response('/api/places', 'post', 201, created.body)).toEqual([]);
    expect(v.response('/api/places', 'get', 200, (await srv.api('GET', '/api/places', undefined, coordinator)).body)).toEqual([]);
    expect(v.response('/api/places/search', 'get', 200, (await search('beduer')).body)).toEqual([]);
    expect(v.schema('Place', { ...created.body, kind: 'castle' })).not.toEqual([]);
  });
});

describe('where a stored point came from', () => {
  const CAHORS = { lng: 1.4419, lat: 44.4475 };
  const LAUZES = { lng: 1.5756, lat: 44.5669 };

  it('is kept on requests and trips, "unknown" when not said', async () => {
    const req = await srv.api('POST', '/api/requests', {
      territoryId: lot, from: LAUZES, to: CAHORS, fromLabel: 'Lauzès', toLabel: '335 Rue du Président Wilson 46000 Cahors',
      fromSource: 'commune_centre', toSource: 'address', date: '2030-01-08', time: '09:00', timeKind: 'arrive', storeProposals: false,
    }, coordinator);
    expect(req.status).toBe(201);
    expect(req.body).toMatchObject({ fromSource: 'commune_centre', toSource: 'address' });
    expect((await srv.api('GET', `/api/requests/${req.body.id}`, undefined, coordinator)).body).toMatchObject({ fromSource: 'commune_centre', toSource: 'address' });
    const plain = await srv.api('POST', '/api/requests', { territoryId: lot, from: LAUZES, to: CAHORS, date: '2030-01-08', time: '09:00', storeProposals: false }, coordinator);
    expect(plain.body).toMatchObject({ fromSource: 'unknown', toSource: 'unknown' });
    const bad = await srv.api('POST', '/api/requests', { territoryId: lot, from: LAUZES, to: CAHORS, fromSource: 'guess', date: '2030-01-08', time: '09:00' }, coordinator);
    expect(bad.status).toBe(400);
    expect(bad.body.fields[0].field).toBe('fromSource');

    const driver = await srv.api('POST', '/api/people', { territoryId: lot, isDriver: true, firstName: 'Inventé' });
    const trip = await srv.api('POST', '/api/trips', {
      driverId: driver.body.id, kind: 'regular', weekdays: [1], departureTime: '07:30', origin: LAUZES, destination: CAHORS,
      originSource: 'map_click', destinationSource: 'place',
    }, coordinator);
    expect(trip.status).toBe(201);
    expect(trip.body).toMatchObject({ originSource: 'map_click', destinationSource: 'place' });
    // An end moved without saying how loses its former source; the other keeps its own.
    const moved = await srv.api('PUT', `/api/trips/${trip.body.id}`, { origin: { lng: 1.58, lat: 44.57 } }, coordinator);
    expect(moved.body).toMatchObject({ originSource: 'unknown', destinationSource: 'place' });
  });
});
