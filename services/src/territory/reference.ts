import fs from 'node:fs';
import { createRequire } from 'node:module';

/**
 * What the official file does not say: postal codes and populations, from @etalab/decoupage-administratif (INSEE's
 * Code officiel géographique, Licence Ouverte). A commune merged since the file was drawn is a "commune déléguée":
 * it gets its new commune's postal codes, and no population (the new commune's would be counted twice).
 */
export interface CommuneReference {
  departement: string | null;
  postalCodes: string[];
  population: number | null;
  /** The current commune's name when the code was merged into another one (the file may predate the merger). */
  mergedInto: { insee: string; name: string } | null;
}

interface CogEntry {
  code: string;
  nom: string;
  type: string;
  departement?: string;
  codesPostaux?: string[];
  population?: number;
  chefLieu?: string;
}

let cached: Map<string, CogEntry[]> | undefined;

function entries(): Map<string, CogEntry[]> {
  if (cached) return cached;
  const file = createRequire(import.meta.url).resolve('@etalab/decoupage-administratif/data/communes.json');
  const byCode = new Map<string, CogEntry[]>();
  for (const e of JSON.parse(fs.readFileSync(file, 'utf8')) as CogEntry[]) {
    const list = byCode.get(e.code);
    if (list) list.push(e);
    else byCode.set(e.code, [e]);
  }
  return (cached = byCode);
}

/** null: the code is not in the reference at all (a commune that disappeared, or a typo the file carried). */
export function referenceOf(insee: string): CommuneReference | null {
  const all = entries();
  const list = all.get(insee);
  if (!list) return null;
  const current = list.find((e) => e.type === 'commune-actuelle');
  if (current) {
    return { departement: current.departement ?? null, postalCodes: current.codesPostaux ?? [], population: current.population ?? null, mergedInto: null };
  }
  const delegated = list.find((e) => e.type === 'commune-deleguee' || e.type === 'commune-associee') ?? list[0];
  const parent = delegated.chefLieu ? all.get(delegated.chefLieu)?.find((e) => e.type === 'commune-actuelle') : undefined;
  return {
    departement: delegated.departement ?? parent?.departement ?? null,
    postalCodes: parent?.codesPostaux ?? delegated.codesPostaux ?? [],
    population: null,
    mergedInto: parent ? { insee: parent.code, name: parent.nom } : null,
  };
}

/** Communes the reference knows for a département: to tell "no such département" from "not in this file". */
export function referenceHasDepartement(code: string): boolean {
  for (const list of entries().values()) if (list.some((e) => e.departement === code)) return true;
  return false;
}
