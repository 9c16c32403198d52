import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../services/src/domain/tokens.ts';
import { consolePlugin } from '../../services/src/console/plugin.ts';
import { errorMiddleware } from '../../services/src/http/error-middleware.ts';
import { interopPlugin } from '../../services/src/interop/plugin.ts';
import { publicPlugin } from '../../services/src/public/plugin.ts';
import { Browser, csrfOf } from '../public/helpers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

/**
 * Bad input on every resource, over real HTTP: each answer is a 4xx JSON naming the field and the reason, and the
 * database is left as it was (issue 12: NUL bytes, prototype keys in sort/filter, array bodies, ids written in hex or
 * beyond PostgreSQL's integer, deleting what is still referred to).
 */

const CAHORS = { lng: 1.4419, lat: 44.4475 };
const LABASTIDE = { lng: 1.5296, lat: 44.5911 };
const GOURDON = { lng: 1.3832, lat: 44.7373 };
const OPERATOR = 'lot.comobi.example.org';
const PARTNER = 'maas.example.net';
const NUL = '\u0000';
const INT4_OVERFLOW = 99_999_999_999;

const nextMonday = () => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7 || 7));
  return d.toISOString().slice(0, 10);
};

let srv: TestServer;
let territoryId: number;
let driverId: number;
let passengerId: number;
let tripId: number;
let requestId: number;
let matchId: number;
let userId: number;
let interopKey: string;
let coordinatorKey: string;

/** Every table a write of these routes can touch, as one digest per table: a refused input must change none. */
const TABLES = [
  'territories', 'communes', 'people', 'person_identities', 'trips', 'requests', 'matches', 'match_events', 'users',
  'user_territories', 'interop_messages', 'consents', 'citizen_accounts',
];
async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of TABLES) {
    const { rows } = await srv.booted.services.db.query<{ d: string | null }>(
      `SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) AS d FROM ${t} x`,
    );
    out[t] = rows[0].d ?? '';
  }
  return out;
}

/** Sends a raw body (JSON text) with the given credentials. */
async function send(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const res = await fetch(srv.url + path, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(headers['x-api-key'] ? {} : { authorization: 'Bearer test-admin-token-0123456789' }),
      ...headers,
    },
    body,
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* keep the text: the assertion shows it */
  }
  return { status: res.status, body: parsed };
}

/** The request is refused with `status`, a JSON error naming `field` with a reason matching `reason`, and no change. */
async function refused(
  call: () => Promise<{ status: number; body: any }>,
  field: string,
  reason: RegExp,
  status = 400,
) {
  const before = await snapshot();
  const r = await call();
  const what = JSON.stringify(r.body);
  expect(r.status, what).toBe(status);
  expect(r.body, what).toMatchObject({ error: expect.any(String), message: expect.any(String) });
  expect(r.body.fields, what).toContainEqual({ field, reason: expect.stringMatching(reason) });
  expect(await snapshot()).toEqual(before);
}

const q = (o: unknown) => encodeURIComponent(JSON.stringify(o));
const interop = (body: string) => send('POST', '/interop/v1/messages', body, { 'x-api-key': interopKey });
const message = (over: Record<string, unknown> = {}) => ({
  from: { id: 'user-1', operator: PARTNER, alias: 'Camille' },
  to: { id: `driver-${driverId}`, operator: OPERATOR, alias: 'Conducteur' },
  message: 'Bonjour, je cherche un trajet lundi.',
  recipientCarpoolerType: 'DRIVER',
  ...over,
});

