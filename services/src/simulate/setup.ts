import type { Db } from '@comobi/db';
import { createPeople } from '../domain/people.ts';
import { addCommunes, createTerritory } from '../domain/territories.ts';
import { insertTrips, routeTrip, type RoutedTrip } from '../domain/trips.ts';
import { writeVolunteer } from '../domain/volunteers.ts';
import type { LegIndex } from '../matching/leg-index.ts';
import { loadAllLegs } from '../matching/leg-store.ts';
import type { Router } from '../routing/types.ts';
import { readLotGeography } from '../demo/lot-fixtures.ts';
import { demoVolunteerInput } from '../demo/volunteers.ts';
import type { Scenario } from './calibration.ts';

export const STRATEGIES = ['per-request', 'batch'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface SimTerritory {
  strategy: Strategy;
  territoryId: number;
  slug: string;
  /** Trip id → the driver's ref in the scenario (whose answers are drawn by ref). */
  driverOfTrip: Map<number, string>;
  /** Volunteer (person) id → the volunteer's ref in the scenario. */
  refOfVolunteer: Map<number, string>;
}

const point = ([lng, lat]: [number, number]) => ({ lng, lat });

/**
 * One territory per strategy, on the Lot's boundary, each with its own copy of the scenario's drivers and trips
 * (routed once) and of its volunteers: the two strategies then replay the same demand on the same supply side by side, in one service,
 * and the matcher keeps each territory's requests to its own drivers. Written by the domain's writers, as the demo.
 */
export async function setUpTerritories(
  db: Db,
  router: Router,
  index: LegIndex,
  repoRoot: string,
  sc: Scenario,
  runId: string,
): Promise<SimTerritory[]> {
  const { boundary, communes } = readLotGeography(repoRoot);
  // Routes first, outside any transaction (a slow router never holds a lock), once for both copies.
  const routed: RoutedTrip[] = [];
  for (const d of sc.drivers)
    routed.push(
      await routeTrip(router, {
        driverId: 0,
        kind: d.kind,
        weekdays: d.weekdays,
        date: d.date,
        departureTime: d.departureTime,
        returnTime: d.returnTime,
        origin: point(d.home),
        destination: point(d.destination),
        originLabel: d.originLabel,
        destinationLabel: d.destinationLabel,
        seats: d.seats,
        active: true,
      }),
    );
  const out: SimTerritory[] = [];
  for (const strategy of STRATEGIES) {
    const slug = `sim-${runId}-${strategy}`;
    const made = await db.transaction(async (tx) => {
      const territoryId = await createTerritory(tx, {
        slug,
        name: `Lot, simulation ${strategy === 'batch' ? 'par plan' : 'demande par demande'} (${runId})`,
        boundary: boundary.geometry,
      });
      // Communes are shared by every territory that covers them: the first one that needs them adds them.
      await addCommunes(tx, territoryId, communes);
      const people = await createPeople(
        tx,
        territoryId,
        sc.drivers.map((d) => ({
          isDriver: true,
          isPassenger: false,
          communeInsee: d.communeInsee,
          home: point(d.home),
          directContactConsent: false,
          needs: [],
        })),
        'simulation',
      );
      const ids = people.map((p) => ('id' in p ? p.id : p.existingId));
      const scope = { actor: 'simulation', territoryIds: [territoryId] };
      const tripIds = await insertTrips(
        tx,
        scope,
        territoryId,
        routed.map((t, i) => ({ ...t, input: { ...t.input, driverId: ids[i] } })),
      );
      // The volunteers, as the demo loads them: people of the territory, then their schedule and limits.
      const volunteerPeople = await createPeople(
        tx,
        territoryId,
        sc.volunteers.map((v) => ({
          isDriver: true,
          isPassenger: false,
          communeInsee: v.communeInsee,
          home: point(v.home),
          directContactConsent: false,
          needs: [],
        })),
        'simulation',
      );
      const volunteerIds = volunteerPeople.map((p) => ('id' in p ? p.id : p.existingId));
      for (const [i, v] of sc.volunteers.entries()) await writeVolunteer(tx, scope, demoVolunteerInput(v, volunteerIds[i]), true);
      return { territoryId, tripIds, volunteerIds };
    });
    out.push({
      strategy,
      territoryId: made.territoryId,
      slug,
      driverOfTrip: new Map(made.tripIds.map((id, i) => [id, sc.drivers[i].ref])),
      refOfVolunteer: new Map(made.volunteerIds.map((id, i) => [id, sc.volunteers[i].ref])),
    });
  }
  await loadAllLegs(db, index);
  return out;
}
