import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@comobi/db';
import { publicPlugin } from '../../services/src/public/plugin.ts';
import { coarsenPoints } from '../../services/src/privacy/coarsen.ts';
import { INVENTORY, NON_PERSONAL_SCHEMAS, plan } from '../../services/src/privacy/inventory.ts';
import { runRetention } from '../../services/src/privacy/retention.ts';
import { buildJourney } from '../../services/src/rpc/declaration.ts';
import { rpcIdentity } from '../../services/src/rpc/identity.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let db: Db;
let territory: number;

/** Everything we hold about Zéphirine, who drives and rides; the values searched for after her erasure. */
const Z = {
  first: 'Zéphirine',
  last: 'Tracemuller',
  phone: '06 12 34 56 78',
  email: 'zephirine.tracemuller@example.org',
  address: '12 chemin des Oubliettes, Cahors',
  home: [1.412345, 44.412345] as [number, number],
  work: [1.487654, 44.487654] as [number, number],
  stop: [1.423456, 44.423456] as [number, number],
};
const pt = (p: [number, number]) => `ST_SetSRID(ST_MakePoint(${p[0]}, ${p[1]}), 4326)`;
const line = (a: [number, number], b: [number, number]) => `ST_SetSRID(ST_MakeLine(ST_MakePoint(${a[0]}, ${a[1]}), ST_MakePoint(${b[0]}, ${b[1]})), 4326)`;
const ids: Record<string, number | string> = {};

const one = async <T = any>(sql: string, params: unknown[] = []) => (await db.query<any>(sql, params)).rows[0] as T;

async function person(first: string, last: string, phone: string, home: [number, number]): Promise<number> {
  const { id } = await one(`INSERT INTO people (territory_id, is_driver, is_passenger, commune_insee, home, needs, direct_contact_consent, direct_contact_consent_at)
    VALUES ($1, true, true, '99046', ${pt(home)}, '{wheelchair}', true, now()) RETURNING id`, [territory]);
  await db.query(`INSERT INTO person_identities (person_id, first_name, last_name, phone, email, address, birthdate) VALUES ($1, $2, $3, $4, $5, $6, '1950-03-04')`,
    [id, first, last, phone, `${first.toLowerCase()}@example.net`, `${last} street`]);
  return id;
}

/** A match done (the trigger queues its registry declaration) with a note and an event naming Zéphirine. */
async function match(requestId: number, tripId: number, date: string): Promise<number> {
  const { id } = await one(`INSERT INTO matches (territory_id, request_id, trip_id, date, pickup, dropoff, pickup_min, dropoff_min, detour_m, detour_s, score,
      status, status_reason, note, status_changed_by)
    VALUES ($1, $2, $3, $4, ${pt(Z.stop)}, ${pt(Z.work)}, 480, 500, 300, 60, 0.8, 'done', 'accord au téléphone', $5, 'token:1') RETURNING id`,
    [territory, requestId, tripId, date, `${Z.first} attend devant le ${Z.address}, appeler le ${Z.phone}`]);
  await db.query(`INSERT INTO match_events (match_id, from_status, to_status, note, actor) VALUES ($1, 'confirmed', 'done', $2, 'token:1')`,
    [id, `ramenée chez elle, ${Z.email}`]);
  return id;
}

