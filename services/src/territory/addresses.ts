import type { Queryable } from '@comobi/db';
import { notFound } from '../http/errors.ts';
import { referenceOf } from './reference.ts';

/**
 * What an addok geocoder needs for a territory: the Base Adresse Nationale is published per département, so the
 * files are those of its communes' départements (a territory across a border needs both). Nothing is downloaded
 * here: the files are large (tens of MB a département) and the geocoder is optional.
 */
export const BAN_BASE = 'https://adresse.data.gouv.fr/data/ban/adresses/latest';

export interface AddressesHint {
  departements: string[];
  csv: string[];
  addok: string[];
}

export async function addressesHint(db: Queryable, territoryId: number): Promise<AddressesHint> {
  const { rows } = await db.query<{ insee: string }>('SELECT insee FROM communes WHERE territory_id = $1', [territoryId]);
  if (!rows.length) throw notFound('territory', territoryId);
  // The INSEE code's first two characters are not the département overseas (971…) nor always in Corsica (2A/2B):
  // the reference says it.
  const deps = new Set<string>();
  for (const r of rows) {
    const dep = referenceOf(r.insee)?.departement ?? r.insee.slice(0, 2);
    deps.add(dep);
  }
  const departements = [...deps].sort();
  return {
    departements,
    csv: departements.map((d) => `${BAN_BASE}/csv/adresses-${d}.csv.gz`),
    addok: departements.map((d) => `${BAN_BASE}/addok/adresses-addok-${d}.ndjson.gz`),
  };
}