beforeAll(async () => {
  srv = await startServer({
    plugins: async (b) => [
      await consolePlugin(b.services, { distDir: '/nonexistent' }),
      interopPlugin({ INTEROP_OPERATOR: OPERATOR, INTEROP_RATE_LIMIT: '10000' }),
      publicPlugin({ RETENTION_JOB: 'off', RATE_LIMIT_FORMS: '10000' }),
    ],
  });
  const t = await srv.api('POST', '/api/territories', { slug: 'bad-input', name: 'Entrées invalides' });
  expect(t.status).toBe(201);
  territoryId = t.body.id;
  // Two communes for the public forms (square boundaries around real centroids of the Lot).
  for (const [insee, name, c] of [['46042', 'Cahors', CAHORS], ['46127', 'Gourdon', GOURDON]] as const) {
    await srv.booted.services.db.query(
      `INSERT INTO communes (insee, name, territory_id, geom, centroid)
       VALUES ($1, $2, $3, ST_Multi(ST_Expand(ST_SetSRID(ST_MakePoint($4, $5), 4326), 0.02)), ST_SetSRID(ST_MakePoint($4, $5), 4326))`,
      [insee, name, territoryId, c.lng, c.lat],
    );
  }
  const d = await srv.api('POST', '/api/people', { territoryId, isDriver: true, firstName: 'Inventé', lastName: 'Conducteur', directContactConsent: true });
  expect(d.status).toBe(201);
  driverId = d.body.id;
  const tr = await srv.api('POST', '/api/trips', {
    territoryId, driverId, kind: 'regular', weekdays: [1, 2, 3, 4, 5], departureTime: '07:30', returnTime: '17:30',
    origin: GOURDON, destination: CAHORS, originLabel: 'Gourdon', destinationLabel: 'Cahors', seats: 2,
  });
  expect(tr.status).toBe(201);
  tripId = tr.body.id;
  const p = await srv.api('POST', '/api/people', { territoryId, isPassenger: true, firstName: 'Inventée', phone: '06 39 98 00 02' });
  expect(p.status).toBe(201);
  passengerId = p.body.id;
  const rq = await srv.api('POST', '/api/requests', { territoryId, passengerId, from: LABASTIDE, to: CAHORS, date: nextMonday(), time: '07:45', purpose: 'health' });
  expect(rq.status).toBe(201);
  expect(rq.body.proposals).toHaveLength(1);
  requestId = rq.body.id;
  matchId = rq.body.proposals[0].id;
  const u = await srv.api('POST', '/api/users', { email: 'coordination@example.org', role: 'coordinator', territoryIds: [territoryId], password: 'un mot de passe assez long' });
  expect(u.status).toBe(201);
  userId = u.body.id;
  interopKey = (await createToken(srv.booted.services.db, { label: PARTNER, role: 'integration', territoryId })).token;
  coordinatorKey = (await createToken(srv.booted.services.db, { label: 'coord', role: 'coordinator', territoryId })).token;
  // The interop message route works with a good body (so that the refusals below are about the bad part only).
  expect((await interop(JSON.stringify(message()))).status).toBe(201);
});
afterAll(async () => srv?.close());

/** Every create and update of the API, with a body that is valid but for what each test changes. */
const writes = () => [
  { name: 'POST /api/people', method: 'POST', path: '/api/people', body: { territoryId, isDriver: true, firstName: 'Nouveau' }, text: 'lastName' },
  { name: 'PUT /api/people/:id', method: 'PUT', path: `/api/people/${driverId}`, body: {}, text: 'address' },
  {
    name: 'POST /api/trips', method: 'POST', path: '/api/trips', text: 'originLabel',
    body: { territoryId, driverId, kind: 'oneoff', date: nextMonday(), departureTime: '08:00', origin: GOURDON, destination: CAHORS },
  },
  { name: 'PUT /api/trips/:id', method: 'PUT', path: `/api/trips/${tripId}`, body: {}, text: 'destinationLabel' },
  {
    name: 'POST /api/requests', method: 'POST', path: '/api/requests', text: 'note',
    body: { territoryId, from: LABASTIDE, to: CAHORS, date: nextMonday(), time: '09:00', storeProposals: false },
  },
  { name: 'PUT /api/requests/:id', method: 'PUT', path: `/api/requests/${requestId}`, body: {}, text: 'note' },
  { name: 'POST /api/territories', method: 'POST', path: '/api/territories', body: { slug: 'encore-un' }, text: 'name' },
  { name: 'PUT /api/territories/:id', method: 'PUT', path: `/api/territories/${territoryId}`, body: {}, text: 'coordinatorPhone' },
  { name: 'PUT /api/matches/:id', method: 'PUT', path: `/api/matches/${matchId}`, body: {}, text: 'note' },
  {
    name: 'POST /api/users', method: 'POST', path: '/api/users', text: 'displayName',
    body: { email: 'nouveau@example.org', role: 'viewer', password: 'un autre mot de passe long' },
  },
  { name: 'PUT /api/users/:id', method: 'PUT', path: `/api/users/${userId}`, body: {}, text: 'displayName' },
];

