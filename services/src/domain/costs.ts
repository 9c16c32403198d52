import type { Queryable } from '@comobi/db';
import { z } from 'zod';
import { notFound } from '../http/errors.ts';
import { TUS_CAP_EUR_PER_KM } from './tus.ts';
import { inScope, type Scope } from './scope.ts';

/**
 * What a trip costs, per territory (territories.cost_rules): the passenger's participation and the volunteer's
 * mileage allowance. Amounts in euros, rounded to the cent.
 *
 * Participation: a flat amount up to `flatUpToKm`, then `perKmEur` for each kilometre beyond, never under
 * `minimumEur`; waiting at the destination (a volunteer who waits for the way back) is free for `waitFreeMin`, then
 * `waitPerHourEur` for each hour begun. The kilometres are the passenger's own (pickup → destination, and back for a
 * round trip), or the volunteer's whole trip home → home (`basis: 'whole'`), as the territory's scheme says.
 *
 * Allowance: `perKmEur` on the real road distance of the volunteer's whole trip, home back to home (the kilometric
 * allowance a volunteer is refunded; €0.32/km is the TUS cap and a common figure).
 */
export const participationSchema = z.object({
  basis: z.enum(['passenger', 'whole']).default('passenger'),
  flatEur: z.number().min(0).max(100).default(2),
  flatUpToKm: z.number().min(0).max(500).default(10),
  perKmEur: z.number().min(0).max(5).default(0.2),
  minimumEur: z.number().min(0).max(100).default(2),
  waitFreeMin: z.number().int().min(0).max(600).default(30),
  waitPerHourEur: z.number().min(0).max(100).default(2),
});
export const allowanceSchema = z.object({
  perKmEur: z.number().min(0).max(5).default(0.32),
});
export const costRulesSchema = z.object({
  participation: participationSchema.prefault({}),
  allowance: allowanceSchema.prefault({}),
});

export type CostRules = z.infer<typeof costRulesSchema>;
export const DEFAULT_COST_RULES: CostRules = costRulesSchema.parse({});

/** The stored rules over the defaults (a partial object overrides them; an unreadable one gives the defaults). */
export function costRulesFrom(stored: unknown): CostRules {
  const r = costRulesSchema.safeParse(stored ?? {});
  return r.success ? r.data : DEFAULT_COST_RULES;
}

/** Half a cent and more goes up (0.125 → 0.13): amounts are computed in cents to keep floats out of it. */
export const roundEur = (eur: number) => Math.round(Math.round(eur * 10000) / 100) / 100;

export interface TripFacts {
  /** The passenger's kilometres on the road: pickup → destination (+ the way back). */
  passengerKm: number;
  /** The volunteer's kilometres, home back to home; for a commuter's trip, the passenger's. */
  wholeKm: number;
  /** Minutes the driver waits at the destination for the way back. */
  waitMin: number;
}

/** A cap on the participation for these kilometres (the TUS rules' €/km when the territory has that option). */
export type ParticipationCap = (km: number) => number;

export function participationEur(rules: CostRules, t: TripFacts, cap?: ParticipationCap): number {
  const p = rules.participation;
  const km = p.basis === 'whole' ? t.wholeKm : t.passengerKm;
  const distance = p.flatEur + Math.max(0, km - p.flatUpToKm) * p.perKmEur;
  const waitHours = t.waitMin > p.waitFreeMin ? Math.ceil((t.waitMin - p.waitFreeMin) / 60) : 0;
  const total = Math.max(p.minimumEur, distance) + waitHours * p.waitPerHourEur;
  return roundEur(cap ? Math.min(total, cap(km)) : total);
}

export const allowanceEur = (rules: CostRules, wholeKm: number) => roundEur(wholeKm * rules.allowance.perKmEur);

/** The rules of a territory, as its coordinators see them. */
export async function loadCostRules(tx: Queryable, scope: Scope, territoryId: number): Promise<CostRules> {
  if (!inScope(scope, territoryId)) throw notFound('territory', territoryId);
  const { rows } = await tx.query<{ cost_rules: unknown }>('SELECT cost_rules FROM territories WHERE id = $1', [territoryId]);
  if (!rows[0]) throw notFound('territory', territoryId);
  return costRulesFrom(rows[0].cost_rules);
}

/** The rules a trip is priced with: the territory's, and whether it runs under the TUS rules (the cap applies then). */
export type TerritoryCosts = CostRules & { tus: boolean };

/** Rules of many territories at once (matching reads those of the request's territory). */
export async function costRulesOf(tx: Queryable, territoryIds: number[]): Promise<Map<number, TerritoryCosts>> {
  const { rows } = await tx.query<{ id: number; cost_rules: unknown; tus: boolean }>(
    `SELECT t.id, t.cost_rules, COALESCE(s.enabled, false) AS tus FROM territories t
     LEFT JOIN tus_settings s ON s.territory_id = t.id WHERE t.id = ANY($1::int[])`,
    [territoryIds],
  );
  return new Map(rows.map((r) => [r.id, { ...costRulesFrom(r.cost_rules), tus: r.tus }]));
}

/** The TUS cap (arrêté of 17 October 2019): at most TUS_CAP_EUR_PER_KM for each kilometre the participation counts. */
export const tusCap: ParticipationCap = (km) => roundEur(Math.max(0, km) * TUS_CAP_EUR_PER_KM);

/** The participation of a trip in a territory: its rules, capped when it runs under the TUS rules. */
export const participationIn = (c: TerritoryCosts, t: TripFacts) => participationEur(c, t, c.tus ? tusCap : undefined);

/** The one writer of a territory's cost rules: the whole rules, validated at the boundary. */
export async function writeCostRules(tx: Queryable, scope: Scope, territoryId: number, rules: CostRules): Promise<void> {
  if (!inScope(scope, territoryId)) throw notFound('territory', territoryId);
  const { rows } = await tx.query(
    'UPDATE territories SET cost_rules = $2::jsonb, updated_at = now() WHERE id = $1 RETURNING id',
    [territoryId, JSON.stringify(rules)],
  );
  if (!rows[0]) throw notFound('territory', territoryId);
}
