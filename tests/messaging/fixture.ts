import { expect } from 'vitest';
import type { TestServer } from '../helpers/server.ts';

const GOURDON = { lng: 1.3832, lat: 44.7373 };
const CAHORS = { lng: 1.4419, lat: 44.4475 };
const along = (f: number) => ({ lng: GOURDON.lng + (CAHORS.lng - GOURDON.lng) * f, lat: GOURDON.lat + (CAHORS.lat - GOURDON.lat) * f });

/** A weekday at least `days` ahead (the fixture's trips run Monday to Friday). */
export function weekdayAhead(days: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + days);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** People, a trip and a matched request made through the API of `srv`, in territory `territoryId()`. */
export function messagingFixtures(srv: () => TestServer, territoryId: () => number) {
  let phoneSeq = 10;
  const q = async <T = any>(sql: string, params: unknown[] = []) =>
    (await srv().booted.services.db.query<T & object>(sql, params)).rows as T[];

  async function person(body: object): Promise<number> {
    const r = await srv().api('POST', '/api/people', { territoryId: territoryId(), ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id;
  }
  const mobile = () => `06 12 34 ${String(phoneSeq++).padStart(2, '0')} 78`;

  /**
   * A driver's regular trip Gourdon → Cahors (straight-line router: the points along it are on the way), a passenger
   * asking for a ride along it on `date`, and the proposal that matches them (the matcher's own answer).
   */
  async function fixture(opts: { driver?: object; passenger?: object; date?: string } = {}) {
    const driverId = await person({ isDriver: true, firstName: 'Pierre', lastName: 'Conducteur', phone: mobile(), directContactConsent: true, ...opts.driver });
    const passengerId = await person({ isPassenger: true, firstName: 'Marie', lastName: 'Passagère', phone: mobile(), ...opts.passenger });
    const trip = await srv().api('POST', '/api/trips', {
      territoryId: territoryId(), driverId, kind: 'regular', weekdays: [1, 2, 3, 4, 5], departureTime: '07:30',
      origin: GOURDON, destination: CAHORS, originLabel: 'Gourdon', destinationLabel: 'Cahors', seats: 3,
    });
    expect(trip.status, JSON.stringify(trip.body)).toBe(201);
    const date = opts.date ?? weekdayAhead(5);
    const req = await srv().api('POST', '/api/requests', {
      territoryId: territoryId(), passengerId, from: along(0.25), to: along(0.75), date, time: '07:40', timeKind: 'depart',
      toleranceMin: 60, fromLabel: 'Place de la Mairie, Le Vigan',
    });
    expect(req.status, JSON.stringify(req.body)).toBe(201);
    const proposal = req.body.proposals.find((p: any) => p.tripId === trip.body.id);
    expect(proposal, 'the trip serves the request').toBeTruthy();
    return { driverId, passengerId, tripId: trip.body.id as number, requestId: req.body.id as number, matchId: proposal.id as number, date };
  }

  async function walk(matchId: number, ...statuses: string[]) {
    for (const status of statuses) {
      const r = await srv().api('PUT', `/api/matches/${matchId}`, { status, ...(status === 'cancelled' ? { reason: 'weather' } : {}) });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
  }

  const messagesOf = (matchId: number) => q('SELECT * FROM messages WHERE match_id = $1 ORDER BY id', [matchId]);

  return { q, fixture, walk, messagesOf };
}
