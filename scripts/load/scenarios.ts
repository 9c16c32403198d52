import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { Cluster } from './cluster.ts';
import { ADMIN_TOKEN, demoBodies, openLoop, percentile, sleep, startService, type Service } from './service.ts';

/** The checks connect after the fault: the server may still be starting. */
async function connectRetrying(url: string): Promise<pg.Client> {
  for (let i = 0; ; i++) {
    const c = new pg.Client({ connectionString: url });
    try {
      await c.connect();
      return c;
    } catch (e) {
      await c.end().catch(() => {});
      if (i >= 20) throw e;
      await sleep(500);
    }
  }
}
const round = (n: number) => Math.round(n * 10) / 10;
const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: round(percentile(s, 50)), p95: round(percentile(s, 95)), p99: round(percentile(s, 99)), max: round(s.at(-1) ?? NaN) };
};
const post = (url: string, path: string, body: unknown, timeoutMs = 30_000) =>
  fetch(url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  }).then(async (r) => ({ status: r.status, body: (await r.json().catch(() => undefined)) as any }));

/** 200 POST /api/match per second for 60 s against one process on PostgreSQL: no error, latency percentiles. */
export async function loadScenario(svc: Service, opts: { rate: number; durationS: number }) {
  const bodies = await demoBodies(svc);
  const { results, skipped } = await openLoop(opts.rate, opts.durationS * 1000, (i) => post(svc.url, '/api/match', bodies[i % bodies.length]));
  const ok = results.filter((r) => r.value?.status === 200);
  const bad = results.filter((r) => r.value?.status !== 200);
  const lastT = Math.max(...results.map((r) => r.t + r.ms));
  return {
    scenario: 'load',
    target: `${opts.rate} req/s × ${opts.durationS} s POST /api/match`,
    sent: results.length,
    ok: ok.length,
    errors: bad.length,
    errorSamples: bad.slice(0, 3).map((r) => r.error ?? `${r.value?.status} ${JSON.stringify(r.value?.body).slice(0, 120)}`),
    skippedOverInFlightCap: skipped,
    achievedRatePerS: round(results.length / (lastT / 1000)),
    latencyMs: stats(ok.map((r) => r.ms)),
    withProposals: ok.filter((r) => r.value!.body.proposals.length > 0).length,
    approximate: ok.filter((r) => r.value!.body.approximate).length,
  };
}

/**
 * Writes (POST /api/requests) at a steady rate while the database is stopped and started again: while it is away
 * the service answers 503 (never 500), it recovers by itself, and every write it acknowledged is in the database.
 */
export async function dbRestartScenario(svc: Service, cluster: Cluster, opts: { rate: number; durationS: number; downAtS: number; downForS: number }) {
  const bodies = await demoBodies(svc);
  const marker = `db-restart-${Date.now()}`;
  const health: { t: number; status: number }[] = [];
  let polling = true;
  const t0 = performance.now();
  const poller = (async () => {
    while (polling) {
      const t = performance.now() - t0;
      const status = await fetch(`${svc.url}/health`, { signal: AbortSignal.timeout(3000) }).then((r) => r.status, () => 0);
      health.push({ t, status });
      await sleep(200);
    }
  })();
  let downT = 0, upT = 0;
  const fault = (async () => {
    await sleep(opts.downAtS * 1000);
    downT = performance.now() - t0;
    cluster.stop();
    await sleep(opts.downForS * 1000);
    cluster.start();
    upT = performance.now() - t0;
  })();
  const { results } = await openLoop(opts.rate, opts.durationS * 1000, (i) =>
    post(svc.url, '/api/requests', { ...bodies[i % bodies.length], note: marker, toleranceMin: 30 }, 10_000));
  await fault;
  polling = false;
  await poller;
  const accepted = results.filter((r) => r.value?.status === 201);
  const unavailable = results.filter((r) => r.value?.status === 503);
  const other = results.filter((r) => r.value?.status !== 201 && r.value?.status !== 503);
  const firstOkAfterUp = accepted.filter((r) => r.t + r.ms > upT).sort((a, b) => a.t + a.ms - (b.t + b.ms))[0];
  // Every acknowledged write is there, with all the proposals it was acknowledged with.
  const c = await connectRetrying(cluster.url);
  const rows = (await c.query<{ id: number; n: number }>(
    'SELECT r.id, (SELECT count(*)::int FROM matches m WHERE m.request_id = r.id) AS n FROM requests r WHERE r.note = $1', [marker])).rows;
  await c.end();
  const inDb = new Map(rows.map((r) => [r.id, r.n]));
  const lost = accepted.filter((r) => !inDb.has(r.value!.body.id));
  const partial = accepted.filter((r) => inDb.get(r.value!.body.id) !== r.value!.body.proposals.length);
  return {
    scenario: 'db-restart',
    target: `${opts.rate} writes/s × ${opts.durationS} s, database stopped at ${opts.downAtS} s for ${opts.downForS} s`,
    sent: results.length,
    accepted: accepted.length,
    answered503: unavailable.length,
    otherAnswers: other.length,
    otherSamples: other.slice(0, 3).map((r) => r.error ?? `${r.value?.status} ${JSON.stringify(r.value?.body).slice(0, 160)}`),
    health503WhileDown: health.filter((h) => h.t > downT + 300 && h.t < upT).every((h) => h.status === 503),
    healthSamplesWhileDown: health.filter((h) => h.t > downT + 300 && h.t < upT).length,
    recoveredAfterMs: firstOkAfterUp ? Math.round(firstOkAfterUp.t + firstOkAfterUp.ms - upT) : null,
    acceptedMissingInDb: lost.length,
    acceptedWithWrongProposalCount: partial.length,
    rowsInDbNotAcknowledged: rows.length - accepted.length,
  };
}

