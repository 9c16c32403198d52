import { describe, expect, it } from 'vitest';
import { MATCH_STATUSES, TRANSITIONS } from '../../services/src/domain/match-workflow.ts';
import { BOOKING_STATUSES, bookingStatusOf, pathTo } from '../../services/src/interop/model.ts';

/** Booking statuses in the order a carpool goes through them (CANCELLED aside). */
const ORDER = ['WAITING_CONFIRMATION', 'CONFIRMED', 'COMPLETED_PENDING_VALIDATION', 'VALIDATED'];

describe('booking statuses mapped onto the match workflow', () => {
  it('walks, for every match status and booking status, a path the workflow allows that lands on that booking status', () => {
    for (const from of MATCH_STATUSES) {
      for (const to of BOOKING_STATUSES) {
        const path = pathTo(from, to);
        if (!path) continue;
        let at = from;
        for (const step of path) {
          expect(TRANSITIONS[at], `${from} → ${to}: ${at} → ${step}`).toContain(step);
          at = step;
        }
        expect([to, to === 'VALIDATED' ? 'COMPLETED_PENDING_VALIDATION' : to]).toContain(bookingStatusOf(at, false));
      }
    }
  });

  it('allows every forward move the standard lists, from a new booking to a validated one, and cancelling before the trip', () => {
    const waiting = ['proposed', 'contacted', 'accepted'] as const;
    for (const from of waiting) {
      for (const to of ORDER.slice(1)) expect(pathTo(from, to as never), `${from} → ${to}`).toBeDefined();
      expect(pathTo(from, 'CANCELLED')).toEqual(['cancelled']);
    }
    expect(pathTo('proposed', 'VALIDATED')).toEqual(['accepted', 'confirmed', 'done']);
    expect(pathTo('proposed', 'COMPLETED_PENDING_VALIDATION')).toEqual(['accepted', 'confirmed', 'done']);
    expect(pathTo('confirmed', 'VALIDATED')).toEqual(['done']);
    expect(pathTo('confirmed', 'CANCELLED')).toEqual(['cancelled']);
  });

  it('never moves back: a cancelled, declined or completed booking stays so, and none returns to WAITING_CONFIRMATION', () => {
    for (const from of ['cancelled', 'declined'] as const) for (const to of ORDER) expect(pathTo(from, to as never)).toBeUndefined();
    expect(pathTo('done', 'CANCELLED')).toBeUndefined();
    expect(pathTo('done', 'CONFIRMED')).toBeUndefined();
    for (const from of MATCH_STATUSES) expect(pathTo(from, 'WAITING_CONFIRMATION')).toBeUndefined();
  });
});
