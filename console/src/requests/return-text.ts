/**
 * A request's way back in words. Apart from ReturnSection.tsx: the review page and the exports are in the scripts
 * every page waits for, the time pickers that the section brings are not.
 */

/** 90 → "1 h 30", 120 → "2 h", 45 → "45 min". */
export function waitLabel(min: number): string {
  const h = Math.floor(min / 60), m = min % 60;
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${String(m).padStart(2, '0')}`;
}

/** "Retour : départ à 17:40", "Retour : environ 2 h après l’arrivée", or null for a one-way request. */
export function returnText(r: { returnTime?: string | null; returnAfterMin?: number | null }): string | null {
  if (r.returnTime) return `Retour : départ à ${r.returnTime}`;
  if (r.returnAfterMin) return `Retour : environ ${waitLabel(r.returnAfterMin)} après l’arrivée`;
  return null;
}
