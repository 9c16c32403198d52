import type { Queryable } from '@comobi/db';
import { conflict } from '../http/errors.ts';
import { volunteerQueryOf } from '../matching/combined.ts';
import { matchVolunteers, type Rejection, type VolunteerProposal } from '../matching/volunteers.ts';
import type { Router } from '../routing/types.ts';
import { matchQueryOf, type RequestRow } from './requests.ts';

/** Why a volunteer cannot take the passenger, in the coordinator's words (the API's messages are in English). */
export const VOLUNTEER_REFUSALS: Record<Rejection, string> = {
  seats: 'the volunteer’s car has not enough seats',
  purpose: 'the volunteer does not drive for this purpose',
  wheelchair: 'the passenger needs a wheelchair-accessible car',
  unavailable: 'the volunteer is not available that day',
  too_far: 'the trip goes beyond what the volunteer accepts from home',
  no_route: 'no road between the volunteer’s home and the trip',
  hours: 'the whole trip, home back to home, does not fit in the volunteer’s hours that day',
  booked: 'the volunteer already has a trip at that time',
};

/**
 * One volunteer's trip for a dated request, checked now by the same rules as any volunteer proposal (hours, limits,
 * vehicle, their bookings of the day): the proposal, or 409 saying why not. A coordinator proposing a volunteer and a
 * plan's item being confirmed both come here.
 */
export async function volunteerProposalFor(
  db: Queryable,
  router: Router,
  req: RequestRow,
  volunteerId: number,
  field = 'volunteerId',
  /** The outing leaving home then, when it still fits (a plan's item); otherwise the first that fits. */
  preferStartMin?: number,
): Promise<{ proposal: VolunteerProposal; approximate: boolean }> {
  if (!req.date) throw conflict('volunteers take dated requests; this one is recurring', field);
  const answer = await matchVolunteers(db, router, volunteerQueryOf(matchQueryOf(req), req), volunteerId, {
    preferStartMin,
  });
  const proposal = answer.proposals[0];
  if (!proposal) {
    const why = Object.keys(answer.rejected)[0] as Rejection | undefined;
    throw conflict(why ? VOLUNTEER_REFUSALS[why] : 'this volunteer cannot take the passenger', field);
  }
  return { proposal, approximate: answer.approximate };
}
