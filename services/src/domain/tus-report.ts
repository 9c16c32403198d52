import type { Queryable } from '@comobi/db';
import { notFound } from '../http/errors.ts';
import { inScope, type Scope } from './scope.ts';
import { tusSettings } from './tus.ts';

/**
 * The yearly report of a TUS association to the préfet (arrêté of 17 October 2019, art. R3133-5: before 1 March,
 * for the past calendar year), counted from the trips done. No personal data: counts, shares and sums.
 *
 * A trip done is a match with status `done` dated in the year (its date, or for a regular ride without a date the
 * day it was marked done). Drivers are the people who drove at least one of them: a commuter's trip's driver, or the
 * volunteer of a volunteer match (`matches.kind = 'volunteer'`, `matches.volunteer_id`). Their cars are the
 * vehicles lent to the association free of charge; the association's own vehicles are not tracked (0).
 */
export interface TusReport {
  territory: { id: number; name: string };
  year: number;
  association: { name: string | null; rna: string | null; address: string | null; employees: number | null; careRules: string | null };
  /** People who drove at least one trip done in the year, and among them the volunteer drivers. */
  drivers: number;
  volunteerDrivers: number;
  /** Volunteer drivers registered (active) at the time of the report, whether they drove or not. */
  registeredVolunteers: number;
  /** Association members for the year and the fees recorded. */
  members: number;
  memberFeesEur: number;
  /** Passengers of the trips done; by ground of eligibility (a person eligible on both counts is in both shares). */
  beneficiaries: number;
  byResidence: number;
  byResources: number;
  /** Passengers without a beneficiary record (served by exception, or before the record). */
  withoutRecord: number;
  /** Percentages of `beneficiaries`, one decimal. */
  shareByResidencePct: number | null;
  shareByResourcesPct: number | null;
  vehicles: {
    owned: { count: number; meanCapacity: number | null };
    /** The drivers' own cars; capacity in passenger seats offered. */
    lent: { count: number; meanCapacity: number | null };
  };
  /** Sum of the participations asked for the trips done (matches.participation_eur; a trip without one counts 0). */
  participationEur: number;
  meanParticipationEur: number | null;
  trips: number;
  /** Mean passenger distance per trip, pickup to drop-off, straight line (as the public statistics count it). */
  meanDistanceKm: number | null;
  /** Mean whole distance of volunteer trips (home → pickup → destination → home, on roads), when recorded. */
  meanVolunteerDistanceKm: number | null;
  exceptions: number;
  generatedAt: Date;
}

