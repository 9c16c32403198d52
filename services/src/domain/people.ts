import { auditPersonalRead, PERSONAL_FIELDS } from '../audit/audit.ts';
import { drawIds } from './ids.ts';
import type { Principal } from '../auth/principal.ts';
import type { Queryable } from '@comobi/db';
import { coarsePoint } from '../geo/coarse.ts';
import { pointCols, pointSql, readPoint, type LngLatPoint } from '../geo/sql.ts';
import { badRequest, conflict, notFound } from '../http/errors.ts';
import { filterBy, type ListSpec, type Where } from '../http/simple-rest.ts';
import { consentSql, hasConsented, recordConsent } from '../privacy/consents.ts';
import {
  MESSAGING_COLUMNS,
  MESSAGING_JOIN,
  messagingInputOf,
  messagingOfColumns,
  writeMessaging,
  type Messaging,
  type MessagingColumns,
  type MessagingInput,
} from './messages.ts';
import type { Scope, Visibility } from './scope.ts';
import { inScope } from './scope.ts';

/** Needs a driver's car must meet; the same list for people and requests. */
export const NEEDS = [
  'wheelchair',
  'reduced_mobility',
  'visual',
  'hearing',
  'assistance_dog',
  'child_seat',
  'luggage',
] as const;
export type Need = (typeof NEEDS)[number];

/** Phone numbers compared digit by digit, in the national form (the console types "06 12 …", partners "+336…"). */
export const normalizePhone = (v: string) => v.replace(/[ .-]/g, '').replace(/^\+33/, '0');
const PHONE_DIGITS_SQL = (col: string) => `replace(replace(replace(${col}, ' ', ''), '.', ''), '-', '')`;

export interface PersonRow extends MessagingColumns {
  id: number;
  territory_id: number;
  is_driver: boolean;
  is_passenger: boolean;
  commune_insee: string | null;
  home_lng: number | null;
  home_lat: number | null;
  direct_contact_consent: boolean;
  direct_contact_consent_at: Date | null;
  needs: Need[];
  anonymized_at: Date | null;
  created_at: Date;
  updated_at: Date;
  partner_apps_consent: boolean;
  commune_name: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
  birthdate: string | null;
}

export interface PersonIdentity {
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
  birthdate: string | null;
}

export interface Person extends Partial<PersonIdentity> {
  id: number;
  territoryId: number;
  isDriver: boolean;
  isPassenger: boolean;
  communeInsee: string | null;
  communeName: string | null;
  home: LngLatPoint | null;
  directContactConsent: boolean;
  directContactConsentAt: Date | null;
  /** Shown with exact places to partner carpool apps (the interoperability API); else coarse places. */
  partnerAppsConsent: boolean;
  needs: Need[];
  anonymized: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** How messages reach the person (channel, consent, quiet hours, relay); null: the defaults. */
  messaging?: Messaging | null;
}

/** What a coordinator writes about a person (the API body once validated). */
export interface PersonInput extends Partial<PersonIdentity> {
  territoryId?: number;
  isDriver: boolean;
  isPassenger: boolean;
  communeInsee?: string | null;
  home?: LngLatPoint | null;
  directContactConsent: boolean;
  /** Absent: unchanged (a consent is recorded only when it is given or withdrawn). */
  partnerAppsConsent?: boolean;
  needs: Need[];
  messaging?: MessagingInput;
}

const FROM = `FROM people p LEFT JOIN person_identities i ON i.person_id = p.id LEFT JOIN communes c ON c.insee = p.commune_insee`;
const SELECT = `SELECT p.id, p.territory_id, p.is_driver, p.is_passenger, p.commune_insee, ${pointCols('p.home', 'home')},
  p.direct_contact_consent, p.direct_contact_consent_at, p.needs, p.anonymized_at, p.created_at, p.updated_at,
  ${consentSql('partner_apps', 'p.id')} AS partner_apps_consent, c.name AS commune_name, i.first_name, i.last_name, i.phone,
  i.email, i.address, i.birthdate, ${MESSAGING_COLUMNS}
  ${FROM} ${MESSAGING_JOIN}`;

const identityOf = (r: PersonRow): PersonIdentity => ({
  firstName: r.first_name,
  lastName: r.last_name,
  phone: r.phone,
  email: r.email,
  address: r.address,
  birthdate: r.birthdate,
});