beforeAll(async () => {
  // The public plugin serves the rights (export, erasure); its daily job stays off, the test runs it.
  srv = await startServer({ plugins: () => [publicPlugin({ RETENTION_JOB: 'off' })] });
  db = srv.testDb.db;
  territory = (await one(`INSERT INTO territories (slug, name) VALUES ('inventaire', 'Inventaire') RETURNING id`)).id;
  await db.query(`INSERT INTO communes (insee, name, territory_id, population, geom, centroid) VALUES ('99046', 'Oubliettes', $1, 800,
    ST_Multi(ST_MakeEnvelope(1.40, 44.40, 1.50, 44.50, 4326)), ST_SetSRID(ST_MakePoint(1.45, 44.45), 4326))`, [territory]);

  const z = await person(Z.first, Z.last, Z.phone, Z.home);
  await db.query('UPDATE person_identities SET email = $2, address = $3 WHERE person_id = $1', [z, Z.email, Z.address]);
  const other = await person('Octave', 'Autrui', '07 98 76 54 32', [1.47, 44.47]);
  ids.z = z;
  ids.other = other;
  // Her home saved as a named place by a coordinator; the hospital is nobody's.
  await db.query(`INSERT INTO places (territory_id, name, kind, address, person_id, geom) VALUES
    ($1, $2, 'home', $3, $4, ${pt(Z.home)}), ($1, 'Centre hospitalier', 'health', 'rue de l’Hôpital', NULL, ${pt([1.49, 44.49])})`,
    [territory, `Chez ${Z.first} ${Z.last}`, Z.address, z]);
  const date = '2026-09-15';
  // Zéphirine drives from home to work; Octave rides with her. She rides with Octave too.
  const trip = (driver: number, a: [number, number], b: [number, number], label: string) =>
    one(`INSERT INTO trips (territory_id, driver_id, kind, weekdays, departure_min, return_min, origin, destination, origin_label, destination_label, route,
        distance_m, duration_s, return_route) VALUES ($1, $2, 'regular', '{1,2}', 470, 1020, ${pt(a)}, ${pt(b)}, $3, 'Travail', ${line(a, b)}, 9000, 700, ${line(b, a)})
      RETURNING id`, [territory, driver, label]);
  ids.zTrip = (await trip(z, Z.home, Z.work, `Chez ${Z.first}, ${Z.address}`)).id;
  ids.oTrip = (await trip(other, [1.47, 44.47], [1.49, 44.49], 'Chez Octave')).id;
  const request = (passenger: number | null, from: [number, number], label: string, createdBy: string, to: [number, number] = [1.49, 44.49]) =>
    one(`INSERT INTO requests (territory_id, passenger_id, from_point, to_point, from_label, to_label, date, time_min, time_kind, needs, note, created_by, status)
      VALUES ($1, $2, ${pt(from)}, ${pt(to)}, $3, 'Hôpital', $4, 480, 'depart', '{wheelchair}', $5, $6, 'matched') RETURNING id`,
      [territory, passenger, label, date, passenger === z ? `dialyse 3x/semaine, ${Z.phone}` : 'rien', createdBy]);
  ids.zRequest = (await request(z, Z.home, Z.address, 'token:1', Z.work)).id;
  ids.oRequest = (await request(other, [1.47, 44.47], 'Chez Octave', 'token:1')).id;
  // The partner's user asked from the market square; the pickup on Zéphirine's route is her stop.
  ids.partnerRequest = (await request(null, [1.431, 44.431], 'Place du marché', 'interop:maas.example.net')).id;
  // Zéphirine as passenger (declaration sent), as driver (declaration still queued), and a partner booking on her trip.
  ids.zRides = await match(Number(ids.zRequest), Number(ids.oTrip), date);
  ids.zDrives = await match(Number(ids.oRequest), Number(ids.zTrip), date);
  ids.booked = await match(Number(ids.partnerRequest), Number(ids.zTrip), '2026-09-14');
  await db.query(`UPDATE rpc_journeys SET status = 'pending' WHERE match_id = $1`, [ids.zDrives]);
  const journeyId = (await one('SELECT operator_journey_id FROM rpc_journeys WHERE match_id = $1', [ids.zRides])).operator_journey_id;
  const built = await buildJourney(db, srv.booted.services.router, Number(ids.zRides), journeyId, { operatorClass: 'A', timeZone: 'Europe/Paris' });
  if ('error' in built) throw new Error(built.error);
  await db.query(`UPDATE rpc_journeys SET status = 'sent', payload = $2, answer = $3, sent_at = now() WHERE match_id = $1`,
    [ids.zRides, JSON.stringify(built), JSON.stringify({ result: { data: { operator_journey_id: built.operator_journey_id } } })]);
  await db.query(`UPDATE rpc_journeys SET status = 'invalid', payload = $2, last_error = $3 WHERE match_id = $1`,
    [ids.booked, JSON.stringify(built), `person ${z}: no phone number usable as E.164 (${Z.phone})`]);

  const bookingId = crypto.randomUUID();
  ids.booking = bookingId;
  await db.query(`INSERT INTO interop_bookings (id, operator, territory_id, match_id, request_id, passenger_ref, pickup_address, drop_address, last_message)
    VALUES ($1, 'maas.example.net', $2, $3, $4, $5, $6, 'Hôpital', $7)`,
    [bookingId, territory, ids.booked, ids.partnerRequest, JSON.stringify({ user: { id: 'u-42', operator: 'maas.example.net', alias: 'Camille' } }),
     `devant chez ${Z.first} ${Z.last}`, `${Z.first} a appelé du ${Z.phone}`]);
  const message = (personId: number | null, ref: string, body: string) =>
    db.query(`INSERT INTO interop_messages (territory_id, operator, sender, recipient_type, recipient_ref, recipient_person_id, trip_id, booking_id, body)
      VALUES ($1, 'maas.example.net', $2, 'DRIVER', $3, $4, $5, $6, $7)`,
      [territory, JSON.stringify({ id: 'u-42', operator: 'maas.example.net', alias: 'Camille', firstName: 'Camille', lastName: 'Partenaire' }), ref, personId,
       ids.zTrip, bookingId, body]);
  await message(z, `driver-${z}`, `Bonjour ${Z.first} ${Z.last}, je suis au ${Z.address}, mon numéro : ${Z.phone}`);
  await message(null, `driver-${z}`, `Merci ${Z.first} !`);

  const account = (await one(`INSERT INTO citizen_accounts (fc_sub, person_id) VALUES ('fc-zephirine-0001', $1) RETURNING id`, [z])).id;
  await db.query(`INSERT INTO citizen_sessions (token_hash, account_id, id_token, expires_at) VALUES ('h-zephirine', $1, $2, now() + interval '1 hour')`,
    [account, `eyJ.${Buffer.from(JSON.stringify({ given_name: Z.first, family_name: Z.last })).toString('base64url')}.sig`]);
  for (const kind of ['data_processing', 'direct_contact', 'partner_apps']) {
    await db.query(`INSERT INTO consents (person_id, kind, granted, text_version, source) VALUES ($1, $2, true, 'v1', 'appel')`, [z, kind]);
  }
  await db.query(`INSERT INTO audit_log (actor, actor_role, territory_id, action, subject_type, subject_id, fields, reason)
    VALUES ('token:1', 'coordinator', $1, 'read_personal', 'person', $2, '{phone}', $3)`, [territory, z, `rappel de ${Z.first} ${Z.last}`]);
  const msg = (await one('SELECT id FROM interop_messages WHERE recipient_person_id = $1', [z])).id;
  await db.query(`INSERT INTO audit_log (actor, actor_role, territory_id, action, subject_type, subject_id, fields, reason)
    VALUES ('token:1', 'coordinator', $1, 'read_personal', 'interop_message', $2, '{message}', $3)`, [territory, msg, `message pour ${Z.first}`]);
});
afterAll(async () => srv?.close());

