import { z } from 'zod';

/** Matching rules of a territory. Defaults follow the Lot's practice; each territory may override any of them. */
export const rulesSchema = z.object({
  /** Pickup and drop-off must lie within this distance of the driver's usual route. */
  corridorM: z.number().min(100).max(20_000).default(2000),
  /** Detour cap in minutes… */
  maxDetourMin: z.number().min(0).max(120).default(15),
  /** …and as a share of the driver's own duration (0.5 = +50 %). Never a share of the passenger's trip. */
  maxDetourRatio: z.number().min(0).max(5).default(0.5),
  /** Default time tolerance of a request, ± minutes. */
  toleranceMin: z.number().int().min(0).max(240).default(30),
  /** Walking distance to a transit stop for alternatives. */
  walkMaxM: z.number().min(0).max(5000).default(1000),
  /**
   * Not a matching rule but the territory's other setting: hours after which a driver contacted and silent shows in
   * the console's work queue ("Sans réponse du conducteur"). A day by default: most drivers answer by the evening.
   */
  answerWaitHours: z.number().min(1).max(168).default(24),
});

export type MatchingRules = z.infer<typeof rulesSchema>;

export const DEFAULT_RULES: MatchingRules = rulesSchema.parse({});

export function rulesFrom(stored: unknown): MatchingRules {
  const r = rulesSchema.safeParse(stored ?? {});
  return r.success ? r.data : DEFAULT_RULES;
}

export const maxDetourS = (rules: MatchingRules, driverDurationS: number) =>
  Math.min(rules.maxDetourMin * 60, rules.maxDetourRatio * driverDurationS);
