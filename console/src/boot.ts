import { askEarly, communesPath, roadsPath } from './early.ts';
import { asDriverLeg, detourPath, peoplePath, requestPath, reviewReason, shownProposal, tripPath, type ReviewHead } from './requests/review-data.ts';

/**
 * Runs before the app (its own entry in index.html, about a kilobyte): what the first page will wait for is asked
 * while the libraries (about 900 KB) are still being fetched and compiled, instead of after them. On the request
 * review page, the coordinator's main page, that is the request, then its people, its territory's map layers, the
 * shown driver's trip and the route with the detour; and the page's own scripts are fetched now (index.html lists
 * them, see routeChunks in vite.config.ts) rather than once the app has started and React.lazy asks for them.
 */
// A user of one territory: its map layers at once, before the request has said which territory it is in.
askEarly('/auth/me')
  .then((r) => (r?.ok ? (r.clone().json() as Promise<{ territoryIds: number[] | null }>) : null))
  .then((me) => {
    if (me?.territoryIds?.length !== 1 || !/^#\/requests\/\d+\/show/.test(window.location.hash)) return;
    askEarly(communesPath(me.territoryIds[0], true));
    askEarly(roadsPath(me.territoryIds[0]));
  })
  .catch(() => undefined);

const review = /^#\/requests\/(\d+)\/show(?:\?(.*))?/.exec(window.location.hash);
if (review) {
  const id = review[1];
  const reason = reviewReason(id);
  const chosen = Number(new URLSearchParams(review[2] ?? '').get('match')) || null;
  askEarly(requestPath(id), reason)
    .then((r) => (r?.ok ? (r.clone().json() as Promise<ReviewHead>) : null))
    .then((req) => {
      if (!req) return;
      const people = peoplePath(req);
      if (people) askEarly(people, reason);
      // Already asked above for a user of one territory (askEarly asks a path once).
      askEarly(communesPath(req.territoryId, true));
      askEarly(roadsPath(req.territoryId));
      const m = shownProposal(req.proposals, chosen);
      // A volunteer's proposal is drawn from other answers (VolunteerProposal.tsx): asked by the page itself.
      if (!m?.tripId || m.kind === 'volunteer') return;
      return askEarly(tripPath(m.tripId), reason)
        .then((r) => (r?.ok ? (r.clone().json() as Promise<Parameters<typeof asDriverLeg>[0]>) : null))
        .then((trip) => trip && askEarly(detourPath(asDriverLeg(trip, m.leg), m)));
    })
    .catch(() => undefined);
}

// The scripts of the page named by the address, from the table the build wrote into index.html.
const table = document.getElementById('route-chunks')?.textContent;
if (table) {
  const routes = JSON.parse(table) as { route: string; files: string[] }[];
  const page = routes.find((r) => new RegExp(r.route).test(window.location.hash));
  for (const f of page?.files ?? []) {
    const link = document.createElement('link');
    if (f.endsWith('.css')) Object.assign(link, { rel: 'preload', as: 'style' });
    else Object.assign(link, { rel: 'modulepreload', crossOrigin: '' });
    link.href = f;
    document.head.appendChild(link);
  }
}