describe('NUL characters (PostgreSQL text cannot hold them)', () => {
  it('refuses a NUL in a text field of every create and update, naming the field', async () => {
    for (const w of writes()) {
      await refused(
        () => send(w.method, w.path, JSON.stringify({ ...w.body, [w.text]: `avant${NUL}après` })),
        w.text,
        /must not contain a NUL character/,
      );
    }
  });

  it('names the path of a NUL inside arrays and objects', async () => {
    await refused(
      () => send('PUT', `/api/people/${driverId}`, JSON.stringify({ needs: ['luggage', `x${NUL}`] })),
      'needs.1',
      /NUL/,
    );
    await refused(() => interop(JSON.stringify(message({ from: { id: 'user-1', operator: PARTNER, alias: `Cam${NUL}` } }))), 'from.alias', /NUL/);
  });

  it('finds a NUL at the bottom of a body nested 100 000 levels deep, and names a field of bounded length', async () => {
    const depth = 100_000;
    const body = `{"needs":${'['.repeat(depth)}"x\\u0000"${']'.repeat(depth)}}`;
    const before = await snapshot();
    const r = await send('PUT', `/api/people/${driverId}`, body);
    expect(r.status).toBe(400);
    expect(r.body.fields).toHaveLength(1);
    expect(r.body.fields[0].field).toMatch(/^needs(\.0)+\.?…$/);
    expect(r.body.fields[0].field.length).toBeLessThan(300);
    expect(r.body.fields[0].reason).toBe('must not contain a NUL character');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a NUL in an interoperability message', async () => {
    await refused(() => interop(JSON.stringify(message({ message: `Bonjour${NUL}` }))), 'message', /must not contain a NUL character/);
  });

  it('refuses a NUL in a list filter and in the query string', async () => {
    await refused(() => send('GET', `/api/people?filter=${q({ q: `Inv${NUL}` })}`), 'filter.q', /NUL/);
    await refused(() => send('GET', `/api/trips?filter=${q({ driverId: [driverId] })}&x=%00`), 'x', /NUL/);
    await refused(() => send('GET', '/t/bad%00input'), '(path)', /NUL/);
  });

  it('refuses a NUL in the public forms and creates no one', async () => {
    const b = new Browser(srv.url);
    for (const [page, fields] of [
      ['proposer', { type: 'oneoff', date: nextMonday(), heure_depart: '08:00', places: '2' }],
      ['chercher', { date: nextMonday(), sens: 'depart', heure: '08:00', motif: 'health', places: '1' }],
    ] as const) {
      const csrf = csrfOf((await b.get(`/t/bad-input/${page}`)).text);
      expect(csrf).not.toBe('');
      const before = await snapshot();
      const { res, text } = await b.post(`/t/bad-input/${page}`, {
        prenom: `Aurore${NUL}`, nom: 'Testeuse', telephone: '06 12 34 56 78', depart: '46127', arrivee: '46042',
        consentement: 'oui', ...fields,
      }, csrf);
      expect(res.status, page).toBe(400);
      expect(text).toContain('caractère non autorisé');
      expect(await snapshot()).toEqual(before);
    }
  });
});

