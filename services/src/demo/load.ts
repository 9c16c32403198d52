import fs from 'node:fs';
import path from 'node:path';
import type { Db, Queryable } from '@comobi/db';
import { createPeople, type Need } from '../domain/people.ts';
import { recordRequests, type Purpose } from '../domain/requests.ts';
import { addCommunes, createTerritory } from '../domain/territories.ts';
import { insertTrips, routeTrip, type RoutedTrip } from '../domain/trips.ts';
import { readLotGeography } from './lot-fixtures.ts';
import { loadDemoVolunteers } from './volunteers.ts';
import { loadDemoTus } from './tus.ts';
import type { LngLat, Router } from '../routing/types.ts';
import { addDemoNotes } from './notes.ts';
import { addDemoProviders, loadDemoFeed } from './transit.ts';
import { enqueueJob } from '../jobs/queue.ts';

interface DemoFile {
  territory: { slug: string; name: string; coordinatorPhone: string };
  communes: { insee: string; population: number | null }[];
  people: {
    ref: string;
    isDriver: boolean;
    isPassenger: boolean;
    communeInsee: string;
    home: LngLat;
    directContactConsent: boolean;
    needs: Need[];
    firstName: string;
    lastName: string;
    phone: string;
    email: string | null;
  }[];
  trips: {
    ref: string;
    driverRef: string;
    kind: 'regular' | 'oneoff';
    weekdays: number[];
    dayOffset: number | null;
    departureTime: string;
    returnTime: string | null;
    origin: LngLat;
    destination: LngLat;
    originLabel: string;
    destinationLabel: string;
    seats: number;
  }[];
  requests: {
    ref: string;
    passengerRef: string;
    from: LngLat;
    to: LngLat;
    fromLabel: string;
    toLabel: string;
    dayOffset: number;
    time: string;
    timeKind: 'depart' | 'arrive';
    toleranceMin: number;
    seats: number;
    purpose: Purpose;
    needs: Need[];
  }[];
}

/**
 * DEMO=auto loads the Lot into a store nobody uses yet: no demo territory, no person, trip or request. A territory
 * just set up by `npm run territory -- create` does not count: it is served beside the demo until it has people.
 */
export async function wantsDemo(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ wanted: boolean }>(
    `SELECT NOT EXISTS (SELECT 1 FROM territories WHERE slug = 'lot') AND NOT EXISTS (SELECT 1 FROM people)
       AND NOT EXISTS (SELECT 1 FROM trips) AND NOT EXISTS (SELECT 1 FROM requests) AS wanted`,
  );
  return rows[0].wanted;
}

const point = ([lng, lat]: LngLat) => ({ lng, lat });
/** Demo dates are offsets from the day the demo is loaded, so the demo never lies in the past. */
const dayFrom = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/**
 * Loads the Lot demo from fixtures/ into an empty store, in one transaction: the real communes and department
 * boundary, invented people, their regular trips (routes from the configured router) and requests, whose search is
 * a job run once the service is up (200 searches would hold the boot for seconds).
 */
export async function loadDemo(db: Db, router: Router, repoRoot: string) {
  const dir = path.join(repoRoot, 'fixtures');
  const demo = JSON.parse(fs.readFileSync(path.join(dir, 'demo-lot.json'), 'utf8')) as DemoFile;
  const { boundary, communes } = readLotGeography(repoRoot);

  // Routes first, outside the transaction: a slow router never holds a lock.
  const routed: RoutedTrip[] = [];
  for (const t of demo.trips) {
    const input = {
      driverId: 0,
      kind: t.kind,
      weekdays: t.weekdays,
      date: t.dayOffset === null ? null : dayFrom(t.dayOffset),
      departureTime: t.departureTime,
      returnTime: t.returnTime,
      origin: point(t.origin),
      destination: point(t.destination),
      originLabel: t.originLabel,
      destinationLabel: t.destinationLabel,
      seats: t.seats,
      active: true,
    };
    routed.push(await routeTrip(router, input));
  }

  // The demo is written by the same domain writers as the console and the public pages.
  const work = async (tx: Queryable) => {
    const territoryId = await createTerritory(tx, {
      slug: demo.territory.slug,
      name: demo.territory.name,
      boundary: boundary.geometry,
      coordinatorPhone: demo.territory.coordinatorPhone,
    });
    await addCommunes(tx, territoryId, communes);
    const scope = { actor: 'demo', territoryIds: [territoryId] };
    const made = await createPeople(
      tx,
      territoryId,
      demo.people.map((p) => ({
        isDriver: p.isDriver,
        isPassenger: p.isPassenger,
        communeInsee: p.communeInsee,
        home: point(p.home),
        directContactConsent: p.directContactConsent,
        needs: p.needs,
        firstName: p.firstName,
        lastName: p.lastName,
        phone: p.phone,
        email: p.email,
      })),
    );
    const idOf = new Map(demo.people.map((p, i) => [p.ref, 'id' in made[i] ? made[i].id : made[i].existingId]));
    await insertTrips(
      tx,
      scope,
      territoryId,
      demo.trips.map((t, i) => ({ ...routed[i], input: { ...routed[i].input, driverId: idOf.get(t.driverRef)! } })),
    );
    const requestIds = await recordRequests(
      tx,
      scope,
      territoryId,
      demo.requests.map((r) => ({
        input: {
          passengerId: idOf.get(r.passengerRef)!,
          from: point(r.from),
          to: point(r.to),
          fromLabel: r.fromLabel,
          toLabel: r.toLabel,
          date: dayFrom(r.dayOffset),
          time: r.time,
          timeKind: r.timeKind,
          toleranceMin: r.toleranceMin,
          seats: r.seats,
          purpose: r.purpose,
          needs: r.needs,
        },
        answer: { proposals: [], approximate: false },
      })),
    );
    // Matched after the boot, in the background (jobs/match-requests.ts), as the console would have on saving each:
    // the work queue and the requests list then show proposals and a realistic remainder without a solution.
    await enqueueJob(tx, 'match_requests', { requestIds });
    await addDemoNotes(tx, scope, requestIds);
    await loadDemoTus(tx, territoryId, dir);
    const providers = await addDemoProviders(tx, territoryId, dir);
    const volunteers = await loadDemoVolunteers(tx, router, scope, territoryId, dir);
    return { territoryId, people: demo.people.length, trips: demo.trips.length, requests: demo.requests.length, providers, volunteers };
  };
  const loaded = await db.transaction(work);
  // The TER timetable after: the importer runs its own transaction.
  const feed = await loadDemoFeed(db, loaded.territoryId, dir);
  return { ...loaded, feed: { name: feed.feed.name, servicePeriod: feed.servicePeriod, shiftedDays: feed.calendarShift?.days ?? 0 } };
}
