import { describe, expect, it } from 'vitest';
import type { MatchRow } from '../../services/src/domain/matches.ts';
import { rankBothLegsFirst, roundTripPairs } from '../../services/src/domain/round-trips.ts';

let next = 1;
const m = (driver_id: number, trip_id: number, request_leg: 'outbound' | 'return', score: number, status: MatchRow['status'] = 'proposed') =>
  ({ id: next++, driver_id, trip_id, request_leg, score, status }) as MatchRow;

describe('both-legs drivers', () => {
  it('pairs each driver once, the same trip before two trips, then by the mean score', () => {
    const rows = [
      m(1, 10, 'outbound', 0.9), // driver 1: outbound only
      m(2, 20, 'outbound', 0.8), m(2, 21, 'return', 0.9), // driver 2: two trips
      m(3, 30, 'outbound', 0.5), m(3, 30, 'return', 0.4), m(3, 31, 'return', 0.95), // driver 3: passes back on trip 30
      m(4, 40, 'return', 0.99), // driver 4: return only
    ];
    const pairs = roundTripPairs(rows);
    expect(pairs.map((p) => [p.driverId, p.sameTrip, p.score])).toEqual([[3, true, 0.45], [2, false, 0.85]]);
    expect(pairs[0]).toMatchObject({ outboundMatchId: rows[3].id, returnMatchId: rows[4].id });
    // Both-legs drivers first in their pairs' order (outbound, then return), the others as they came.
    expect(rankBothLegsFirst(rows, pairs).map((r) => [r.driver_id, r.request_leg])).toEqual([
      [3, 'outbound'], [3, 'return'], [3, 'return'], [2, 'outbound'], [2, 'return'], [1, 'outbound'], [4, 'return'],
    ]);
  });

  it('leaves out the legs a driver declined or that were cancelled', () => {
    const rows = [m(5, 50, 'outbound', 0.7), m(5, 50, 'return', 0.7, 'declined'), m(6, 60, 'outbound', 0.6, 'cancelled'), m(6, 61, 'return', 0.6)];
    expect(roundTripPairs(rows)).toEqual([]);
    expect(rankBothLegsFirst(rows, []).map((r) => r.id)).toEqual(rows.map((r) => r.id));
  });
});