const pct = (n: number, of: number) => (of ? Math.round((n / of) * 1000) / 10 : null);
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function tusReport(tx: Queryable, scope: Scope, territoryId: number, year: number): Promise<TusReport> {
  if (!inScope(scope, territoryId)) throw notFound('territory', territoryId);
  const { rows: t } = await tx.query<{ id: number; name: string }>('SELECT id, name FROM territories WHERE id = $1', [territoryId]);
  if (!t[0]) throw notFound('territory', territoryId);
  const settings = await tusSettings(tx, territoryId);
  // Commuters' trips have their driver and seats on the trip; volunteers' matches (no trip) their volunteer.
  const done = `SELECT m.id, m.request_id, r.passenger_id,
      CASE WHEN m.kind = 'volunteer' THEN m.volunteer_id ELSE tr.driver_id END AS driver_id,
      CASE WHEN m.kind = 'volunteer' THEN v.seats ELSE tr.seats END AS seats,
      COALESCE(m.shared_m, ST_Distance(m.pickup::geography, m.dropoff::geography)) AS passenger_m,
      m.participation_eur, m.volunteer_distance_m AS volunteer_m
    FROM matches m JOIN requests r ON r.id = m.request_id LEFT JOIN trips tr ON tr.id = m.trip_id
    LEFT JOIN volunteers v ON v.person_id = m.volunteer_id
    WHERE m.territory_id = $1 AND m.status = 'done'
      AND COALESCE(m.date, (m.status_changed_at AT TIME ZONE 'Europe/Paris')::date) BETWEEN make_date($2, 1, 1) AND make_date($2, 12, 31)`;

  const { rows: f } = await tx.query<Record<string, unknown>>(
    `WITH done AS (${done}),
     d AS (SELECT driver_id, max(seats) AS seats FROM done WHERE driver_id IS NOT NULL GROUP BY driver_id),
     p AS (SELECT DISTINCT passenger_id FROM done WHERE passenger_id IS NOT NULL)
     SELECT (SELECT count(*) FROM done)::int AS trips,
       (SELECT avg(passenger_m) / 1000 FROM done) AS mean_km,
       (SELECT avg(volunteer_m) / 1000 FROM done WHERE volunteer_m IS NOT NULL) AS mean_volunteer_km,
       (SELECT sum(participation_eur) FROM done) AS participation,
       (SELECT avg(participation_eur) FROM done) AS mean_participation,
       (SELECT count(*) FROM d)::int AS drivers,
       (SELECT count(*) FROM d WHERE EXISTS (SELECT 1 FROM volunteers v WHERE v.person_id = d.driver_id))::int AS volunteer_drivers,
       (SELECT avg(seats) FROM d) AS mean_seats,
       (SELECT count(*) FROM p)::int AS beneficiaries,
       (SELECT count(*) FROM p JOIN tus_beneficiaries b ON b.person_id = p.passenger_id WHERE b.by_residence)::int AS by_residence,
       (SELECT count(*) FROM p JOIN tus_beneficiaries b ON b.person_id = p.passenger_id WHERE b.by_resources)::int AS by_resources,
       (SELECT count(*) FROM p WHERE NOT EXISTS (SELECT 1 FROM tus_beneficiaries b WHERE b.person_id = p.passenger_id))::int AS without_record,
       (SELECT count(*) FROM tus_memberships WHERE territory_id = $1 AND year = $2)::int AS members,
       (SELECT COALESCE(sum(fee_eur), 0) FROM tus_memberships WHERE territory_id = $1 AND year = $2) AS member_fees,
       (SELECT count(*) FROM tus_exceptions x JOIN done ON done.request_id = x.request_id)::int AS exceptions,
       (SELECT count(*) FROM volunteers WHERE territory_id = $1 AND active)::int AS registered_volunteers`,
    [territoryId, year],
  );
  const r = f[0];
  const beneficiaries = Number(r.beneficiaries);
  const round = (v: unknown, d: number) => (v === null || v === undefined ? null : Math.round(Number(v) * 10 ** d) / 10 ** d);
  return {
    territory: t[0],
    year,
    association: {
      name: settings.associationName,
      rna: settings.rna,
      address: settings.associationAddress,
      employees: settings.employees,
      careRules: settings.careRules,
    },
    drivers: Number(r.drivers),
    volunteerDrivers: Number(r.volunteer_drivers),
    registeredVolunteers: Number(r.registered_volunteers),
    members: Number(r.members),
    memberFeesEur: Number(r.member_fees),
    beneficiaries,
    byResidence: Number(r.by_residence),
    byResources: Number(r.by_resources),
    withoutRecord: Number(r.without_record),
    shareByResidencePct: pct(Number(r.by_residence), beneficiaries),
    shareByResourcesPct: pct(Number(r.by_resources), beneficiaries),
    vehicles: { owned: { count: 0, meanCapacity: null }, lent: { count: Number(r.drivers), meanCapacity: round(r.mean_seats, 1) } },
    participationEur: num(r.participation) ?? 0,
    meanParticipationEur: round(r.mean_participation, 2),
    trips: Number(r.trips),
    meanDistanceKm: round(r.mean_km, 1),
    meanVolunteerDistanceKm: round(r.mean_volunteer_km, 1),
    exceptions: Number(r.exceptions),
    generatedAt: new Date(),
  };
}
