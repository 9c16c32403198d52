/**
 * GET answers asked before the app has run: `boot.ts`, a script of its own that index.html runs first, asks for what
 * the first page will need (the session, a request named by the address, its territory's map layers) while the
 * libraries are still being fetched and compiled, and the app takes those answers instead of asking again once React
 * got there. Each answer is taken once (`api()` and `fetchMe()` look here first); one that failed (not signed in yet)
 * is asked again, and one left unread for FRESH_MS is not used (the page may have moved on and the data changed).
 * Nothing here imports the app's libraries: boot.ts must stay a few hundred bytes.
 */
const FRESH_MS = 30_000;
const answers = new Map<string, { at: number; answer: Promise<Response> }>();
/**
 * Paths asked once already (early, or by the app itself during the first page): not asked early again, the answer
 * would go unread. Kept for the first page only, where boot.ts asks.
 */
const asked = new Set<string>();
const firstPage = () => performance.now() < FRESH_MS;

/** The same URLs the app builds: an answer is found by its path. */
export const communesPath = (territoryId: number | null | undefined, geometry: boolean) => {
  const q = new URLSearchParams({ geometry: String(geometry) });
  // Outlines simplified to about 100 m: under a pixel at the zoom a page opens on (a territory, a trip: 8 to 11),
  // a third fewer points to draw than the API's default (17,900 → 11,500 for the Lot), 395 → 255 KB.
  if (geometry) q.set('simplify', '0.001');
  if (territoryId) q.set('territoryId', String(territoryId));
  return `/api/communes?${q}`;
};
export const roadsPath = (territoryId: number | null | undefined) => `/api/map/roads${territoryId ? `?territoryId=${territoryId}` : ''}`;

/** Asks now (once per path); `reason` is the X-Access-Reason the app would send (personal data). */
export function askEarly(path: string, reason?: string): Promise<Response | null> {
  const known = answers.get(path);
  if (known) return known.answer;
  if (asked.has(path)) return Promise.resolve(null);
  asked.add(path);
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (reason) headers['X-Access-Reason'] = reason;
  const answer = fetch(path, { credentials: 'same-origin', headers });
  answer.catch(() => undefined);
  answers.set(path, { at: performance.now(), answer });
  return answer;
}

/** The early answer to `path` if there is a good, fresh one (once), else undefined: the caller asks itself. */
export async function takeEarly(path: string): Promise<Response | undefined> {
  if (firstPage()) asked.add(path);
  const known = answers.get(path);
  if (!known) return undefined;
  answers.delete(path);
  if (performance.now() - known.at > FRESH_MS) return undefined;
  const res = await known.answer.catch(() => undefined);
  return res?.ok ? res : undefined;
}
