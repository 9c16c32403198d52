import { createRequire } from 'node:module';
import type { RouteStep } from './types.ts';

/** osrm-text-instructions is CommonJS without types: `require(version)` returns a compiler of step sentences. */
interface TextInstructions {
  compile(language: string, step: unknown, options?: { legCount?: number; legIndex?: number }): string;
}
const require = createRequire(import.meta.url);
const instructions = (require('osrm-text-instructions') as (version: string) => TextInstructions)('v5');

/**
 * One French sentence per OSRM step ("Tourner à gauche sur la Rue …", "Vous êtes arrivé …"). Directions are a
 * concern of their own: any router producing OSRM v5 steps can be phrased here.
 */
export function frenchDirections(steps: RouteStep[], leg: { legCount?: number; legIndex?: number } = {}): string[] {
  // The phrasebook mixes decomposed accents (e + U+0301); clients compare and search in NFC.
  return steps.map((step) =>
    instructions.compile('fr', step, { legCount: leg.legCount ?? 1, legIndex: leg.legIndex ?? 0 }).normalize('NFC'),
  );
}
