import type { Queryable } from '@comobi/db';
import { addDays, isoWeekday } from '../time/days.ts';
import { toClock } from '../time/clock.ts';
import type { Visibility } from '../domain/scope.ts';

/**
 * The coordinator's work queue: what needs a call today, read from requests and matches (nothing is stored for it).
 * A section is a rule over the match workflow's statuses; an item leaves its section as soon as the status moves on.
 */
export const QUEUE_SECTIONS = ['tripsToday', 'tripsTomorrow', 'toConfirm', 'awaitingAnswer', 'callBack', 'noSolution'] as const;
export type QueueSection = (typeof QUEUE_SECTIONS)[number];

/** Days are the territories' calendar days (all in metropolitan France for now, as the statistics count them). */
export const QUEUE_TIME_ZONE = 'Europe/Paris';

export interface QueueItem {
  requestId: number;
  /** null for request items (call back, no solution). */
  matchId: number | null;
  territoryId: number;
  leg: 'outbound' | 'return' | null;
  date: string | null;
  /** A regular request's ISO weekdays (its matches have no date). */
  weekdays: number[];
  /** Pickup time of a match; the asked time of a request. */
  time: string;
  timeKind: 'depart' | 'arrive' | 'pickup';
  fromLabel: string | null;
  toLabel: string | null;
  status: string;
  /**
   * A request of today whose asked time has gone by (only in `noSolution`): listed after the ones still ahead, for the
   * coordinator to close or note rather than to save.
   */
  passed: boolean;
  /** When the item entered its section: the match's last status change, or the request's creation. */
  since: Date;
  passengerId: number | null;
  passengerName: string | null;
  passengerPhone: string | null;
  driverId: number | null;
  driverName: string | null;
  driverPhone: string | null;
}

export interface QueueSectionValue {
  key: QueueSection;
  count: number;
  /** Of `count`, the items whose time has gone by today (`passed`); they come after the others. */
  passed: number;
  /** Only for readers who handle people (coordinators, admins); viewers get the counts alone. */
  items?: QueueItem[];
}

export interface WorkQueue {
  today: string;
  tomorrow: string;
  /** Hours after which a contacted driver's silence puts the match in `awaitingAnswer`, per territory seen. */
  answerWaitHours: Record<string, number>;
  sections: QueueSectionValue[];
}

/** 'YYYY-MM-DD' of an instant in the territories' calendar. */
export function localDate(at: Date, timeZone = QUEUE_TIME_ZONE): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** Minutes since midnight of an instant in the territories' calendar. */
export function localMinute(at: Date, timeZone = QUEUE_TIME_ZONE): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return part('hour') * 60 + part('minute');
}

interface Row {
  request_id: number;
  match_id: number | null;
  territory_id: number;
  leg: 'outbound' | 'return' | null;
  date: string | null;
  weekdays: number[];
  time_min: number;
  time_kind: QueueItem['timeKind'];
  from_label: string | null;
  to_label: string | null;
  status: string;
  passed: boolean;
  since: Date;
  passenger_id: number | null;
  driver_id: number | null;
}

// A dated match or request counts from today on; a regular one (weekdays, no date) always. The driver is the trip's,
// or the volunteer of a volunteer match (no trip).
const MATCH_COLUMNS = `m.request_id, m.id AS match_id, m.territory_id, m.leg, to_char(m.date, 'YYYY-MM-DD') AS date,
  rq.weekdays, m.pickup_min AS time_min, 'pickup' AS time_kind,
  -- A return leg goes the other way: picked up where the request ends.
  CASE WHEN m.leg = 'return' THEN rq.to_label ELSE rq.from_label END AS from_label,
  CASE WHEN m.leg = 'return' THEN rq.from_label ELSE rq.to_label END AS to_label, m.status, false AS passed,
  m.status_changed_at AS since, rq.passenger_id, COALESCE(t.driver_id, m.volunteer_id) AS driver_id`;
const MATCH_FROM = `FROM matches m JOIN requests rq ON rq.id = m.request_id LEFT JOIN trips t ON t.id = m.trip_id
  WHERE ($1::int IS NULL OR m.territory_id = $1) AND (m.date IS NULL OR m.date >= $2::date)`;