/** Every column of the migrated database, as information_schema lists them (base tables, partitions included). */
async function databaseColumns(): Promise<{ schema: string; table: string; column: string; type: string }[]> {
  const { rows } = await db.query<{ schema: string; table: string; column: string; type: string }>(
    `SELECT c.table_schema AS schema, c.table_name AS table, c.column_name AS column, c.udt_name AS type
     FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2, c.ordinal_position`,
  );
  return rows;
}
const qualified = (schema: string, table: string) => (schema === 'public' ? table : `${schema}.${table}`);

describe('inventory of personal data', () => {
  it('classifies every column of the database, and only columns that exist', async () => {
    const cols = await databaseColumns();
    const inv = new Map(INVENTORY.map((t) => [t.table, t]));
    const unclassified = cols
      .filter((c) => !(c.schema in NON_PERSONAL_SCHEMAS))
      .filter((c) => {
        const t = inv.get(qualified(c.schema, c.table));
        return !t || !(c.column in t.personal || t.nonPersonal.includes(c.column));
      })
      .map((c) => `${qualified(c.schema, c.table)}.${c.column}`);
    expect(unclassified, 'columns to classify in services/src/privacy/inventory.ts').toEqual([]);
    const present = new Set(cols.map((c) => `${qualified(c.schema, c.table)}.${c.column}`));
    const stale = INVENTORY.flatMap((t) => [...Object.keys(t.personal), ...t.nonPersonal].map((c) => `${t.table}.${c}`)).filter((c) => !present.has(c));
    expect(stale, 'inventory entries without a column').toEqual([]);
    for (const t of INVENTORY) {
      expect(Object.keys(t.personal).filter((c) => t.nonPersonal.includes(c)), `${t.table}: both personal and not`).toEqual([]);
      // A table holding a citizen's data is found by the erasure and the export, or its retention says how it goes.
      const citizen = Object.values(t.personal).some((c) => c.of === 'citizen');
      if (citizen && !t.about) expect(t.stale, `${t.table}: citizen data neither about a person nor stale`).toBeDefined();
      expect(() => plan(t, 'erase')).not.toThrow();
      expect(() => plan(t, 'retention')).not.toThrow();
      // A column retention treats by itself needs the rows the job finds.
      const own = Object.values(t.personal).some((c) => typeof c.retention === 'object' || c.retention === 'delete row');
      const acts = Object.values(t.personal).some((c) => (typeof c.retention === 'object' && 'set' in c.retention) || c.retention === 'delete row');
      if (own && acts) expect(t.stale, `${t.table}: retention acts without stale rows`).toBeDefined();
      if (Object.values(t.personal).some((c) => c.export === true)) expect(t.about && t.exportAs, `${t.table}: exported but not found`).toBeTruthy();
    }
  });
});

