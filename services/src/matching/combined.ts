import type { Db, Queryable } from '@comobi/db';
import { costRulesOf, DEFAULT_COST_RULES, participationIn } from '../domain/costs.ts';
import type { Router } from '../routing/types.ts';
import type { Need } from '../domain/people.ts';
import type { Purpose } from '../domain/requests.ts';
import type { MatchAnswer, Matcher, MatchQuery, Proposal } from './matcher.ts';
import { matchVolunteers, type VolunteerAnswer, type VolunteerProposal, type VolunteerQuery } from './volunteers.ts';

/** A commuter's trip that passes by: the passenger's participation goes to the driver; no allowance. */
export type CarpoolProposal = Proposal & { kind: 'carpool'; participationEur: number; allowanceEur: null };
export type AnyProposal = CarpoolProposal | VolunteerProposal;

export interface FullAnswer {
  proposals: AnyProposal[];
  approximate: boolean;
  stats: MatchAnswer['stats'];
  volunteers: Pick<VolunteerAnswer, 'considered' | 'rejected'>;
}

/** The kilometres a proposal adds to the roads: a commuter's detour, or a volunteer's whole trip home → home. */
export const extraM = (p: AnyProposal) => (p.kind === 'volunteer' ? p.volunteerDistanceM : p.detourM);

/**
 * Volunteers among themselves: fewer kilometres first (whole kilometres, so that the next key means something), then
 * the one asked least lately (spreading the load; their score says it), then the exact distance.
 */
export const byVolunteerRank = <T extends { score: number }>(extra: (x: T) => number) => (a: T, b: T) =>
  Math.round(extra(a) / 1000) - Math.round(extra(b) / 1000) || b.score - a.score || extra(a) - extra(b);

/**
 * One ranked list by the kilometres each proposal adds to the roads: the commuters in the matcher's order (their
 * score weighs the detour against its budget and the time against the one asked), the volunteers by their whole
 * trip, merged by extra kilometres (a commuter first on a tie). `carpool` must come in the matcher's order.
 */
export function mergeByExtraKm<T extends { score: number }>(
  items: T[],
  isVolunteer: (x: T) => boolean,
  extra: (x: T) => number,
): T[] {
  const carpool = items.filter((x) => !isVolunteer(x));
  const volunteers = items.filter(isVolunteer).sort(byVolunteerRank(extra));
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < carpool.length || j < volunteers.length) {
    if (j >= volunteers.length || (i < carpool.length && extra(carpool[i]) <= extra(volunteers[j]))) out.push(carpool[i++]);
    else out.push(volunteers[j++]);
  }
  return out;
}

export const rankProposals = (list: AnyProposal[]) => mergeByExtraKm(list, (p) => p.kind === 'volunteer', extraM);

/** Commuters' proposals with the participation the territory's rules ask of the passenger. */
export async function withCarpoolCosts(db: Queryable, proposals: Proposal[]): Promise<CarpoolProposal[]> {
  if (!proposals.length) return [];
  const rules = await costRulesOf(db, [...new Set(proposals.map((p) => p.territoryId))]);
  return proposals.map((p) => {
    const km = p.sharedM / 1000;
    return {
      ...p,
      kind: 'carpool',
      participationEur: participationIn(rules.get(p.territoryId) ?? { ...DEFAULT_COST_RULES, tus: false }, { passengerKm: km, wholeKm: km, waitMin: 0 }),
      allowanceEur: null,
    };
  });
}

/** A commuters-only answer (a round trip's way back, the public page's search) with the participation of each. */
export async function withCosts<A extends { proposals: Proposal[] }>(db: Queryable, answer: A): Promise<A & { proposals: CarpoolProposal[] }> {
  return { ...answer, proposals: await withCarpoolCosts(db, answer.proposals) };
}

/**
 * Every way to take the passenger: the commuters whose trip passes near (the corridor index) and the volunteers
 * whose hours, limits and vehicle fit, in one list ranked by the kilometres each adds.
 */
export async function matchAll(deps: { db: Db; router: Router; matcher: Matcher }, q: VolunteerQuery): Promise<FullAnswer> {
  const [carpool, volunteers] = await Promise.all([deps.matcher.match(q), matchVolunteers(deps.db, deps.router, q)]);
  return combine(deps.db, carpool, volunteers);
}

/** The volunteers beside commuters already found (a round trip's outbound: its return is the commuters' own leg). */
export async function withVolunteers(deps: { db: Db; router: Router }, carpool: MatchAnswer, q: VolunteerQuery): Promise<FullAnswer> {
  return combine(deps.db, carpool, await matchVolunteers(deps.db, deps.router, q));
}

async function combine(db: Queryable, carpool: MatchAnswer, volunteers: VolunteerAnswer): Promise<FullAnswer> {
  const priced = await withCarpoolCosts(db, carpool.proposals);
  return {
    proposals: rankProposals([...priced, ...volunteers.proposals]),
    approximate: carpool.approximate || volunteers.approximate,
    stats: carpool.stats,
    volunteers: { considered: volunteers.considered, rejected: volunteers.rejected },
  };
}

/** What volunteer matching reads of a request beside the carpool query (the way back when the request has one). */
export interface RequestFacts {
  purpose: Purpose;
  needs?: Need[];
  return_min?: number | null;
  return_after_min?: number | null;
}

export const volunteerQueryOf = (q: MatchQuery, r: RequestFacts): VolunteerQuery => ({
  ...q,
  purpose: r.purpose,
  needs: r.needs ?? [],
  returnMin: r.return_min ?? null,
  returnAfterMin: r.return_after_min ?? null,
});