/** A loopback OSRM that accepts connections and never answers, or a port where nothing listens. */
async function fakeOsrm(kind: 'hang' | 'refuse'): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer(() => {
    /* never answers */
  });
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((r) => {
    for (const s of sockets) s.destroy();
    server.close(() => r());
  });
  if (kind === 'refuse') await close();
  return { url, close: kind === 'refuse' ? async () => {} : close };
}

/** OSRM down (refused) or hanging: matching answers approximate within MATCH_DEADLINE_MS instead of failing. */
export async function routerDownScenario(databaseUrl: string, opts: { deadlineMs: number; requests: number }) {
  const out: Record<string, unknown>[] = [];
  for (const kind of ['refuse', 'hang'] as const) {
    const osrm = await fakeOsrm(kind);
    const svc = await startService({ DATABASE_URL: databaseUrl, DEMO: 'off', OSRM_URL: osrm.url, MATCH_DEADLINE_MS: String(opts.deadlineMs), OSRM_TIMEOUT_MS: String(opts.deadlineMs * 3) });
    try {
      const bodies = await demoBodies(svc);
      const lat: number[] = [];
      let approximate = 0, ok = 0, routed = 0, routedApproximate = 0;
      const errors: string[] = [];
      // A few at once, as a coordinator's console and an integration would.
      for (let i = 0; i < opts.requests; i += 5) {
        await Promise.all(bodies.slice(i, i + 5).map(async (b) => {
          const t = performance.now();
          const r = await post(svc.url, '/api/match', b);
          lat.push(performance.now() - t);
          if (r.status === 200) ok++;
          else errors.push(`${r.status} ${JSON.stringify(r.body).slice(0, 120)}`);
          if (r.body?.approximate === true) approximate++;
          // Searches with no candidate never ask the router: their (empty) answer is exact.
          if (r.body?.stats?.routed > 0) {
            routed++;
            if (r.body.approximate === true) routedApproximate++;
          }
        }));
      }
      out.push({ osrm: kind, deadlineMs: opts.deadlineMs, requests: lat.length, ok, approximate, routed, routedApproximate, errors: errors.slice(0, 3), latencyMs: stats(lat), allWithinDeadlinePlus500ms: lat.every((l) => l <= opts.deadlineMs + 500) });
    } finally {
      await svc.stop();
      await osrm.close();
    }
  }
  return { scenario: 'router-down', results: out };
}

/**
 * The service killed with SIGKILL while writes are in flight, several times: every acknowledged write is in the
 * database, and no request row exists without all of its proposals (writes are one transaction each).
 */
export async function killScenario(databaseUrl: string, opts: { cycles: number; killAfterMs: number; concurrency: number }) {
  const marker = `kill-${Date.now()}`;
  let acknowledged = 0, inFlightAtKill = 0, attempts = 0;
  const acked = new Map<number, number>();
  let bodies: Record<string, unknown>[] = [];
  const expected = new Map<string, number>();
  for (let cycle = 0; cycle < opts.cycles; cycle++) {
    const svc = await startService({ DATABASE_URL: databaseUrl, DEMO: 'off' });
    if (!bodies.length) {
      // Bodies whose proposals are known (the same search gives the same proposals): a half-write shows as fewer matches.
      for (const b of (await demoBodies(svc)).slice(0, 60)) {
        const r = await svc.api('POST', '/api/match', b);
        if (r.body.proposals.length > 0) {
          bodies.push(b);
          expected.set(JSON.stringify(b), r.body.proposals.length);
        }
      }
    }
    let stop = false;
    let inFlight = 0;
    const workers = Array.from({ length: opts.concurrency }, async (_, w) => {
      for (let i = w; !stop; i += opts.concurrency) {
        const b = bodies[i % bodies.length];
        attempts++;
        inFlight++;
        try {
          const r = await post(svc.url, '/api/requests', { ...b, note: `${marker}:${JSON.stringify(b)}` }, 10_000);
          if (r.status === 201) {
            acknowledged++;
            acked.set(r.body.id, r.body.proposals.length);
          }
        } catch {
          stop = true; // connection reset: the process is gone
        } finally {
          inFlight--;
        }
      }
    });
    await sleep(opts.killAfterMs);
    inFlightAtKill += inFlight;
    svc.child.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
  }
  const c = await connectRetrying(databaseUrl);
  const rows = (await c.query<{ id: number; note: string; n: number }>(
    `SELECT r.id, r.note, (SELECT count(*)::int FROM matches m WHERE m.request_id = r.id) AS n FROM requests r WHERE r.note LIKE $1`, [`${marker}:%`])).rows;
  await c.end();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const missing = [...acked.keys()].filter((id) => !byId.has(id));
  const halfWritten = rows.filter((r) => r.n !== expected.get(r.note.slice(marker.length + 1)));
  // And the service starts again on the same database after the last kill.
  const again = await startService({ DATABASE_URL: databaseUrl, DEMO: 'off' });
  const restarted = (await fetch(`${again.url}/health`)).status;
  await again.stop();
  return {
    scenario: 'kill',
    cycles: opts.cycles,
    writesAttempted: attempts,
    acknowledged,
    inFlightAtKill,
    rowsInDb: rows.length,
    acknowledgedMissing: missing.length,
    rowsWithoutAllProposals: halfWritten.length,
    committedButUnacknowledged: rows.length - acknowledged,
    healthAfterRestart: restarted,
  };
}