/** The strings that would betray Zéphirine, in any form the product writes them. */
function needles(z: number): string[] {
  const id = rpcIdentity({ personId: z, phone: Z.phone, lastName: Z.last }) as { identity_key: string; phone_trunc: string };
  return [Z.first, Z.last, Z.last.toUpperCase(), Z.phone, Z.email, Z.address, '12 chemin des Oubliettes', '0612345678', '612345678', '6 12 34 56', id.phone_trunc,
    id.identity_key, 'fc-zephirine', `person-${z}`, `driver-${z}`, `passenger-${z}`,
    ...[...Z.home, ...Z.work, ...Z.stop].map((v) => v.toFixed(4))];
}

/** Every text, JSON and array value of every table, searched for each needle (spaces removed too). */
async function traces(z: number): Promise<string[]> {
  // spatial_ref_sys: PostGIS's 8 500 projection texts, full of decimals.
  const cols = (await databaseColumns()).filter((c) => !(c.schema in NON_PERSONAL_SCHEMAS) && c.table !== 'spatial_ref_sys' && ['text', 'varchar', 'jsonb', 'json', '_text'].includes(c.type));
  const found: string[] = [];
  for (const c of cols) {
    const { rows } = await db.query<{ v: string }>(`SELECT "${c.column}"::text AS v FROM ${c.schema}."${c.table}" WHERE "${c.column}" IS NOT NULL`);
    for (const { v } of rows) {
      for (const n of needles(z)) {
        if (v.includes(n) || v.replace(/[\s.]/g, '').includes(n.replace(/[\s.]/g, '').length >= 8 ? n.replace(/[\s.]/g, '') : n)) {
          found.push(`${c.table}.${c.column} holds "${n}"`);
        }
      }
    }
  }
  return [...new Set(found)];
}

/** Geometry columns still holding one of her exact points (a vertex within a metre). */
async function exactPoints(): Promise<string[]> {
  const cols = (await databaseColumns()).filter((c) => !(c.schema in NON_PERSONAL_SCHEMAS) && c.type === 'geometry');
  const found: string[] = [];
  for (const c of cols) {
    for (const p of [Z.home, Z.work, Z.stop]) {
      // Vertices, not shapes: a commune contains her home without holding it.
      const { rows } = await db.query(`SELECT 1 FROM ${c.schema}."${c.table}" t, ST_DumpPoints(t."${c.column}") d
        WHERE ST_DWithin(d.geom, ${pt(p)}, 0.00001) LIMIT 1`);
      if (rows.length) found.push(`${c.table}.${c.column} at ${p}`);
    }
  }
  return found;
}

