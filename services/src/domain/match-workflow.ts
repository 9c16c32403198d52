/** Match status workflow. Terminal statuses have no way out. */
export const MATCH_STATUSES = [
  'proposed',
  'contacted',
  'accepted',
  'declined',
  'confirmed',
  'done',
  'cancelled',
] as const;
export type MatchStatus = (typeof MATCH_STATUSES)[number];

export const TRANSITIONS: Record<MatchStatus, MatchStatus[]> = {
  // "accepted" straight from "proposed": the passenger called a driver who allows direct contact.
  proposed: ['contacted', 'accepted', 'declined', 'cancelled'],
  contacted: ['accepted', 'declined', 'cancelled'],
  accepted: ['confirmed', 'cancelled'],
  confirmed: ['done', 'cancelled'],
  declined: [],
  done: [],
  cancelled: [],
};

/** Coded reasons, required when a match is declined or cancelled. */
export const REASONS = {
  declined: [
    'driver_unavailable',
    'detour_too_long',
    'schedule_conflict',
    'needs_not_met',
    'passenger_declined',
    'no_answer',
    'other',
  ],
  cancelled: ['passenger_cancelled', 'driver_cancelled', 'no_show', 'weather', 'vehicle_problem', 'other'],
} as const;

/** Seats count against the trip from acceptance on. */
export const HOLDS_SEAT: MatchStatus[] = ['accepted', 'confirmed', 'done'];