const REQUEST_COLUMNS = `r.id AS request_id, NULL::int AS match_id, r.territory_id, NULL AS leg,
  to_char(r.date, 'YYYY-MM-DD') AS date, r.weekdays, r.time_min, r.time_kind, r.from_label, r.to_label, r.status,
  false AS passed, r.created_at AS since, r.passenger_id, NULL::int AS driver_id`;
const REQUEST_FROM = `FROM requests r
  WHERE ($1::int IS NULL OR r.territory_id = $1) AND r.status = 'open' AND (r.date IS NULL OR r.date >= $2::date)`;

/**
 * Each section's rule: what it reads, its condition and its order. Parameters: $1 territory or null, $2 today, then
 * the section's own (from $3).
 */
function sectionRule(key: QueueSection): { columns: string; from: string; order: string; passed?: string } {
  const onDay = (d: string, dow: string) => ({
    columns: MATCH_COLUMNS,
    from: `${MATCH_FROM} AND m.status = 'confirmed'
      AND (m.date = ${d}::date OR m.date IS NULL AND ${dow}::smallint = ANY(rq.weekdays))`,
    order: 'm.pickup_min, m.id',
  });
  switch (key) {
    case 'tripsToday':
      return onDay('$2', '$3');
    case 'tripsTomorrow':
      return onDay('$3', '$4');
    case 'toConfirm':
      return {
        columns: MATCH_COLUMNS,
        from: `${MATCH_FROM} AND m.status = 'accepted'`,
        order: 'm.date NULLS LAST, m.pickup_min, m.id',
      };
    case 'awaitingAnswer':
      // Each territory's own wait: $3 territory ids, $4 their hours, $5 now.
      return {
        columns: MATCH_COLUMNS,
        from: `${MATCH_FROM} AND m.status = 'contacted'
          AND m.status_changed_at <= $5::timestamptz - make_interval(secs => 3600 * (
            SELECT w.hours FROM unnest($3::int[], $4::float8[]) AS w(territory_id, hours) WHERE w.territory_id = m.territory_id))`,
        order: 'm.status_changed_at, m.id',
      };
    case 'callBack':
      // Asked on the public pages and not handled yet: no call noted on it, no driver contacted, nothing accepted.
      return {
        columns: REQUEST_COLUMNS,
        from: `${REQUEST_FROM} AND r.created_by = 'public'
          AND NOT EXISTS (SELECT 1 FROM notes n WHERE n.request_id = r.id AND n.kind = 'call')
          AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.request_id = r.id AND m.status <> 'proposed')`,
        order: 'r.created_at, r.id',
      };
    case 'noSolution': {
      // Open with no live proposal: none found, or every driver declined or cancelled. The ones still ahead first,
      // soonest first: a request of today whose time went by ($3: the minute now) can no longer be saved, and
      // listed first it hid those that can.
      const passed = `(r.date = $2::date AND r.time_min < $3::int)`;
      return {
        columns: REQUEST_COLUMNS.replace('false AS passed', `${passed} AS passed`),
        from: `${REQUEST_FROM}
          AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.request_id = r.id AND m.status IN ('proposed', 'contacted', 'accepted', 'confirmed'))`,
        order: `${passed}, r.date NULLS LAST, r.time_min, r.id`,
        passed,
      };
    }
  }
}

const nameOf = (first: string | null, last: string | null) => `${first ?? ''} ${last ?? ''}`.trim() || null;

/**
 * The queue of the territories the transaction sees (the caller's row-level security scope), or of one of them.
 * `answerWaitHours(territoryId)` is the territory's setting. With `coarse` visibility only the counts are read.
 * Returns the people whose names and phones it shows, for the caller to audit.
 */
