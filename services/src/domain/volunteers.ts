import type { Queryable } from '@comobi/db';
import { auditPersonalRead } from '../audit/audit.ts';
import type { Principal } from '../auth/principal.ts';
import { coarsePoint } from '../geo/coarse.ts';
import { pointCols, pointSql, readPoint, type LngLatPoint } from '../geo/sql.ts';
import { badRequest, conflict, notFound } from '../http/errors.ts';
import { filterBy, type ListSpec, type Where } from '../http/simple-rest.ts';
import type { AvailabilityException, Slot } from '../matching/availability.ts';
import { PURPOSES } from '../matching/query.ts';
import { toClock, toMinutes } from '../time/clock.ts';
import type { Purpose } from './requests.ts';
import { inScope, type Scope, type Visibility } from './scope.ts';

/**
 * Volunteer drivers (transport solidaire): a person who drives on purpose, from home, when available. One row per
 * person (the resource's id is the person's), with weekly slots and dated exceptions.
 */
export interface VolunteerRow {
  person_id: number;
  territory_id: number;
  home_lng: number;
  home_lat: number;
  home_label: string | null;
  max_km: number | null;
  max_minutes: number | null;
  seats: number;
  wheelchair: boolean;
  purposes: Purpose[];
  active: boolean;
  created_at: Date;
  updated_at: Date;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  slots: { weekday: number; start_min: number; end_min: number }[];
  exceptions: {
    id: number;
    date_from: string;
    date_to: string;
    available: boolean;
    start_min: number | null;
    end_min: number | null;
    note: string | null;
  }[];
}

export interface SlotOut {
  weekday: number;
  /** HH:MM; `end` may be 24:00 (until midnight). */
  start: string;
  end: string;
}

export interface ExceptionOut {
  id: number;
  dateFrom: string;
  dateTo: string;
  available: boolean;
  start: string | null;
  end: string | null;
  note: string | null;
}

export interface Volunteer {
  /** The person's id. */
  id: number;
  personId: number;
  territoryId: number;
  home: LngLatPoint | null;
  homeLabel: string | null;
  maxKm: number | null;
  maxMinutes: number | null;
  seats: number;
  wheelchair: boolean;
  purposes: Purpose[];
  active: boolean;
  slots: SlotOut[];
  exceptions: ExceptionOut[];
  createdAt: Date;
  updatedAt: Date;
  /** Personal readers only (audited). */
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
}

export interface VolunteerInput {
  personId: number;
  home: LngLatPoint;
  homeLabel?: string | null;
  maxKm?: number | null;
  maxMinutes?: number | null;
  seats: number;
  wheelchair: boolean;
  purposes: Purpose[];
  active: boolean;
  slots: SlotOut[];
  exceptions: Omit<ExceptionOut, 'id'>[];
}

/** The fields of a volunteer that tell who and where they are: each display is audited. */
export const VOLUNTEER_PERSONAL_FIELDS = ['firstName', 'lastName', 'phone', 'home', 'homeLabel'] as const;

/** "24:00" closes a slot at midnight; any other time is a clock time. */
export const endMinutes = (hhmm: string) => (hhmm === '24:00' ? 1440 : toMinutes(hhmm));
const endClock = (min: number) => (min >= 1440 ? '24:00' : toClock(min));

const FROM = `FROM volunteers v LEFT JOIN person_identities i ON i.person_id = v.person_id`;
const SELECT = `SELECT v.person_id, v.territory_id, ${pointCols('v.home', 'home')}, v.home_label, v.max_km, v.max_minutes,
  v.seats, v.wheelchair, v.purposes, v.active, v.created_at, v.updated_at, i.first_name, i.last_name, i.phone,
  COALESCE((SELECT jsonb_agg(jsonb_build_object('weekday', s.weekday, 'start_min', s.start_min, 'end_min', s.end_min)
     ORDER BY s.weekday, s.start_min) FROM volunteer_slots s WHERE s.volunteer_id = v.person_id), '[]'::jsonb) AS slots,
  COALESCE((SELECT jsonb_agg(jsonb_build_object('id', e.id, 'date_from', e.date_from, 'date_to', e.date_to,
     'available', e.available, 'start_min', e.start_min, 'end_min', e.end_min, 'note', e.note) ORDER BY e.date_from, e.id)
     FROM volunteer_exceptions e WHERE e.volunteer_id = v.person_id), '[]'::jsonb) AS exceptions
  ${FROM}`;

/**
 * A volunteer's home and name are personal: readers who do not handle people get the home to two decimals and the
 * schedule, without names or the exceptions' notes.
 */
