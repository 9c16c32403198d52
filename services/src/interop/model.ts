import { z } from 'zod';
import type { MatchStatus } from '../domain/match-workflow.ts';
import { HttpError } from '../http/errors.ts';

// The standard-covoiturage model as this server maps it onto matches: booking statuses, users, journey ids.

export const BOOKING_STATUSES = ['WAITING_CONFIRMATION', 'CONFIRMED', 'CANCELLED', 'COMPLETED_PENDING_VALIDATION', 'VALIDATED'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

/** A booking is the standard's view of a match. */
export function bookingStatusOf(match: MatchStatus, validated: boolean): BookingStatus {
  switch (match) {
    case 'confirmed':
      return 'CONFIRMED';
    case 'declined':
    case 'cancelled':
      return 'CANCELLED';
    case 'done':
      return validated ? 'VALIDATED' : 'COMPLETED_PENDING_VALIDATION';
    default:
      return 'WAITING_CONFIRMATION';
  }
}

/** Match statuses to walk through, from where the match is, to reach a booking status. */
export function pathTo(from: MatchStatus, to: BookingStatus): MatchStatus[] | undefined {
  const toConfirmed: Partial<Record<MatchStatus, MatchStatus[]>> = { proposed: ['accepted', 'confirmed'], contacted: ['accepted', 'confirmed'], accepted: ['confirmed'] };
  switch (to) {
    case 'CONFIRMED':
      return toConfirmed[from];
    case 'CANCELLED':
      return ['proposed', 'contacted', 'accepted', 'confirmed'].includes(from) ? ['cancelled'] : undefined;
    case 'COMPLETED_PENDING_VALIDATION':
    case 'VALIDATED':
      return from === 'done' ? [] : from === 'confirmed' ? ['done'] : undefined;
    default:
      return undefined;
  }
}

export const user = z.object({ id: z.string().min(1).max(255), operator: z.string().min(1).max(255), alias: z.string().min(1).max(255) });
/** The standard's User, with its optional fields (names may come with it: kept only where the route needs them). */
export const fullUser = z.object({
  id: z.string().min(1).max(255),
  operator: z.string().min(1).max(255),
  alias: z.string().min(1).max(255),
  firstName: z.string().max(255).optional(),
  lastName: z.string().max(255).optional(),
  grade: z.number().int().min(1).max(5).optional(),
  picture: z.string().max(2000).optional(),
  gender: z.enum(['F', 'M', 'O']).optional(),
  verifiedIdentity: z.boolean().optional(),
});

/** A partner's passenger who cancels: the coded reason of the workflow. */
export const cancelledByPassenger = (to: MatchStatus) => (to === 'cancelled' ? 'passenger_cancelled' : null);

export const missing = (what: 'booking' | 'journey' | 'user', id: string) => new HttpError(404, `missing_${what}`, `${what} ${id} not found`);

export const journeyId = (p: { tripId: number; leg: string }, date: string) => `${p.tripId}-${p.leg}-${date}`;
export function parseJourneyId(id: string): { tripId: number; leg: 'outbound' | 'return'; date: string } | undefined {
  const m = /^(\d+)-(outbound|return)-(\d{4}-\d{2}-\d{2})$/.exec(id);
  return m ? { tripId: Number(m[1]), leg: m[2] as 'outbound' | 'return', date: m[3] } : undefined;
}

/** Aliases only: names and phones stay with the coordinators (integration keys never see personal fields). */
export const driverUser = (operator: string, driverId: number) => ({ id: `driver-${driverId}`, operator, alias: `Conducteur ${driverId}` });
export const passengerUser = (operator: string, ref: string) => ({ id: `passenger-${ref}`, operator, alias: `Passager ${ref}` });

