import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextDateOn } from '../integrations/journey-finder.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { DEPLOY_NGINX_CONF, startNginx, upstreamKeepaliveTimeoutMs, type Nginx } from '../helpers/nginx.ts';
import { ADMIN_TOKEN } from '../helpers/server.ts';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.ts';

// Two replicas (services/src/main.ts, each its own process) behind a real nginx configured from deploy/nginx.conf,
// on one real PostgreSQL: what `docker compose up` runs, on loopback.
let db: TestDb;
let replicas: ServiceProcess[] = [];
let lb: Nginx;
let territoryId: number;
let driverId: number;

beforeAll(async () => {
  db = await createTestDb('postgres');
  replicas = await Promise.all([startServiceProcess(db.url!), startServiceProcess(db.url!)]);
  lb = await startNginx(replicas.map((r) => r.address));
  territoryId = (await post('/api/territories', { slug: 'balancer', name: 'Répartiteur' })).body.id;
  driverId = (await post('/api/people', { territoryId, isDriver: true })).body.id;
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await lb?.stop();
  await db?.drop();
});

interface Answer {
  status: number;
  body: any;
  /** The replica that answered last (nginx's `$upstream_addr`, last of "a, b" when it passed the request on). */
  upstream: string;
}

/** POST through the balancer. A request that got no HTTP answer at all rejects (fetch's TypeError). */
async function post(p: string, body: unknown): Promise<Answer> {
  const r = await fetch(lb.url + p, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text; // nginx's own HTML error page (502)
  }
  return { status: r.status, body: parsed, upstream: (r.headers.get('x-upstream') ?? '').split(', ').at(-1)! };
}

/** "502 ×3, fetch failed ×1": how the unacknowledged writes ended. */
function tally(xs: string[]): string {
  const n = new Map<string, number>();
  for (const x of xs) n.set(x, (n.get(x) ?? 0) + 1);
  return [...n].map(([x, k]) => `${x} ×${k}`).join(', ') || 'none';
}

/** After one request on a fresh connection, how long the server at `address` waits idle before closing it. */
function idleCloseMs(address: string): Promise<number> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), host);
    let answeredAt = 0;
    socket.once('connect', () => socket.write(`GET /health HTTP/1.1\r\nHost: ${address}\r\n\r\n`));
    socket.on('data', () => (answeredAt = Date.now()));
    socket.once('end', () => resolve(Date.now() - answeredAt));
    socket.once('error', reject);
  });
}

const CAHORS = { lng: 1.4419, lat: 44.4475 };
const tripBody = (departureTime: string) => ({
  territoryId,
  driverId,
  kind: 'regular',
  weekdays: [1],
  departureTime,
  origin: { lng: 1.3832, lat: 44.7373 },
  destination: CAHORS,
});