describe('prototype keys in sort and filter', () => {
  const lists = ['people', 'trips', 'requests', 'territories', 'matches', 'users', 'interop-messages'];
  const token = (list: string): Record<string, string> =>
    list === 'interop-messages' ? { authorization: `Bearer ${coordinatorKey}` } : {};

  it('refuses __proto__, constructor and hasOwnProperty as sort fields on every list', async () => {
    for (const list of lists) {
      for (const key of ['__proto__', 'constructor', 'hasOwnProperty', 'toString']) {
        await refused(() => send('GET', `/api/${list}?sort=${q([key, 'ASC'])}`, undefined, token(list)), 'sort', /cannot sort by/);
      }
    }
  });

  it('refuses them as filter keys on every list, naming filter.<key>', async () => {
    for (const list of lists) {
      for (const key of ['__proto__', 'constructor', 'hasOwnProperty', 'toString']) {
        const filter = `{${JSON.stringify(key)}:1}`;
        await refused(() => send('GET', `/api/${list}?filter=${encodeURIComponent(filter)}`, undefined, token(list)), `filter.${key}`, /unknown filter/);
      }
    }
  });
});

describe('bodies that are not a JSON object', () => {
  it('refuses arrays and scalars on every create and update', async () => {
    const all = [...writes(), { name: 'POST /api/matches', method: 'POST', path: '/api/matches', body: {}, text: '' }];
    for (const w of all) {
      for (const raw of ['[1,2]', '[]', '5', '"texte"', 'null', 'true']) {
        await refused(() => send(w.method, w.path, raw), '(body)', /^expected a JSON object$/);
      }
    }
    for (const raw of ['[1,2]', '"texte"']) await refused(() => interop(raw), '(body)', /^expected a JSON object$/);
  });

  it('leaves the person as it was after PUT with an array (it used to answer 200)', async () => {
    const before = await srv.api('GET', `/api/people/${driverId}`);
    await refused(() => send('PUT', `/api/people/${driverId}`, '[1,2]'), '(body)', /JSON object/);
    expect((await srv.api('GET', `/api/people/${driverId}`)).body).toEqual(before.body);
  });
});

describe('ids', () => {
  const resources = ['people', 'trips', 'requests', 'territories', 'matches', 'users'];

  it('takes only decimal digits as an id in a path (0x10 is not 16)', async () => {
    for (const r of resources) {
      for (const bad of ['0x10', '1e1', '+16', '16.0', '%2016', '-1', '0', 'abc']) {
        await refused(() => send('GET', `/api/${r}/${bad}`), 'id', /./);
      }
      await refused(() => send('PUT', `/api/${r}/0x${driverId.toString(16)}`, '{}'), 'id', /decimal/);
    }
  });

  it('names the id field and says it is out of range beyond PostgreSQL integer', async () => {
    for (const r of resources) await refused(() => send('GET', `/api/${r}/${INT4_OVERFLOW}`), 'id', /out of range/);
    await refused(() => send('DELETE', `/api/people/${INT4_OVERFLOW}`), 'id', /out of range/);
    const trip = { territoryId, kind: 'oneoff', date: nextMonday(), departureTime: '08:00', origin: GOURDON, destination: CAHORS };
    await refused(() => send('POST', '/api/trips', JSON.stringify({ ...trip, driverId: INT4_OVERFLOW })), 'driverId', /out of range/);
    await refused(() => send('POST', '/api/people', JSON.stringify({ territoryId: INT4_OVERFLOW, isDriver: true })), 'territoryId', /out of range/);
    const ask = { territoryId, from: LABASTIDE, to: CAHORS, date: nextMonday(), time: '09:00', storeProposals: false };
    await refused(() => send('POST', '/api/requests', JSON.stringify({ ...ask, passengerId: INT4_OVERFLOW })), 'passengerId', /out of range/);
    await refused(() => send('POST', '/api/matches', JSON.stringify({ requestId: INT4_OVERFLOW, tripId })), 'requestId', /out of range/);
    await refused(() => send('POST', '/api/matches', JSON.stringify({ requestId, tripId: INT4_OVERFLOW })), 'tripId', /out of range/);
    await refused(() => send('PUT', `/api/users/${userId}`, JSON.stringify({ territoryIds: [territoryId, INT4_OVERFLOW] })), 'territoryIds.1', /out of range/);
    await refused(() => send('GET', `/api/people?filter=${q({ id: [INT4_OVERFLOW] })}`), 'filter.id.0', /out of range/);
    await refused(() => send('GET', `/api/trips?filter=${q({ driverId: INT4_OVERFLOW })}`), 'filter.driverId', /out of range/);
  });

  it('still serves an id in plain digits, up to the largest integer', async () => {
    expect((await srv.api('GET', `/api/people/${driverId}`)).body.id).toBe(driverId);
    expect((await srv.api('GET', '/api/people/2147483647')).status).toBe(404);
  });
});