export async function workQueue(
  tx: Queryable,
  opts: {
    territoryId: number | null;
    now: Date;
    visibility: Visibility;
    answerWaitHours: (territoryId: number) => number;
    limit?: number;
  },
): Promise<{ queue: WorkQueue; shown: { id: number; territoryId: number }[] }> {
  const today = localDate(opts.now);
  const tomorrow = addDays(today, 1);
  const personal = opts.visibility === 'personal';
  const limit = Math.max(1, Math.min(200, Math.trunc(opts.limit ?? 50)));
  const territories = (
    await tx.query<{ id: number }>(`SELECT id FROM territories WHERE $1::int IS NULL OR id = $1 ORDER BY id`, [opts.territoryId])
  ).rows.map((r) => r.id);
  const hours = territories.map((id) => opts.answerWaitHours(id));
  const extra: Record<QueueSection, unknown[]> = {
    tripsToday: [isoWeekday(today)],
    tripsTomorrow: [tomorrow, isoWeekday(tomorrow)],
    toConfirm: [],
    awaitingAnswer: [territories, hours, opts.now.toISOString()],
    callBack: [],
    noSolution: [localMinute(opts.now)],
  };
  const bySection = new Map<QueueSection, Row[]>();
  const counts = new Map<QueueSection, { n: number; passed: number }>();
  for (const key of QUEUE_SECTIONS) {
    const rule = sectionRule(key);
    const params = [opts.territoryId, today, ...extra[key]];
    counts.set(key, (await tx.query<{ n: number; passed: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE ${rule.passed ?? 'false'})::int AS passed ${rule.from}`, params)).rows[0]);
    // Viewers get the counts alone: their rows are never read.
    // A section with passed items reads up to `limit` of each kind: the ones ahead would otherwise crowd them out.
    const read = async (where: string) =>
      (await tx.query<Row>(`SELECT ${rule.columns} ${rule.from}${where} ORDER BY ${rule.order} LIMIT ${limit}`, params)).rows;
    const rows = !personal ? [] : rule.passed ? [...(await read(` AND NOT ${rule.passed}`)), ...(await read(` AND ${rule.passed}`))] : await read('');
    bySection.set(key, rows);
  }

  const ids = [...new Set([...bySection.values()].flat().flatMap((r) => [r.passenger_id, r.driver_id]).filter((x): x is number => x !== null))];
  const who = new Map<number, { first_name: string | null; last_name: string | null; phone: string | null }>();
  if (personal && ids.length) {
    const { rows } = await tx.query<{ person_id: number; first_name: string | null; last_name: string | null; phone: string | null }>(
      `SELECT person_id, first_name, last_name, phone FROM person_identities WHERE person_id = ANY($1::int[])`,
      [ids],
    );
    for (const r of rows) who.set(r.person_id, r);
  }
  const shown = new Map<number, { id: number; territoryId: number }>();
  const item = (r: Row): QueueItem => {
    for (const id of [r.passenger_id, r.driver_id]) if (id !== null) shown.set(id, { id, territoryId: r.territory_id });
    const p = r.passenger_id === null ? undefined : who.get(r.passenger_id);
    const d = r.driver_id === null ? undefined : who.get(r.driver_id);
    return {
      requestId: r.request_id,
      matchId: r.match_id,
      territoryId: r.territory_id,
      leg: r.leg,
      date: r.date,
      weekdays: r.weekdays ?? [],
      time: toClock(r.time_min),
      timeKind: r.time_kind,
      fromLabel: r.from_label,
      toLabel: r.to_label,
      status: r.status,
      passed: r.passed,
      since: r.since,
      passengerId: r.passenger_id,
      passengerName: p ? nameOf(p.first_name, p.last_name) : null,
      passengerPhone: p?.phone ?? null,
      driverId: r.driver_id,
      driverName: d ? nameOf(d.first_name, d.last_name) : null,
      driverPhone: d?.phone ?? null,
    };
  };
  const sections = QUEUE_SECTIONS.map((key): QueueSectionValue => ({
    key,
    count: counts.get(key)!.n,
    passed: counts.get(key)!.passed,
    ...(personal ? { items: bySection.get(key)!.map(item) } : {}),
  }));
  return {
    queue: { today, tomorrow, answerWaitHours: Object.fromEntries(territories.map((id, i) => [String(id), hours[i]])), sections },
    shown: [...shown.values()],
  };
}