describe('two replicas behind nginx', () => {
  it('matches, through the other replica, a trip written through the balancer to one replica, within 1 s', async () => {
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const match = {
      territoryId,
      from: { lng: 1.5296, lat: 44.5911 },
      to: CAHORS,
      date: nextDateOn(1, tomorrow),
      time: '07:45',
    };
    // Round robin: consecutive requests reach both replicas; neither knows a driver yet.
    const before = await Promise.all([post('/api/match', match), post('/api/match', match)]);
    expect(new Set(before.map((a) => a.upstream))).toEqual(new Set(replicas.map((r) => r.address)));
    for (const a of before) expect(a.body.proposals).toEqual([]);

    const trip = await post('/api/trips', tripBody('07:30'));
    expect(trip.status).toBe(201);
    const written = Date.now();
    const writer = trip.upstream;
    expect(replicas.map((r) => r.address)).toContain(writer);
    let seenByOther: any[] | undefined;
    while (Date.now() - written < 1000) {
      const a = await post('/api/match', match);
      expect(a.status).toBe(200);
      if (a.upstream !== writer) {
        seenByOther = a.body.proposals;
        if (seenByOther!.length) break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(seenByOther?.map((p) => p.tripId)).toEqual([trip.body.id]);
  });

  it('drops an idle connection to a replica before the replica does', async () => {
    // A replica closes a keep-alive connection left idle (Node's keepAliveTimeout). If nginx keeps it longer, it
    // can send a request on it just as the replica closes it: a POST then gets a 502 and is not resent.
    const replicaIdleMs = await idleCloseMs(replicas[0].address);
    expect(upstreamKeepaliveTimeoutMs(fs.readFileSync(DEPLOY_NGINX_CONF, 'utf8'))).toBeLessThan(replicaIdleMs);
  });

  it('loses no acknowledged write when a replica is killed mid-burst, and answers from the survivor', async () => {
    const WRITES = 200;
    const CONCURRENCY = 8;
    const KILL_AFTER = 40; // acknowledged writes: enough for both replicas to have taken some
    const [survivor, victim] = replicas;
    interface Outcome {
      status?: number;
      id?: number;
      upstream?: string;
      /** Started once the victim had exited (its sockets closed): nothing of it can have reached the victim. */
      startedAfterKill: boolean;
      endedBeforeKill: boolean;
      error?: string;
    }
    const outcomes: Outcome[] = [];
    let acked = 0;
    let killSent = false;
    // From the SIGKILL until the victim has exited, no new write starts: every write is either in flight at the
    // kill or started once the victim is gone, none in between (when the dying process might still accept it).
    let victimExited: Promise<void> | undefined;
    let next = 0;
    const worker = async () => {
      for (;;) {
        if (victimExited) await victimExited;
        if (next >= WRITES) return;
        const i = next++;
        const o: Outcome = { startedAfterKill: killSent, endedBeforeKill: false };
        try {
          const a = await post('/api/trips', tripBody(`0${6 + Math.floor(i / 60)}:${String(i % 60).padStart(2, '0')}`));
          o.status = a.status;
          o.upstream = a.upstream;
          if (a.status >= 200 && a.status < 300 && typeof a.body?.id === 'number') o.id = a.body.id;
        } catch (e) {
          o.error = String((e as Error).cause ?? e);
        }
        o.endedBeforeKill = !killSent;
        outcomes.push(o);
        if (o.id !== undefined && ++acked === KILL_AFTER) {
          killSent = true;
          victim.child.kill('SIGKILL');
          victimExited = victim.exited;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    const ok = outcomes.filter((o) => o.id !== undefined);
    const unanswered = outcomes.filter((o) => o.id === undefined);
    const afterKill = outcomes.filter((o) => o.startedAfterKill);
    const inFlight = outcomes.filter((o) => !o.startedAfterKill && !o.endedBeforeKill);
    console.log(
      `balancer burst: ${WRITES} trip writes, concurrency ${CONCURRENCY}, victim SIGKILLed after ${KILL_AFTER} ` +
        `acknowledged; acknowledged ${ok.length}, not acknowledged ${unanswered.length} ` +
        `(${tally(unanswered.map((o) => String(o.status ?? o.error)))}), in flight at the kill ${inFlight.length}, ` +
        `started after the victim exited ${afterKill.length}`,
    );
    expect(outcomes).toHaveLength(WRITES);
    // Both replicas took writes before the kill: the victim was serving the burst when it died.
    const beforeKill = outcomes.filter((o) => o.endedBeforeKill);
    expect(new Set(beforeKill.map((o) => o.upstream))).toEqual(new Set(replicas.map((r) => r.address)));
    expect(beforeKill.every((o) => o.id !== undefined)).toBe(true);
    // Once the victim is gone, nginx passes every request to the survivor (connection refused is retried even for
    // POST: nothing was sent), and every one succeeds.
    expect(afterKill.length).toBeGreaterThan(WRITES / 2);
    expect(afterKill.map((o) => [o.status, o.upstream])).toEqual(afterKill.map(() => [201, survivor.address]));
    // Only writes in flight at the kill may have gone unanswered: the victim's (nginx answers 502 and does not
    // resend a POST it had sent), never more than the other workers' writes in flight.
    expect(unanswered.every((o) => !o.startedAfterKill && !o.endedBeforeKill)).toBe(true);
    expect(inFlight.length).toBeLessThan(CONCURRENCY);

    // Every acknowledged write is in PostgreSQL; beyond them, at most the unanswered ones (committed before the
    // victim could answer), never a write done twice.
    const rows = await db.db.query<{ id: number }>('SELECT id FROM trips WHERE driver_id = $1 ORDER BY id', [driverId]);
    const stored = new Set(rows.rows.map((r) => Number(r.id)));
    const missing = ok.filter((o) => !stored.has(o.id!)).map((o) => o.id);
    expect(missing).toEqual([]);
    // The first test's trip is this driver's too.
    expect(stored.size - 1).toBeGreaterThanOrEqual(ok.length);
    expect(stored.size - 1).toBeLessThanOrEqual(ok.length + unanswered.length);

    // The balancer still answers reads, from the survivor.
    const r = await fetch(`${lb.url}/health`);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-upstream')?.split(', ').at(-1)).toBe(survivor.address);
  });
});
