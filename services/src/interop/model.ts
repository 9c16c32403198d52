import { z } from 'zod';
import { TRANSITIONS, type MatchStatus } from '../domain/match-workflow.ts';
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

/** The match status a booking status lands on (WAITING_CONFIRMATION is where a booking starts: never a target). */
const TARGET: Record<BookingStatus, MatchStatus | null> = {
  WAITING_CONFIRMATION: null,
  CONFIRMED: 'confirmed',
  CANCELLED: 'cancelled',
  COMPLETED_PENDING_VALIDATION: 'done',
  VALIDATED: 'done',
};

/**
 * Match statuses to walk through, from where the match is, to reach a booking status. The standard lists the
 * statuses without restricting the moves between them: every move the match workflow allows is allowed, by its
 * shortest path (WAITING_CONFIRMATION → VALIDATED walks proposed → accepted → confirmed → done), and a booking
 * cancelled or completed does not move back.
 */
export function pathTo(from: MatchStatus, to: BookingStatus): MatchStatus[] | undefined {
  const target = TARGET[to];
  if (!target) return undefined;
  if (from === target) return [];
  const previous = new Map<MatchStatus, MatchStatus>();
  const queue: MatchStatus[] = [from];
  while (queue.length) {
    const at = queue.shift()!;
    for (const next of TRANSITIONS[at]) {
      if (next === from || previous.has(next)) continue;
      previous.set(next, at);
      if (next === target) {
        const path: MatchStatus[] = [next];
        for (let p = at; p !== from; p = previous.get(p)!) path.unshift(p);
        return path;
      }
      queue.push(next);
    }
  }
  return undefined;
}

/**
 * Booking ids: the standard says `format: uuid`, and operators' tooling produces and accepts any 8-4-4-4-12
 * hexadecimal string, without the RFC 4122 version and variant bits (PostgreSQL's uuid type stores them alike).
 */
export const UUID_REASON = 'expected a UUID (8-4-4-4-12 hexadecimal digits)';
const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string) => UUID_SHAPE.test(s);
export const uuid = z.string({ error: UUID_REASON }).regex(UUID_SHAPE, UUID_REASON);

/**
 * An optional field sent empty is an absent field: generated clients and the standard's own examples send "" for
 * the strings (and enums) they do not fill.
 */
export const optional = <S extends z.ZodType>(schema: S) => z.preprocess((v) => (v === '' || v === null ? undefined : v), schema.optional());

export const user = z.object({ id: z.string().min(1).max(255), operator: z.string().min(1).max(255), alias: z.string().min(1).max(255) });
/** The standard's User, with its optional fields (names may come with it: kept only where the route needs them). */
export const fullUser = z.object({
  id: z.string().min(1).max(255),
  operator: z.string().min(1).max(255),
  alias: z.string().min(1).max(255),
  firstName: optional(z.string().max(255)),
  lastName: optional(z.string().max(255)),
  // Grades run from 1: a 0 (what generated clients send for "not graded") is no grade.
  grade: z.preprocess((v) => (v === 0 ? undefined : v), optional(z.number().int().min(1).max(5))),
  picture: optional(z.string().max(2000)),
  gender: optional(z.enum(['F', 'M', 'O'])),
  verifiedIdentity: optional(z.boolean()),
});

/** The standard's Price; solidarity carpooling is free, a partner may still say what it expected. */
export const price = z.object({
  type: optional(z.enum(['FREE', 'PAYING', 'UNKNOWN'])),
  amount: optional(z.number().min(0)),
  currency: optional(z.string().max(3)),
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