/** Personal fields (identity, exact home, needs) only for readers who handle people; others get the commune. */
export function presentPerson(r: PersonRow, v: Visibility): Person {
  const personal = v === 'personal';
  return {
    id: r.id,
    territoryId: r.territory_id,
    isDriver: r.is_driver,
    isPassenger: r.is_passenger,
    communeInsee: r.commune_insee,
    communeName: r.commune_name,
    home: personal ? readPoint(r, 'home') : coarsePoint(readPoint(r, 'home')),
    directContactConsent: r.direct_contact_consent,
    directContactConsentAt: r.direct_contact_consent_at,
    partnerAppsConsent: r.partner_apps_consent,
    needs: personal ? r.needs : [],
    anonymized: r.anonymized_at !== null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...(personal
      ? {
          ...identityOf(r),
          messaging: messagingOfColumns(r),
        }
      : {}),
  };
}

/** The list of people as react-admin asks for it. */
export const peopleList: ListSpec = {
  select: SELECT,
  count: `SELECT count(*)::int AS n ${FROM}`,
  territoryColumn: 'p.territory_id',
  sortable: {
    id: 'p.id',
    createdAt: 'p.created_at',
    lastName: 'i.last_name',
    firstName: 'i.first_name',
    communeInsee: 'p.commune_insee',
  },
  filters: {
    territoryId: filterBy.int('p.territory_id', 'territoryId'),
    isDriver: filterBy.bool('p.is_driver', 'isDriver'),
    isPassenger: filterBy.bool('p.is_passenger', 'isPassenger'),
    communeInsee: (w: Where, v: unknown) => {
      const vals = Array.isArray(v) ? v : [v];
      if (!vals.every((x) => typeof x === 'string')) throw badRequest('filter.communeInsee', 'must be INSEE codes');
      w.add((ph) => `p.commune_insee = ANY(${ph}::text[])`, vals);
    },
    q: (w: Where, v: unknown) => {
      if (typeof v !== 'string') throw badRequest('filter.q', 'must be text');
      const like = w.param(`%${v.replace(/[%_\\]/g, (c) => `\\${c}`)}%`);
      const digits = w.param(normalizePhone(v));
      w.raw(`(i.first_name ILIKE ${like} OR i.last_name ILIKE ${like} OR (i.first_name || ' ' || i.last_name) ILIKE ${like}
              OR (length(${digits}) >= 4 AND ${PHONE_DIGITS_SQL('i.phone')} LIKE '%' || ${digits} || '%'))`);
    },
    phone: (w: Where, v: unknown) => {
      if (typeof v !== 'string') throw badRequest('filter.phone', 'must be text');
      w.add((ph) => `${PHONE_DIGITS_SQL('i.phone')} = ${ph}`, normalizePhone(v));
    },
  },
  /** Searching by name or phone is reading personal data. */
  personalFilters: ['q', 'phone'],
};

/** Personal fields shown to a reader are recorded, one audit row per person: who, when, whom, why. */
export async function auditPeopleRead(
  tx: Queryable,
  reader: Principal,
  rows: { id: number; territory_id: number }[],
  reason: string | null,
) {
  await auditPersonalRead(
    tx,
    reader,
    rows.map((r) => ({ id: r.id, territoryId: r.territory_id })),
    PERSONAL_FIELDS,
    reason,
  );
}

export async function loadPerson(tx: Queryable, scope: Scope, id: number): Promise<PersonRow> {
  const { rows } = await tx.query<PersonRow>(`${SELECT} WHERE p.id = $1`, [id]);
  const row = rows[0];
  if (!row || !inScope(scope, row.territory_id)) throw notFound('person', id);
  return row;
}

/** Another person of the territory with this phone number (no duplicates: the console offers the existing one). */
export async function personWithPhone(tx: Queryable, territoryId: number, phone: string): Promise<number | null> {
  const { rows } = await tx.query<{ id: number }>(
    `SELECT p.id FROM people p JOIN person_identities i ON i.person_id = p.id
     WHERE p.territory_id = $1 AND ${PHONE_DIGITS_SQL('i.phone')} = $2 ORDER BY p.id LIMIT 1`,
    [territoryId, normalizePhone(phone)],
  );
  return rows[0]?.id ?? null;
}

async function writeIdentity(tx: Queryable, personId: number, b: Partial<PersonIdentity>) {
  await tx.query(
    `INSERT INTO person_identities (person_id, first_name, last_name, phone, email, address, birthdate)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (person_id) DO UPDATE SET first_name = $2, last_name = $3, phone = $4, email = $5, address = $6, birthdate = $7`,
    [
      personId,
      b.firstName ?? null,
      b.lastName ?? null,
      b.phone ?? null,
      b.email ?? null,
      b.address ?? null,
      b.birthdate ?? null,
    ],
  );
}

