import type { PlanCandidate } from '../../services/src/planning/model.ts';

/** The solver tests' date and candidate: one seat on trip `tripId` (its own driver), 08:00 → 08:30, 2 min of detour. */
export const DATE = '2026-12-01';
export const cand = (requestId: number, tripId: number, o: Partial<PlanCandidate> = {}): PlanCandidate => ({
  requestId,
  tripId,
  driverId: tripId,
  leg: 'outbound',
  date: DATE,
  detourS: 120,
  seats: 1,
  pickupMin: 480,
  dropoffMin: 510,
  ...o,
});