export function presentVolunteer(r: VolunteerRow, v: Visibility): Volunteer {
  const personal = v === 'personal';
  const home = readPoint(r, 'home');
  return {
    id: r.person_id,
    personId: r.person_id,
    territoryId: r.territory_id,
    home: personal ? home : coarsePoint(home),
    homeLabel: personal ? r.home_label : null,
    maxKm: r.max_km === null ? null : Number(r.max_km),
    maxMinutes: r.max_minutes,
    seats: r.seats,
    wheelchair: r.wheelchair,
    purposes: r.purposes,
    active: r.active,
    slots: r.slots.map((s) => ({ weekday: s.weekday, start: toClock(s.start_min), end: endClock(s.end_min) })),
    exceptions: r.exceptions.map((e) => ({
      id: e.id,
      dateFrom: e.date_from,
      dateTo: e.date_to,
      available: e.available,
      start: e.start_min === null ? null : toClock(e.start_min),
      end: e.end_min === null ? null : endClock(e.end_min),
      note: personal ? e.note : null,
    })),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...(personal ? { firstName: r.first_name, lastName: r.last_name, phone: r.phone } : {}),
  };
}

/** The input a volunteer has now: the base of a partial update. */
export function inputOfVolunteer(r: VolunteerRow): VolunteerInput {
  const p = presentVolunteer(r, 'personal');
  return {
    personId: p.personId,
    home: p.home!,
    homeLabel: p.homeLabel,
    maxKm: p.maxKm,
    maxMinutes: p.maxMinutes,
    seats: p.seats,
    wheelchair: p.wheelchair,
    purposes: p.purposes,
    active: p.active,
    slots: p.slots,
    exceptions: p.exceptions.map(({ id: _id, ...e }) => e),
  };
}

export const volunteerList: ListSpec = {
  select: SELECT,
  count: `SELECT count(*)::int AS n ${FROM}`,
  territoryColumn: 'v.territory_id',
  sortable: {
    id: 'v.person_id',
    lastName: 'i.last_name',
    createdAt: 'v.created_at',
    maxKm: 'v.max_km',
  },
  filters: {
    territoryId: filterBy.int('v.territory_id', 'territoryId'),
    active: filterBy.bool('v.active', 'active'),
    wheelchair: filterBy.bool('v.wheelchair', 'wheelchair'),
    purpose: (w: Where, v: unknown) => {
      if (typeof v !== 'string' || !(PURPOSES as readonly string[]).includes(v))
        throw badRequest('filter.purpose', `must be one of ${PURPOSES.join(', ')}`);
      w.add((ph) => `${ph} = ANY(v.purposes)`, v);
    },
    weekday: (w: Where, v: unknown) => {
      if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 7)
        throw badRequest('filter.weekday', 'weekdays are 1 (Monday) to 7 (Sunday)');
      w.add((ph) => `EXISTS (SELECT 1 FROM volunteer_slots s WHERE s.volunteer_id = v.person_id AND s.weekday = ${ph})`, v);
    },
    q: (w: Where, v: unknown) => {
      if (typeof v !== 'string') throw badRequest('filter.q', 'must be text');
      const like = w.param(`%${v.replace(/[%_\\]/g, (c) => `\\${c}`)}%`);
      w.raw(`(i.first_name ILIKE ${like} OR i.last_name ILIKE ${like} OR v.home_label ILIKE ${like})`);
    },
  },
  personalFilters: ['q'],
};

/** Names and homes shown to a reader: one audit row per volunteer (who, when, whom, why). */
export async function auditVolunteersRead(
  tx: Queryable,
  reader: Principal,
  rows: { person_id: number; territory_id: number }[],
  reason: string | null,
) {
  await auditPersonalRead(
    tx,
    reader,
    rows.map((r) => ({ id: r.person_id, territoryId: r.territory_id })),
    VOLUNTEER_PERSONAL_FIELDS,
    reason,
  );
}

export async function loadVolunteer(tx: Queryable, scope: Scope, personId: number): Promise<VolunteerRow> {
  const { rows } = await tx.query<VolunteerRow>(`${SELECT} WHERE v.person_id = $1`, [personId]);
  const row = rows[0];
  if (!row || !inScope(scope, row.territory_id)) throw notFound('volunteer', personId);
  return row;
}

