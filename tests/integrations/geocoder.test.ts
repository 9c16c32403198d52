import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCommunes } from '../../services/src/domain/territories.ts';
import { createToken } from '../../services/src/domain/tokens.ts';
import { banGeocoder } from '../../services/src/geocoding/ban.ts';
import { GeocoderError } from '../../services/src/geocoding/types.ts';
import { startBanReplay, type BanReplay } from '../helpers/ban-replay.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const COMMUNES = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../fixtures/communes-46-lot.geojson'), 'utf8'));
const TIMEOUT_MS = 400;

let ban: BanReplay;
let srv: TestServer;
let lot: number;
let token: string;

beforeAll(async () => {
  ban = await startBanReplay();
  srv = await startServer({ env: { GEOCODER_URL: ban.url, GEOCODER_TIMEOUT_MS: String(TIMEOUT_MS) } });
  lot = (await srv.api('POST', '/api/territories', { slug: 'lot-ban', name: 'Lot (BAN)' })).body.id;
  await srv.booted.services.db.transaction((tx) =>
    addCommunes(tx, lot, COMMUNES.features.map((f: any) => ({ insee: f.properties.code, name: f.properties.nom, population: null, geometry: f.geometry }))),
  );
  token = (await createToken(srv.booted.services.db, { label: 'c', role: 'coordinator', territoryId: lot })).token;
});
afterAll(async () => {
  await srv?.close();
  await ban?.close();
});

const search = (q: string, extra = '') =>
  srv.api('GET', `/api/places/search?q=${encodeURIComponent(q)}&territoryId=${lot}${extra}`, undefined, token);

describe('the national address base client, against its replayed answers', () => {
  it('asks /search/ with q, limit, lat and lon, and turns a house number into an exact address', async () => {
    ban.mode = 'ok';
    const r = await search('335 rue du Président Wilson Cahors', '&near=1.44,44.45&limit=5');
    expect(r.status).toBe(200);
    const asked = ban.received.at(-1)!;
    expect(Object.fromEntries(asked)).toEqual({ q: '335 rue du Président Wilson Cahors', limit: '5', lat: '44.45000', lon: '1.44000' });
    expect(r.body.geocoder).toBe('ban');
    expect(r.body.suggestions[0]).toEqual({
      label: '335 Rue du Président Wilson 46000 Cahors', lng: 1.441237, lat: 44.456139, kind: 'address', source: 'ban',
      pointSource: 'address', insee: '46042', score: 0.9563,
    });
    expect(r.body.suggestions[1]).toMatchObject({ kind: 'address', label: 'Rue du Président Wilson 46000 Cahors' });
  });

  it('merges with the gazetteer: the commune once, Lauzès before its street, before the match inside a word', async () => {
    ban.mode = 'ok';
    const r = await search('Lauz');
    const l = r.body.suggestions.map((s: any) => `${s.label} [${s.source}]`);
    expect(l[0]).toBe('Lauzès [gazetteer]');
    expect(l.filter((x: string) => x.startsWith('Lauzès '))).toHaveLength(1);
    expect(l).toContain("Place de l'Église 46360 Lauzès [ban]");
    expect(l.indexOf("Place de l'Église 46360 Lauzès [ban]")).toBeLessThan(l.indexOf('Castelnau Montratier-Sainte Alauzie [gazetteer]'));
  });

  it.each([
    ['slow', `geocoder did not answer within ${TIMEOUT_MS} ms`],
    ['http-error', 'geocoder answered HTTP 503'],
    ['html', 'geocoder answer is not JSON'],
    ['wrong-shape', 'geocoder answer: features[0].geometry: '],
  ] as const)('falls back to the gazetteer when the API is %s, saying why', async (mode, why) => {
    ban.mode = mode;
    const r = await search('Lauz');
    expect(r.status).toBe(200);
    expect(r.body.geocoder).toBe('gazetteer');
    expect(r.body.degraded).toContain(why);
    expect(r.body.suggestions[0]).toMatchObject({ label: 'Lauzès', source: 'gazetteer' });
  });

  it('throws clear errors from the client itself, and asks nothing below three characters', async () => {
    ban.mode = 'wrong-shape';
    const g = banGeocoder({ url: ban.url, timeoutMs: TIMEOUT_MS });
    await expect(g.search({ q: 'Cahors', territoryIds: null, limit: 3 })).rejects.toBeInstanceOf(GeocoderError);
    const unreachable = banGeocoder({ url: 'http://127.0.0.1:9', timeoutMs: TIMEOUT_MS });
    await expect(unreachable.search({ q: 'Cahors', territoryIds: null, limit: 3 })).rejects.toThrow(/geocoder unreachable/);
    const before = ban.received.length;
    ban.mode = 'ok';
    expect(await g.search({ q: 'ca', territoryIds: null, limit: 3 })).toEqual([]);
    expect(ban.received.length).toBe(before);
  });
});
