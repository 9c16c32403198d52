/**
 * Volunteers in the matching benchmark (`npm run bench -- match --volunteers 500`): seeded volunteer drivers of the
 * Lot in a scratch PostgreSQL database (the schema migrated as the service does), then every benchmark request
 * matched as the API does it, commuters and volunteers together (`matchAll`), against commuters alone.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import seedrandom from 'seedrandom';
import { openDb } from '@comobi/db';
import { matchVolunteers } from '../src/matching/volunteers.ts';
import type { Matcher, MatchQuery } from '../src/matching/matcher.ts';
import type { Router } from '../src/routing/types.ts';
import { migrate } from '../src/schema.ts';

const PURPOSES = ['health', 'work', 'training', 'shopping', 'admin', 'leisure', 'other'];

export async function volunteerBench(o: {
  pgUrl: string;
  router: Router;
  matcher: Matcher;
  queries: MatchQuery[];
  count: number;
  line: (label: string, xs: number[]) => void;
  pct: (xs: number[], p: number) => number;
}) {
  const name = `comobi_bench_vol_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: o.pgUrl });
  try {
    await admin.connect();
  } catch (e) {
    console.log(`volunteers                         skipped: no PostgreSQL at ${o.pgUrl} (${(e as Error).message})`);
    return;
  }
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(o.pgUrl);
  u.pathname = `/${name}`;
  const db = await openDb({ DATABASE_URL: u.toString(), DATA_DIR: '' });
  try {
    await migrate(db);
    // The bench's trips are in territory 1 (the Lot, or the first place of --spread national).
    await db.query(`INSERT INTO territories (id, slug, name) VALUES (1, 'lot', 'Lot') ON CONFLICT DO NOTHING`);
    const rng = seedrandom('bench-volunteers');
    const rows = Array.from({ length: o.count }, (_, n) => {
      const days = [1, 2, 3, 4, 5, 6].filter(() => rng() < 0.45);
      return {
        n: n + 1,
        lng: 1.0 + rng() * 1.2,
        lat: 44.2 + rng() * 0.75,
        max_km: rng() < 0.8 ? 20 + Math.round(rng() * 30) : null,
        max_minutes: 25 + Math.round(rng() * 35),
        wheelchair: rng() < 0.1,
        purposes: PURPOSES.filter((p) => p === 'health' || rng() < 0.6),
        slots: (days.length ? days : [2]).flatMap((d) =>
          rng() < 0.5 ? [[d, 480, 720], [d, 840, 1080]] : [[d, 420 + Math.round(rng() * 4) * 30, 1140]],
        ),
      };
    });
    const t0 = performance.now();
    await db.query(
      `WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(n bigint, lng float8, lat float8, max_km real,
         max_minutes int, wheelchair bool, purposes text[], slots jsonb)),
       p AS (INSERT INTO people (territory_id, is_driver) SELECT 1, true FROM x ORDER BY n RETURNING id),
       pn AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM p),
       v AS (INSERT INTO volunteers (person_id, territory_id, home, max_km, max_minutes, seats, wheelchair, purposes)
         SELECT pn.id, 1, ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326), x.max_km, x.max_minutes, 3, x.wheelchair, x.purposes
         FROM x JOIN pn ON pn.n = x.n RETURNING person_id)
       INSERT INTO volunteer_slots (volunteer_id, weekday, start_min, end_min)
         SELECT pn.id, (s->>0)::int, (s->>1)::int, (s->>2)::int FROM x JOIN pn ON pn.n = x.n, jsonb_array_elements(x.slots) s`,
      [JSON.stringify(rows)],
    );
    console.log(`volunteers seeded                  ${o.count} on the Lot in ${((performance.now() - t0) / 1000).toFixed(1)} s (weekly slots, 20–50 km or 25–60 min from home)`);
    const asks = o.queries.map((q) => ({ ...q, territoryIds: [1], purpose: 'health' as const, needs: [] }));
    for (const q of asks.slice(0, 20)) await matchVolunteers(db, o.router, q); // warm-up
    const cpu = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const bothCpuMs: number[] = [];
    const carpoolMs: number[] = [];
    const volunteerMs: number[] = [];
    const bothMs: number[] = [];
    const considered: number[] = [];
    const found: number[] = [];
    let servedCarpool = 0;
    let servedEither = 0;
    for (const q of asks) {
      let t = performance.now();
      const carpool = await o.matcher.match(q);
      carpoolMs.push(performance.now() - t);
      t = performance.now();
      const vol = await matchVolunteers(db, o.router, q);
      volunteerMs.push(performance.now() - t);
      // As the API runs them: both at once (matching/combined.ts).
      t = performance.now();
      const c0 = cpu();
      await Promise.all([o.matcher.match(q), matchVolunteers(db, o.router, q)]);
      bothMs.push(performance.now() - t);
      bothCpuMs.push(cpu() - c0);
      considered.push(vol.considered);
      found.push(vol.proposals.length);
      if (carpool.proposals.length) servedCarpool++;
      if (carpool.proposals.length || vol.proposals.length) servedEither++;
    }
    o.line('commuters only (wall)', carpoolMs);
    o.line('volunteers only (wall)', volunteerMs);
    o.line('commuters + volunteers (wall)', bothMs);
    o.line('commuters + volunteers (cpu)', bothCpuMs);
    console.log(
      `volunteers per request (median)    ${o.pct(considered, 50)} within reach of both ends, ${o.pct(found, 50)} proposed; requests served: ${servedCarpool}/${asks.length} by commuters, ${servedEither}/${asks.length} with volunteers`,
    );
  } finally {
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