describe('erasure of a fully populated person', () => {
  it('exports everything held about her first: messages, bookings, declarations, consents included', async () => {
    const r = await srv.api('GET', `/api/people/${ids.z}/export`);
    expect(r.status).toBe(200);
    expect(r.body.identity.email).toBe(Z.email);
    expect(r.body.franceConnect.fc_sub).toBe('fc-zephirine-0001');
    expect(r.body.trips).toHaveLength(1);
    expect(r.body.requests).toHaveLength(1);
    expect(r.body.matches.map((m: any) => m.id).sort()).toEqual([ids.zRides, ids.zDrives, ids.booked].sort());
    expect(r.body.matchEvents).toHaveLength(3);
    expect(r.body.partnerMessages.map((m: any) => m.body)).toContain(`Merci ${Z.first} !`);
    expect(r.body.partnerBookings[0].last_message).toContain(Z.phone);
    expect(r.body.registryDeclarations.map((d: any) => d.status).sort()).toEqual(['invalid', 'pending', 'sent']);
    expect(r.body.consents.map((c: any) => c.kind)).toContain('partner_apps');
    expect(r.body.accessLog.map((a: any) => a.reason)).toContain(`message pour ${Z.first}`);
    expect(r.body.sessions[0]).not.toHaveProperty('id_token');
  });

  it('leaves no trace of her name, phone, e-mail, address or places in any table', async () => {
    const z = Number(ids.z);
    expect((await traces(z)).length).toBeGreaterThan(10); // the search finds what is there
    const declared = await one(`SELECT payload FROM rpc_journeys WHERE match_id = $1`, [ids.zRides]);
    const res = await srv.api('POST', `/api/people/${z}/erase`);
    expect(res.status).toBe(200);
    expect(await traces(z)).toEqual([]);
    expect(await exactPoints()).toEqual([]);

    // The registry's rules: what was sent stays sent (scrubbed here), what was queued is never sent.
    const rpc = (await db.query<any>('SELECT match_id, status, payload, operator_journey_id FROM rpc_journeys ORDER BY match_id')).rows;
    const sent = rpc.find((r) => r.match_id === ids.zRides);
    expect(sent.status).toBe('sent');
    expect(sent.operator_journey_id).toBe(declared.payload.operator_journey_id);
    expect(sent.payload.driver).toEqual({ revenue: 0 });
    expect(sent.payload.start.lat).toBe(Math.trunc(declared.payload.start.lat * 100) / 100);
    expect(sent.payload.distance).toBe(declared.payload.distance);
    expect(rpc.find((r) => r.match_id === ids.zDrives).status).toBe('cancelled');
    // Messages stay countable per operator, without text or recipient.
    const msgs = (await db.query<any>('SELECT operator, body, sender, recipient_person_id FROM interop_messages')).rows;
    expect(msgs).toHaveLength(2);
    for (const m of msgs) expect(m).toEqual({ operator: 'maas.example.net', body: null, sender: { operator: 'maas.example.net' }, recipient_person_id: null });
    // Her home as a named place went with her; the hospital stays.
    expect((await db.query<any>('SELECT name FROM places ORDER BY id')).rows).toEqual([{ name: 'Centre hospitalier' }]);
    // The other person keeps everything.
    expect((await one('SELECT first_name FROM person_identities WHERE person_id = $1', [ids.other])).first_name).toBe('Octave');
    // The statistics keep their inputs: the shared distances and the statuses.
    const shared = (await db.query<any>('SELECT shared_m, status FROM matches WHERE id = ANY($1)', [[ids.zRides, ids.zDrives]])).rows;
    for (const m of shared) expect(m).toMatchObject({ status: 'done', shared_m: expect.any(Number) });
    // Asking the exporter again finds nothing personal either.
    const after = await srv.api('GET', `/api/people/${z}/export`);
    expect(after.body.identity).toBeNull();
    expect(JSON.stringify(after.body)).not.toContain(Z.phone);
  });
});

