import type { Queryable } from '@comobi/db';
import { badRequest, conflict, notFound } from '../http/errors.ts';
import type { MatchStatus } from './match-workflow.ts';
import { loadMatch, transition, type Leg, type MatchRow } from './matches.ts';
import { queueForTransition, queueRoundTripConfirmation } from './messages.ts';
import type { Scope } from './scope.ts';

/**
 * A driver who can take the passenger both ways: a proposal on the outbound and one on the return. `sameTrip`: one
 * regular trip whose return passes back at the right time (the driver waits at work, or at the hospital's town);
 * otherwise two trips of the same driver.
 */
export interface RoundTripPair {
  driverId: number;
  outboundMatchId: number;
  returnMatchId: number;
  sameTrip: boolean;
  /** Mean of the two legs' scores (0…1). */
  score: number;
}

/** Matches a coordinator may still arrange (the others were turned down or ended). */
const LIVE: MatchStatus[] = ['proposed', 'contacted', 'accepted', 'confirmed', 'done'];

/**
 * For each driver with a live proposal on both legs, the best pair (the same trip first, then the best scores);
 * the pairs best first. `matches` are one request's, best first.
 */
export function roundTripPairs(matches: MatchRow[]): RoundTripPair[] {
  const byDriver = new Map<number, Record<Leg, MatchRow[]>>();
  for (const m of matches) {
    if (!LIVE.includes(m.status)) continue;
    const d = byDriver.get(m.driver_id) ?? { outbound: [], return: [] };
    d[m.request_leg].push(m);
    byDriver.set(m.driver_id, d);
  }
  const pairs: RoundTripPair[] = [];
  for (const [driverId, legs] of byDriver) {
    let best: RoundTripPair | null = null;
    for (const o of legs.outbound)
      for (const r of legs.return) {
        const p = {
          driverId,
          outboundMatchId: o.id,
          returnMatchId: r.id,
          sameTrip: o.trip_id === r.trip_id,
          score: Math.round(((o.score + r.score) / 2) * 1000) / 1000,
        };
        if (!best || Number(p.sameTrip) - Number(best.sameTrip) > 0 || (p.sameTrip === best.sameTrip && p.score > best.score))
          best = p;
      }
    if (best) pairs.push(best);
  }
  return pairs.sort((a, b) => Number(b.sameTrip) - Number(a.sameTrip) || b.score - a.score || a.driverId - b.driverId);
}

/**
 * The drivers who can do both legs first, in their pairs' order (each driver's outbound before their return), then
 * every other proposal as it came (best score first).
 */
export function rankBothLegsFirst(matches: MatchRow[], pairs: RoundTripPair[]): MatchRow[] {
  const rank = new Map(pairs.map((p, i) => [p.driverId, i]));
  const keyOf = (m: MatchRow) => rank.get(m.driver_id) ?? pairs.length;
  return matches
    .map((m, i) => ({ m, i }))
    .sort((a, b) => keyOf(a.m) - keyOf(b.m) || (rank.has(a.m.driver_id) ? legOrder(a.m) - legOrder(b.m) : 0) || a.i - b.i)
    .map((x) => x.m);
}
const legOrder = (m: MatchRow) => (m.request_leg === 'outbound' ? 0 : 1);

/** The workflow steps from a status to "confirmed": the driver said yes on the phone, the passenger too. */
const TO_CONFIRMED: Partial<Record<MatchStatus, MatchStatus[]>> = {
  proposed: ['accepted', 'confirmed'],
  contacted: ['accepted', 'confirmed'],
  accepted: ['confirmed'],
  confirmed: [],
};

/**
 * Confirms a round trip in one go (one driver both ways, or one driver each way), in the caller's transaction: both
 * matches walk to "confirmed" through the workflow (seats, history, messages), or, if either cannot (no seat left, a
 * match declined meanwhile), neither does. Returns the trips whose index entries change.
 */
export async function confirmRoundTrip(
  tx: Queryable,
  scope: Scope,
  requestId: number,
  ids: { outboundMatchId: number; returnMatchId: number },
  note: string | null,
): Promise<number[]> {
  const legs = [
    { field: 'outboundMatchId', id: ids.outboundMatchId, leg: 'outbound' as const },
    { field: 'returnMatchId', id: ids.returnMatchId, leg: 'return' as const },
  ];
  const rows: MatchRow[] = [];
  for (const l of legs) {
    const m = await loadMatch(tx, scope, l.id).catch(() => null);
    if (!m || m.request_id !== requestId) throw notFound('match', l.id);
    if (m.request_leg !== l.leg) throw badRequest(l.field, `match ${l.id} serves the ${m.request_leg} leg, not the ${l.leg}`);
    if (!TO_CONFIRMED[m.status])
      throw conflict(`match ${l.id} is ${m.status}: it cannot be confirmed any more`, l.field);
    rows.push(m);
  }
  // Each leg's confirmation waits for the other: one message for both (messages.ts).
  for (const m of rows)
    for (const to of TO_CONFIRMED[m.status]!) await transition(tx, scope, m.id, to, null, note, { confirmationLater: true });
  // Legs confirmed before (one by one) were told then; only the ones confirmed now are told, together if both.
  const now = rows.filter((m) => m.status !== 'confirmed');
  if (now.length === 2) await queueRoundTripConfirmation(tx, rows[0].id, rows[1].id);
  else for (const m of now) await queueForTransition(tx, m.id, 'accepted', 'confirmed');
  // A volunteer's match has no trip to re-index.
  return [...new Set(rows.flatMap((m) => (m.trip_id === null ? [] : [m.trip_id])))];
}
