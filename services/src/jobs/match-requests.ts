import type { Log } from '../context.ts';
import { loadRequest } from '../domain/requests.ts';
import { searchRequest, storeSearch, type SearchDeps } from '../matching/request-search.ts';
import type { JobHandler } from './queue.ts';

export interface MatchRequestsPayload {
  requestIds: number[];
}

/** The service's own scope: jobs run for every territory, as the demo load that queues them does. */
const SYSTEM = { actor: 'jobs', territoryIds: null };

/**
 * Matches stored requests one by one, as a coordinator's "search again" does (the proposals stored, handled matches
 * kept): each request its own transaction, so that a stop half-way keeps what was done (running it again is harmless).
 * Requests gone or no longer open meanwhile are left as they are.
 */
export const matchRequestsJob =
  (s: SearchDeps, log: Log): JobHandler =>
  async (payload: MatchRequestsPayload, { stopping }) => {
    const t0 = performance.now();
    let matched = 0;
    let withProposals = 0;
    for (const id of payload.requestIds) {
      if (stopping()) return 'interrupted';
      const row = await loadRequest(s.db, SYSTEM, id).catch(() => null);
      if (!row || row.status !== 'open') continue;
      const found = await searchRequest(s, row);
      await s.db.transaction((tx) => storeSearch(tx, row, found));
      matched++;
      if (found.answer.proposals.length) withProposals++;
    }
    log('requests matched', { requests: matched, withProposals, ms: Math.round(performance.now() - t0) });
    return 'done';
  };