/** Slots of one weekday must not overlap (a grid cell is either available or not); exceptions are checked alike. */
function checkSchedule(b: VolunteerInput) {
  const slots = b.slots.map((s, i) => ({ i, weekday: s.weekday, a: toMinutes(s.start), z: endMinutes(s.end) }));
  for (const s of slots) if (s.a >= s.z) throw badRequest(`slots.${s.i}.end`, 'the end must come after the start');
  for (const s of slots)
    for (const t of slots)
      if (t.i > s.i && t.weekday === s.weekday && s.a < t.z && t.a < s.z)
        throw badRequest(`slots.${t.i}`, `overlaps slot ${s.i} of the same weekday`);
  b.exceptions.forEach((e, i) => {
    if (e.dateFrom > e.dateTo) throw badRequest(`exceptions.${i}.dateTo`, 'is before dateFrom');
    if ((e.start === null) !== (e.end === null))
      throw badRequest(`exceptions.${i}.${e.start === null ? 'start' : 'end'}`, 'give both start and end, or neither (whole day)');
    if (e.start !== null && e.end !== null && toMinutes(e.start) >= endMinutes(e.end))
      throw badRequest(`exceptions.${i}.end`, 'the end must come after the start');
  });
  if (b.maxKm == null && b.maxMinutes == null)
    throw badRequest('maxKm', 'say how far the volunteer accepts to go: maxKm, maxMinutes or both');
}

/**
 * The one writer of volunteers, in the caller's transaction: a person of the territory becomes (or stays) a
 * volunteer driver; the slots and exceptions given replace the former ones. `creating` refuses a person who is one
 * already (409). The person is marked as a driver.
 */
export async function writeVolunteer(
  tx: Queryable,
  scope: Scope,
  b: VolunteerInput,
  creating: boolean,
): Promise<number> {
  checkSchedule(b);
  const { rows: people } = await tx.query<{ territory_id: number; volunteer: boolean }>(
    'SELECT p.territory_id, EXISTS (SELECT 1 FROM volunteers v WHERE v.person_id = p.id) AS volunteer FROM people p WHERE p.id = $1 FOR UPDATE',
    [b.personId],
  );
  const person = people[0];
  if (!person || !inScope(scope, person.territory_id)) throw badRequest('personId', `no person ${b.personId}`);
  if (creating && person.volunteer) throw conflict('this person is a volunteer driver already: change them instead', 'personId');
  if (!creating && !person.volunteer) throw notFound('volunteer', b.personId);
  const params = [
    b.personId,
    person.territory_id,
    b.home.lng,
    b.home.lat,
    b.homeLabel ?? null,
    b.maxKm ?? null,
    b.maxMinutes ?? null,
    b.seats,
    b.wheelchair,
    b.purposes,
    b.active,
  ];
  await tx.query(
    `INSERT INTO volunteers (person_id, territory_id, home, home_label, max_km, max_minutes, seats, wheelchair, purposes, active)
     VALUES ($1, $2, ${pointSql('$3', '$4')}, $5, $6, $7, $8, $9, $10::text[], $11)
     ON CONFLICT (person_id) DO UPDATE SET home = EXCLUDED.home, home_label = EXCLUDED.home_label,
       max_km = EXCLUDED.max_km, max_minutes = EXCLUDED.max_minutes, seats = EXCLUDED.seats,
       wheelchair = EXCLUDED.wheelchair, purposes = EXCLUDED.purposes, active = EXCLUDED.active, updated_at = now()`,
    params,
  );
  await tx.query('UPDATE people SET is_driver = true, updated_at = now() WHERE id = $1 AND NOT is_driver', [b.personId]);
  await tx.query('DELETE FROM volunteer_slots WHERE volunteer_id = $1', [b.personId]);
  await tx.query('DELETE FROM volunteer_exceptions WHERE volunteer_id = $1', [b.personId]);
  if (b.slots.length)
    await tx.query(
      `INSERT INTO volunteer_slots (volunteer_id, weekday, start_min, end_min)
       SELECT $1, x.weekday, x.start_min, x.end_min FROM jsonb_to_recordset($2::jsonb) AS x(weekday int, start_min int, end_min int)`,
      [b.personId, JSON.stringify(b.slots.map((s) => ({ weekday: s.weekday, start_min: toMinutes(s.start), end_min: endMinutes(s.end) })))],
    );
  if (b.exceptions.length)
    await tx.query(
      `INSERT INTO volunteer_exceptions (volunteer_id, date_from, date_to, available, start_min, end_min, note)
       SELECT $1, x.date_from, x.date_to, x.available, x.start_min, x.end_min, x.note
       FROM jsonb_to_recordset($2::jsonb) AS x(date_from date, date_to date, available boolean, start_min int, end_min int, note text)`,
      [
        b.personId,
        JSON.stringify(
          b.exceptions.map((e) => ({
            date_from: e.dateFrom,
            date_to: e.dateTo,
            available: e.available,
            start_min: e.start === null ? null : toMinutes(e.start),
            end_min: e.end === null ? null : endMinutes(e.end),
            note: e.note ?? null,
          })),
        ),
      ],
    );
  return b.personId;
}

/**
 * A volunteer with trips behind them is deactivated, not deleted (their statements and the yearly report keep
 * them). Returns the volunteer as they were.
 */
