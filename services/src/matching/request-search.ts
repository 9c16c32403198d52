import type { Db, Queryable } from '@comobi/db';
import { storeProposals } from '../domain/matches.ts';
import { matchQueryOf, returnAskOf, type RequestRow } from '../domain/requests.ts';
import type { Router } from '../routing/types.ts';
import { volunteerQueryOf, withCosts, withVolunteers } from './combined.ts';
import type { Matcher, MatchQuery } from './matcher.ts';
import { matchJourney } from './round-trip.ts';

export type SearchDeps = { db: Db; router: Router; matcher: Matcher };

/**
 * A stored request's search, as a coordinator's "search again" runs it: the outbound with the volunteers beside the
 * commuters, and the way back of a round trip. Outside any transaction: the router may be slow.
 */
export async function searchRequest(s: SearchDeps, row: RequestRow) {
  const q: MatchQuery = matchQueryOf(row);
  const journey = await matchJourney(s.matcher, s.router, q, returnAskOf(row));
  const answer = await withVolunteers(s, journey.outbound, volunteerQueryOf(q, row));
  const wayBack = journey.return ? await withCosts(s.db, journey.return) : null;
  return { q, answer, wayBack, approximate: answer.approximate || Boolean(journey.return?.approximate) };
}

/** What the search found, stored as the request's proposals (matches already handled keep their status). */
export async function storeSearch(tx: Queryable, row: RequestRow, found: Awaited<ReturnType<typeof searchRequest>>) {
  await storeProposals(tx, row.id, row.territory_id, row.date, found.answer.proposals, found.answer.approximate);
  if (found.wayBack)
    await storeProposals(tx, row.id, row.territory_id, row.date, found.wayBack.proposals, found.wayBack.approximate, 'return');
}