describe('deleting what is still referred to', () => {
  it('answers 409 with the reason for a driver who has trips and a passenger who has requests', async () => {
    await refused(() => send('DELETE', `/api/people/${driverId}`), 'id', /still has 1 trip\(s\) and 0 request\(s\).*deactivate the trips or erase/, 409);
    await refused(() => send('DELETE', `/api/people/${passengerId}`), 'id', /still has 0 trip\(s\) and 1 request\(s\)/, 409);
    expect((await srv.api('GET', `/api/people/${driverId}`)).status).toBe(200);
  });

  it('answers 409 for a territory that still has people', async () => {
    await refused(() => send('DELETE', `/api/territories/${territoryId}`), 'id', /has people, trips or requests/, 409);
  });

  it('still reports an unknown reference on insert as a 400', async () => {
    const r = await send('POST', '/api/people', JSON.stringify({ territoryId, isDriver: true, communeInsee: '99999' }));
    expect(r.status).toBe(400);
    expect(r.body.fields).toContainEqual({ field: 'communeInsee', reason: 'refers to a record that does not exist' });
  });
});

describe('the error middleware behind the input guard', () => {
  const servers: import('node:http').Server[] = [];
  afterAll(() => {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
  });

  /** A route the guard does not stand before: what reaches the database is mapped by the error middleware alone. */
  async function unguarded(sql: string, param: (body: any) => unknown) {
    const app = new Koa();
    app.use(errorMiddleware(() => {}));
    app.use(bodyParser({ enableTypes: ['json'] }));
    app.use(async (ctx) => {
      ctx.body = (await srv.booted.services.db.query(sql, [param(ctx.request.body)])).rows;
    });
    const server = app.listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return async (body: unknown) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as any };
    };
  }

  it('maps a NUL refused by the database (text and jsonb) to 400 naming the field', async () => {
    const text = await unguarded('SELECT $1::text AS v', (b) => b.who.name);
    expect(await text({ who: { name: `x${NUL}y` } })).toMatchObject({
      status: 400,
      body: { error: 'invalid_input', fields: [{ field: 'who.name', reason: 'must not contain a NUL character' }] },
    });
    const json = await unguarded('SELECT $1::jsonb AS v', (b) => JSON.stringify(b));
    expect(await json({ car: { model: `x${NUL}` } })).toMatchObject({
      status: 400,
      body: { fields: [{ field: 'car.model', reason: 'must not contain a NUL character' }] },
    });
  });

  it('names the field holding an integer beyond PostgreSQL integer', async () => {
    const int = await unguarded('SELECT $1::int AS v', (b) => b.seats);
    const r = await int({ label: 'x', seats: INT4_OVERFLOW });
    expect(r).toMatchObject({ status: 400, body: { fields: [{ field: 'seats', reason: expect.stringMatching(/out of range/) }] } });
  });
});