describe('places made less exact as the registry does', () => {
  it('truncates towards zero: 2 decimals in a sparse commune or outside any, 3 in a dense one', async () => {
    await db.query(`INSERT INTO communes (insee, name, territory_id, population, geom, centroid) VALUES ('99047', 'Dense', $1, 5000,
      ST_Multi(ST_MakeEnvelope(1.60, 44.60, 1.61, 44.61, 4326)), ST_SetSRID(ST_MakePoint(1.605, 44.605), 4326))`, [territory]);
    const got = await coarsenPoints(db, [{ lng: 1.419999, lat: 44.415 }, { lng: 1.606789, lat: 44.601234 }, { lng: -1.23456, lat: 43.99999 }]);
    expect(got).toEqual([{ lng: 1.41, lat: 44.41 }, { lng: 1.606, lat: 44.601 }, { lng: -1.23, lat: 43.99 }]);
  });
});

describe('retention of what partner apps and the registry left', () => {
  it('scrubs old messages, bookings and declarations, and changes nothing on a second run', async () => {
    const other = Number(ids.other);
    const old = `now() - interval '30 months'`;
    await db.query(`INSERT INTO interop_messages (territory_id, operator, sender, recipient_type, recipient_ref, recipient_person_id, body, created_at)
      VALUES ($1, 'maas.example.net', '{"operator":"maas.example.net","firstName":"Camille"}', 'DRIVER', $2, $3, 'Octave, au 07 98 76 54 32 ?', ${old})`,
      [territory, `driver-${other}`, other]);
    const bid = crypto.randomUUID();
    const m = (await one(`INSERT INTO matches (territory_id, request_id, trip_id, leg, date, pickup, dropoff, pickup_min, dropoff_min, detour_m, detour_s, score, status, note)
      VALUES ($1, $2, $3, 'return', '2024-01-10', ${pt([1.47, 44.47])}, ${pt([1.49, 44.49])}, 480, 500, 1, 1, 1, 'done', 'Octave au 07 98 76 54 32') RETURNING id`,
      [territory, ids.oRequest, ids.zTrip])).id;
    await db.query(`INSERT INTO interop_bookings (id, operator, territory_id, match_id, request_id, passenger_ref, pickup_address, last_message, updated_at)
      VALUES ($1, 'maas.example.net', $2, $3, $4, '{"user":{"id":"u-7","operator":"maas.example.net","alias":"Camille"}}', 'rue Octave', 'Octave ok', ${old})`,
      [bid, territory, m, ids.oRequest]);
    await db.query(`UPDATE rpc_journeys SET status = 'sent', updated_at = ${old},
      payload = '{"start":{"lat":44.471234,"lon":1.471234},"end":{"lat":44.48,"lon":1.48},"driver":{"identity":{"phone_trunc":"+337987654"}}}' WHERE match_id = $1`, [m]);
    await db.query(`UPDATE requests SET updated_at = ${old}, date = '2024-01-10' WHERE id = $1`, [ids.oRequest]);
    await db.query(`UPDATE audit_log SET at = ${old}`);

    const r = await runRetention(db, 24);
    expect(r.ran).toBe(true);
    const msg = await one(`SELECT body, sender, recipient_ref FROM interop_messages WHERE created_at < now() - interval '2 years'`);
    expect(msg).toEqual({ body: null, sender: { operator: 'maas.example.net' }, recipient_ref: 'erased' });
    expect(await one('SELECT pickup_address, last_message, passenger_ref FROM interop_bookings WHERE id = $1', [bid]))
      .toEqual({ pickup_address: null, last_message: null, passenger_ref: { user: { id: 'u-7', operator: 'maas.example.net', alias: 'Passager' } } });
    const rpc = await one('SELECT status, payload FROM rpc_journeys WHERE match_id = $1', [m]);
    expect(rpc.status).toBe('sent');
    expect(rpc.payload).toEqual({ start: { lat: 44.47, lon: 1.47 }, end: { lat: 44.48, lon: 1.48 }, driver: {} });
    expect(await one('SELECT note, ST_X(pickup) AS x FROM matches WHERE id = $1', [m])).toEqual({ note: null, x: 1.45 });
    expect((await one(`SELECT count(*)::int AS n FROM audit_log WHERE reason IS NOT NULL`)).n).toBe(0);
    const again = await runRetention(db, 24);
    expect(Object.values(again.rows).reduce((a, b) => a + b, 0)).toBe(0);
  });
});
