import fs from 'node:fs';
import path from 'node:path';
import type { Queryable } from '@comobi/db';
import { storeProposals } from '../domain/matches.ts';
import { createPeople, type Need } from '../domain/people.ts';
import { loadRequest, matchQueryOf, recordRequests, type Purpose } from '../domain/requests.ts';
import type { Scope } from '../domain/scope.ts';
import { writeVolunteer } from '../domain/volunteers.ts';
import { volunteerQueryOf } from '../matching/combined.ts';
import { matchVolunteers } from '../matching/volunteers.ts';
import type { LngLat, Router } from '../routing/types.ts';
import { addDays, nextWeekday } from '../time/days.ts';

/** A volunteer of fixtures/demo-lot-volunteers.json (invented). */
export interface DemoVolunteer {
  ref: string; firstName: string; lastName: string; phone: string; email: string | null; communeInsee: string; home: LngLat;
  homeLabel: string; maxKm: number | null; maxMinutes: number | null; seats: number; wheelchair: boolean; purposes: Purpose[];
  directContactConsent: boolean;
  /** [ISO weekday, HH:MM, HH:MM]. */
  weekSlots: [number, string, string][];
}

interface VolunteersFile {
  volunteers: DemoVolunteer[];
  passengers: { ref: string; firstName: string; lastName: string; phone: string; email: string | null; communeInsee: string; home: LngLat; needs: Need[] }[];
  requests: {
    ref: string; passengerRef: string; from: LngLat; to: LngLat; fromLabel: string; toLabel: string; weekday: number; minDays: number;
    time: string; timeKind: 'depart' | 'arrive'; toleranceMin: number; seats: number; purpose: Purpose; needs: Need[];
  }[];
}

const point = ([lng, lat]: LngLat) => ({ lng, lat });

export function readDemoVolunteersFile(fixturesDir: string): VolunteersFile {
  return JSON.parse(fs.readFileSync(path.join(fixturesDir, 'demo-lot-volunteers.json'), 'utf8')) as VolunteersFile;
}

/** What `writeVolunteer` stores of a fixture volunteer: active, her weekly slots, no exception. */
export function demoVolunteerInput(v: Pick<DemoVolunteer, 'home' | 'homeLabel' | 'maxKm' | 'maxMinutes' | 'seats' | 'wheelchair' | 'purposes' | 'weekSlots'>, personId: number) {
  return {
    personId, home: point(v.home), homeLabel: v.homeLabel, maxKm: v.maxKm, maxMinutes: v.maxMinutes, seats: v.seats,
    wheelchair: v.wheelchair, purposes: v.purposes, active: true,
    slots: v.weekSlots.map(([weekday, start, end]) => ({ weekday, start, end })), exceptions: [],
  };
}

/**
 * The demo's volunteer drivers (fixtures/demo-lot-volunteers.json, invented) and a request that no commuter serves,
 * stored with the volunteers' proposals (the commuters' index is not loaded yet; no commuter passes there then).
 */
export async function loadDemoVolunteers(tx: Queryable, router: Router, scope: Scope, territoryId: number, fixturesDir: string) {
  const file = readDemoVolunteersFile(fixturesDir);
  const people = [
    ...file.volunteers.map((v) => ({ isDriver: true, isPassenger: false, communeInsee: v.communeInsee, home: point(v.home), directContactConsent: v.directContactConsent, needs: [] as Need[], firstName: v.firstName, lastName: v.lastName, phone: v.phone, email: v.email })),
    ...file.passengers.map((p) => ({ isDriver: false, isPassenger: true, communeInsee: p.communeInsee, home: point(p.home), directContactConsent: false, needs: p.needs, firstName: p.firstName, lastName: p.lastName, phone: p.phone, email: p.email })),
  ];
  const made = await createPeople(tx, territoryId, people, 'demo');
  const refs = [...file.volunteers.map((v) => v.ref), ...file.passengers.map((p) => p.ref)];
  const idOf = new Map(refs.map((r, i) => [r, 'id' in made[i] ? made[i].id : made[i].existingId]));
  for (const v of file.volunteers) await writeVolunteer(tx, scope, demoVolunteerInput(v, idOf.get(v.ref)!), true);
  // The volunteers' slots are weekly, the demo's dates relative: the first date on the weekday at least minDays ahead.
  const today = new Date().toISOString().slice(0, 10);
  const ids = await recordRequests(tx, scope, territoryId, file.requests.map((r) => ({
    input: {
      passengerId: idOf.get(r.passengerRef)!, from: point(r.from), to: point(r.to), fromLabel: r.fromLabel, toLabel: r.toLabel,
      date: nextWeekday(r.weekday, addDays(today, r.minDays - 1)), time: r.time, timeKind: r.timeKind, toleranceMin: r.toleranceMin, seats: r.seats,
      purpose: r.purpose, needs: r.needs,
    },
    answer: { proposals: [], approximate: false },
  })));
  for (const id of ids) {
    const req = await loadRequest(tx, scope, id);
    const answer = await matchVolunteers(tx, router, volunteerQueryOf(matchQueryOf(req), req));
    await storeProposals(tx, id, territoryId, req.date, answer.proposals, answer.approximate);
  }
  return { volunteers: file.volunteers.length, requests: ids.length };
}