export async function removeVolunteer(tx: Queryable, scope: Scope, personId: number): Promise<VolunteerRow> {
  const row = await loadVolunteer(tx, scope, personId);
  const used = await tx.query('SELECT 1 FROM matches WHERE volunteer_id = $1 LIMIT 1', [personId]);
  if (used.rows.length) await tx.query('UPDATE volunteers SET active = false, updated_at = now() WHERE person_id = $1', [personId]);
  else await tx.query('DELETE FROM volunteers WHERE person_id = $1', [personId]);
  return row;
}

/** What matching reads of a volunteer: the schedule as minutes, the limits, and how often they were asked lately. */
export interface VolunteerCandidate {
  personId: number;
  territoryId: number;
  home: [number, number];
  maxKm: number | null;
  maxMinutes: number | null;
  seats: number;
  wheelchair: boolean;
  purposes: Purpose[];
  directContact: boolean;
  slots: Slot[];
  exceptions: AvailabilityException[];
  /** [leaving home, back home] of their accepted and confirmed volunteer trips on the date asked. */
  booked: [number, number][];
  /** Volunteer matches of theirs created over the last RECENT_DAYS days, whatever their outcome. */
  recentAsks: number;
}

/** "Lately", for spreading the load between volunteers. */
export const RECENT_DAYS = 30;
/** Matches that hold the volunteer's time: no other trip of theirs may overlap them. */
export const BOOKED_STATUSES = ['accepted', 'confirmed'] as const;

/**
 * The active volunteers of the territories asked (null: all), with what matching needs for `date`. Their home is
 * read exactly: the caller is the matcher, which shows nothing of it.
 */
export async function volunteersForMatching(
  tx: Queryable,
  territoryIds: number[] | null,
  date: string,
  excludePersonId?: number,
): Promise<VolunteerCandidate[]> {
  const { rows } = await tx.query<{
    person_id: number;
    territory_id: number;
    lng: number;
    lat: number;
    max_km: number | null;
    max_minutes: number | null;
    seats: number;
    wheelchair: boolean;
    purposes: Purpose[];
    direct: boolean;
    slots: { weekday: number; start_min: number; end_min: number }[] | null;
    exceptions: { date_from: string; date_to: string; available: boolean; start_min: number | null; end_min: number | null }[] | null;
    booked: [number, number][] | null;
    recent: number;
  }>(
    `SELECT v.person_id, v.territory_id, ST_X(v.home) AS lng, ST_Y(v.home) AS lat, v.max_km, v.max_minutes, v.seats,
       v.wheelchair, v.purposes, p.direct_contact_consent AS direct,
       (SELECT jsonb_agg(jsonb_build_object('weekday', s.weekday, 'start_min', s.start_min, 'end_min', s.end_min))
          FROM volunteer_slots s WHERE s.volunteer_id = v.person_id) AS slots,
       (SELECT jsonb_agg(jsonb_build_object('date_from', e.date_from, 'date_to', e.date_to, 'available', e.available,
          'start_min', e.start_min, 'end_min', e.end_min)) FROM volunteer_exceptions e
          WHERE e.volunteer_id = v.person_id AND $2::date BETWEEN e.date_from AND e.date_to) AS exceptions,
       (SELECT jsonb_agg(jsonb_build_array(m.volunteer_start_min, m.volunteer_end_min)) FROM matches m
          WHERE m.kind = 'volunteer' AND m.volunteer_id = v.person_id AND m.date = $2::date
            AND m.status = ANY($4::text[])) AS booked,
       (SELECT count(*)::int FROM matches m WHERE m.kind = 'volunteer' AND m.volunteer_id = v.person_id
          AND m.created_at >= now() - make_interval(days => $5)) AS recent
     FROM volunteers v JOIN people p ON p.id = v.person_id
     WHERE v.active AND p.anonymized_at IS NULL AND ($1::int[] IS NULL OR v.territory_id = ANY($1::int[]))
       AND v.person_id <> $3`,
    [territoryIds, date, excludePersonId ?? -1, BOOKED_STATUSES, RECENT_DAYS],
  );
  return rows.map((r) => ({
    personId: r.person_id,
    territoryId: r.territory_id,
    home: [Number(r.lng), Number(r.lat)],
    maxKm: r.max_km === null ? null : Number(r.max_km),
    maxMinutes: r.max_minutes,
    seats: r.seats,
    wheelchair: r.wheelchair,
    purposes: r.purposes,
    directContact: r.direct,
    slots: (r.slots ?? []).map((s) => ({ weekday: s.weekday, startMin: s.start_min, endMin: s.end_min })),
    exceptions: (r.exceptions ?? []).map((e) => ({
      dateFrom: e.date_from,
      dateTo: e.date_to,
      available: e.available,
      startMin: e.start_min,
      endMin: e.end_min,
    })),
    booked: r.booked ?? [],
    recentAsks: r.recent,
  }));
}