/** $2…$8 of the people insert and update, in the same order. */
const personParams = (b: PersonInput) => [
  b.isDriver,
  b.isPassenger,
  b.communeInsee ?? null,
  b.home?.lng ?? null,
  b.home?.lat ?? null,
  b.directContactConsent,
  b.needs,
];

/** A new person, unless one of the territory has this phone already: then its id, and nothing is written. */
export async function createPerson(
  tx: Queryable,
  territoryId: number,
  b: PersonInput,
  source = 'api',
): Promise<{ id: number } | { existingId: number }> {
  return (await createPeople(tx, territoryId, [b], source))[0];
}

/**
 * The one writer of new people, for one or many (the demo, a territory's import): ids are drawn first so that each
 * input gets its own, whatever order the database inserts in. A phone already known in the territory (or earlier
 * in the same batch) gives that person's id instead, and nothing is written for it.
 */
export async function createPeople(
  tx: Queryable,
  territoryId: number,
  inputs: PersonInput[],
  source = 'api',
): Promise<({ id: number } | { existingId: number })[]> {
  if (!inputs.length) return [];
  const phones = inputs.map((b) => (b.phone ? normalizePhone(b.phone) : null));
  const known = new Map<string, number>();
  const wanted = phones.filter((x): x is string => x !== null);
  if (wanted.length) {
    const { rows } = await tx.query<{ id: number; digits: string }>(
      `SELECT min(p.id) AS id, ${PHONE_DIGITS_SQL('i.phone')} AS digits FROM people p
       JOIN person_identities i ON i.person_id = p.id
       WHERE p.territory_id = $1 AND ${PHONE_DIGITS_SQL('i.phone')} = ANY($2::text[]) GROUP BY 2`,
      [territoryId, wanted],
    );
    for (const r of rows) known.set(r.digits, r.id);
  }
  // The first input with a phone not yet known is written; later ones with the same phone point to it.
  const firstOf = new Map<string, number>();
  const fresh = inputs.flatMap((_, i) => {
    const d = phones[i];
    if (d === null) return [i];
    if (known.has(d) || firstOf.has(d)) return [];
    firstOf.set(d, i);
    return [i];
  });
  const ids = await drawIds(tx, 'people', fresh.length);
  const idOfInput = new Map(fresh.map((i, k) => [i, ids[k]]));
  const out = inputs.map((_, i): { id: number } | { existingId: number } => {
    const own = idOfInput.get(i);
    if (own !== undefined) return { id: own };
    const d = phones[i]!;
    return { existingId: known.get(d) ?? idOfInput.get(firstOf.get(d)!)! };
  });
  const rows = fresh.map((i) => ({ id: idOfInput.get(i)!, ...inputs[i], home: inputs[i].home ?? null }));
  await tx.query(
    `INSERT INTO people (id, territory_id, is_driver, is_passenger, commune_insee, home, direct_contact_consent,
       direct_contact_consent_at, needs)
     SELECT x.id, $1, x."isDriver", x."isPassenger", x."communeInsee",
       CASE WHEN x.home IS NULL THEN NULL ELSE ${pointSql("(x.home->>'lng')::float8", "(x.home->>'lat')::float8")} END,
       x."directContactConsent", CASE WHEN x."directContactConsent" THEN now() END, x.needs
     FROM jsonb_to_recordset($2::jsonb) AS x(id int, "isDriver" bool, "isPassenger" bool, "communeInsee" text,
       home jsonb, "directContactConsent" bool, needs text[])`,
    [territoryId, JSON.stringify(rows)],
  );
  await tx.query(
    `INSERT INTO person_identities (person_id, first_name, last_name, phone, email, address, birthdate)
     SELECT x.id, x."firstName", x."lastName", x.phone, x.email, x.address, x.birthdate::date
     FROM jsonb_to_recordset($1::jsonb) AS x(id int, "firstName" text, "lastName" text, phone text, email text,
       address text, birthdate text)`,
    [JSON.stringify(rows)],
  );
  for (const r of rows) if (r.partnerAppsConsent) await recordConsent(tx, r.id, 'partner_apps', true, source);
  for (const r of rows) if (r.messaging) await writeMessaging(tx, r.id, r.messaging, 'console');
  return out;
}

/** The input a person has now: the base of a partial update (PUT sends only what changes). */
export function inputOf(r: PersonRow): PersonInput {
  return {
    territoryId: r.territory_id,
    isDriver: r.is_driver,
    isPassenger: r.is_passenger,
    communeInsee: r.commune_insee,
    home: readPoint(r, 'home'),
    directContactConsent: r.direct_contact_consent,
    needs: r.needs,
    ...identityOf(r),
    messaging: messagingInputOf(messagingOfColumns(r)),
  };
}

