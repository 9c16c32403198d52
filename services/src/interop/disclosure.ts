import type { Queryable } from '@comobi/db';
import { coarsenPoints } from '../privacy/coarsen.ts';
import { consenting } from '../privacy/consents.ts';

export interface Place {
  lat: number;
  lng: number;
}

/**
 * What an operator may see of the places of our drivers and passengers: exact when the person consented to be shown
 * to partner apps ('partner_apps'), otherwise what the standard requires only, with each point truncated as the
 * proof registry truncates the journeys it publishes (privacy/coarsen.ts). A place of nobody of ours (personId
 * null: a phone request, or another operator's user) is never exact either.
 */
export async function disclose(db: Queryable, items: { personId: number | null; places: Place[] }[]): Promise<{ exact: boolean; places: Place[] }[]> {
  const yes = await consenting(db, 'partner_apps', items.flatMap((i) => (i.personId === null ? [] : [i.personId])));
  const hidden = items.filter((i) => i.personId === null || !yes.has(i.personId));
  const coarse = await coarsenPoints(db, hidden.flatMap((i) => i.places));
  let k = 0;
  return items.map((i) => (i.personId !== null && yes.has(i.personId)
    ? { exact: true, places: i.places }
    : { exact: false, places: i.places.map(() => coarse[k++]) }));
}