/** `source` says who recorded a consent change (e.g. "api:user:5"). */
export async function updatePerson(tx: Queryable, id: number, b: PersonInput, source = 'api'): Promise<void> {
  await tx.query(
    `UPDATE people SET is_driver = $2, is_passenger = $3, commune_insee = $4,
       home = CASE WHEN $5::float8 IS NULL THEN NULL ELSE ${pointSql('$5', '$6')} END,
       direct_contact_consent = $7,
       direct_contact_consent_at = CASE WHEN $7 AND NOT direct_contact_consent THEN now()
                                        WHEN NOT $7 THEN NULL ELSE direct_contact_consent_at END,
       needs = $8, updated_at = now() WHERE id = $1`,
    [id, ...personParams(b)],
  );
  await writeIdentity(tx, id, b);
  if (b.partnerAppsConsent !== undefined && b.partnerAppsConsent !== (await hasConsented(tx, 'partner_apps', id)))
    await recordConsent(tx, id, 'partner_apps', b.partnerAppsConsent, source);
  if (b.messaging) await writeMessaging(tx, id, b.messaging, 'console');
}

/**
 * Only a person nothing refers to can be deleted: one with trips, requests or history is erased instead (the
 * statistics keep the anonymous rows).
 */
export async function deletePerson(tx: Queryable, scope: Scope, id: number): Promise<PersonRow> {
  const row = await loadPerson(tx, scope, id);
  const { rows } = await tx.query<{ trips: number; requests: number }>(
    `SELECT (SELECT count(*)::int FROM trips WHERE driver_id = $1) AS trips,
            (SELECT count(*)::int FROM requests WHERE passenger_id = $1) AS requests`,
    [id],
  );
  const { trips, requests } = rows[0];
  if (trips || requests) {
    throw conflict(
      `this person still has ${trips} trip(s) and ${requests} request(s): deactivate the trips or erase the person instead`,
      'id',
    );
  }
  await tx.query('DELETE FROM people WHERE id = $1', [id]);
  return row;
}

// ---- People who come through the public pages and FranceConnect

export interface FormIdentity {
  firstName: string;
  lastName: string | null;
  phone: string;
  email: string | null;
}

/**
 * The person behind a public form: the logged-in citizen's record (their role and consent updated), or a new
 * person (the coordination merges duplicates). The data-processing consent is recorded with the form's source.
 */
export async function personOfForm(
  tx: Queryable,
  territoryId: number,
  citizenPersonId: number | null,
  who: FormIdentity | null,
  role: { driver: boolean; direct: boolean },
  source: string,
): Promise<number> {
  let id: number;
  if (citizenPersonId !== null) {
    await tx.query(
      `UPDATE people SET is_driver = is_driver OR $2, is_passenger = is_passenger OR NOT $2,
         direct_contact_consent = CASE WHEN $2 THEN $3 ELSE direct_contact_consent END,
         direct_contact_consent_at = CASE WHEN $2 AND $3 AND NOT direct_contact_consent THEN now()
                                          WHEN $2 AND NOT $3 THEN NULL ELSE direct_contact_consent_at END,
         updated_at = now() WHERE id = $1`,
      [citizenPersonId, role.driver, role.direct],
    );
    id = citizenPersonId;
  } else {
    const { rows } = await tx.query<{ id: number }>(
      `INSERT INTO people (territory_id, is_driver, is_passenger, direct_contact_consent, direct_contact_consent_at)
       VALUES ($1, $2, NOT $2, $3, CASE WHEN $3 THEN now() END) RETURNING id`,
      [territoryId, role.driver, role.direct],
    );
    id = rows[0].id;
    await tx.query(
      'INSERT INTO person_identities (person_id, first_name, last_name, phone, email) VALUES ($1, $2, $3, $4, $5)',
      [id, who!.firstName, who!.lastName, who!.phone, who!.email],
    );
  }
  await recordConsent(tx, id, 'data_processing', true, source);
  if (role.driver) await recordConsent(tx, id, 'direct_contact', role.direct, source);
  return id;
}

export interface FranceConnectIdentity {
  sub: string;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  birthdate: string | null;
}

/**
 * A FranceConnect login: the citizen account (made on first login, with a person record in the chosen territory)
 * and the identity FranceConnect vouches for (names and birthdate are authoritative; an e-mail typed by the
 * person stays). `territoryId` is only read on a first login; null there is a 400.
 */
export async function citizenOfFranceConnect(
  tx: Queryable,
  who: FranceConnectIdentity,
  territoryId: () => number | null,
): Promise<{ accountId: number; hasPhone: boolean }> {
  await tx.query('INSERT INTO citizen_accounts (fc_sub) VALUES ($1) ON CONFLICT (fc_sub) DO NOTHING', [who.sub]);
  const { rows } = await tx.query<{ id: number; person_id: number | null }>(
    'SELECT id, person_id FROM citizen_accounts WHERE fc_sub = $1 FOR UPDATE',
    [who.sub],
  );
  const acc = rows[0];
  let personId = acc.person_id;
  if (personId === null) {
    // First login: the person record is created now; the phone is asked next (FranceConnect has no phone scope).
    const t = territoryId();
    if (t === null) throw badRequest('territoire', 'choose a territory before logging in');
    const p = await tx.query<{ id: number }>(
      'INSERT INTO people (territory_id, is_passenger) VALUES ($1, true) RETURNING id',
      [t],
    );
    personId = p.rows[0].id;
    await tx.query(
      'INSERT INTO person_identities (person_id, first_name, last_name, email, birthdate) VALUES ($1, $2, $3, $4, $5)',
      [personId, who.givenName, who.familyName, who.email, who.birthdate],
    );
    await tx.query('UPDATE citizen_accounts SET person_id = $2 WHERE id = $1', [acc.id, personId]);
  } else {
    await tx.query(
      `UPDATE person_identities SET first_name = COALESCE($2, first_name), last_name = COALESCE($3, last_name),
       birthdate = COALESCE($4, birthdate), email = COALESCE(email, $5) WHERE person_id = $1`,
      [personId, who.givenName, who.familyName, who.birthdate, who.email],
    );
  }
  await tx.query('UPDATE citizen_accounts SET last_login_at = now() WHERE id = $1', [acc.id]);
  const phone = await tx.query<{ phone: string | null }>('SELECT phone FROM person_identities WHERE person_id = $1', [
    personId,
  ]);
  return { accountId: acc.id, hasPhone: Boolean(phone.rows[0]?.phone) };
}

/** A citizen gives their phone number (FranceConnect has none), with the consent of the account page. */
export async function setCitizenPhone(tx: Queryable, personId: number, phone: string) {
  await tx.query('UPDATE person_identities SET phone = $2 WHERE person_id = $1', [personId, phone]);
  await recordConsent(tx, personId, 'data_processing', true, 'franceconnect_compte');
}

/** First names of drivers, for the public answer (only those who agreed to direct contact are asked for). */
export async function firstNames(tx: Queryable, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const { rows } = await tx.query<{ person_id: number; first_name: string | null }>(
    'SELECT person_id, first_name FROM person_identities WHERE person_id = ANY($1::int[])',
    [ids],
  );
  return new Map(rows.flatMap((r) => (r.first_name ? [[r.person_id, r.first_name] as const] : [])));
}

/** The territory a person belongs to (the citizen's pages show its name and links). */
export async function territoryIdOfPerson(tx: Queryable, id: number): Promise<number | null> {
  const { rows } = await tx.query<{ territory_id: number }>('SELECT territory_id FROM people WHERE id = $1', [id]);
  return rows[0]?.territory_id ?? null;
}

/** The checks trips' drivers pass: people of the territory (as the scope sees them), registered as drivers. */
export async function checkDrivers(tx: Queryable, scope: Scope, driverIds: number[], territoryId: number) {
  const ids = [...new Set(driverIds)];
  const { rows } = await tx.query<{ id: number; territory_id: number; is_driver: boolean }>(
    'SELECT id, territory_id, is_driver FROM people WHERE id = ANY($1::int[])',
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const id of ids) {
    const d = byId.get(id);
    if (!d || !inScope(scope, d.territory_id)) throw badRequest('driverId', `no person ${id}`);
    if (d.territory_id !== territoryId) throw badRequest('driverId', 'the driver belongs to another territory');
    if (!d.is_driver) throw badRequest('driverId', 'this person is not registered as a driver');
  }
}

/** The checks requests' passengers pass: people of the requests' territory. */
export async function checkPassengers(tx: Queryable, passengerIds: number[], territoryId: number) {
  const ids = [...new Set(passengerIds)];
  if (!ids.length) return;
  const { rows } = await tx.query<{ id: number }>(
    'SELECT id FROM people WHERE id = ANY($1::int[]) AND territory_id = $2',
    [ids, territoryId],
  );
  const found = new Set(rows.map((r) => r.id));
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined) throw badRequest('passengerId', `no person ${missing} in this territory`);
}
