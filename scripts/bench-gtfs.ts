/**
 * GTFS import benchmark on the real PostgreSQL (DATABASE_URL's server, default postgres://postgres@127.0.0.1:5432):
 *   npx tsx scripts/bench-gtfs.ts <feed.zip> [--times N] [--queries N] [--keep]
 * Creates a scratch database, imports the feed (N times with prefixed ids: --times 8 turns the TER feed's 300k
 * stop_times into 2.4M), prints rows/s per file, total time and the import's peak RSS, then times a raw COPY of
 * stop_times.txt alone (text columns, no checks: the floor) for the ratio, then the p50/p95 of seeded transit-alternative
 * queries between the Lot's towns (on the N copies: --times 1 is the Lot with its feed). Drops the database unless --keep.
 */
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import seedrandom from 'seedrandom';
import { openDb } from '@comobi/db';
import { migrate } from '../services/src/schema.ts';
import { addDays } from '../services/src/time/days.ts';
import { findAlternatives } from '../services/src/transit/index.ts';
import { importFeed } from '../gtfs-import/src/load.ts';
import { formatReport } from '../gtfs-import/src/report.ts';
import { postgresTarget } from '../gtfs-import/src/target.ts';
import { openFeedZip } from '../gtfs-import/src/zip.ts';

const args = process.argv.slice(2);
const flag = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const feed = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!feed) {
  console.error('usage: npx tsx scripts/bench-gtfs.ts <feed.zip> [--times N] [--queries N] [--keep]');
  process.exit(2);
}
const times = flag('--times', 1);
const queries = flag('--queries', 200);
const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `comobi_gtfs_bench_${Date.now().toString(36)}`;
const url = new URL(server);
url.pathname = `/${dbName}`;

const admin = new pg.Client({ connectionString: server });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
try {
  const db = await openDb({ DATABASE_URL: url.toString(), DATA_DIR: '/tmp' });
  await migrate(db);

  const target = await postgresTarget(url.toString());
  const t0 = performance.now();
  const report = await importFeed(target, feed, { name: 'bench', repeat: times });
  const totalMs = performance.now() - t0;
  await target.close();
  // Peak memory of the import alone: read before the raw COPY below adds its own buffers.
  const importRssMb = Math.round(process.resourceUsage().maxRSS / 1024);

  // The floor: stop_times.txt streamed from the zip into text columns, as many times as the import reads it.
  const zip = await openFeedZip(feed);
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const header = await firstLine(await zip.open('stop_times.txt'));
  await client.query(`CREATE UNLOGGED TABLE raw_stop_times (${header.map((h) => `"${h}" text`).join(', ')})`);
  const tr = performance.now();
  for (let i = 0; i < times; i++) {
    await pipeline(await zip.open('stop_times.txt'), client.query(copyFrom('COPY raw_stop_times FROM STDIN (FORMAT csv, HEADER true)')));
  }
  const rawMs = performance.now() - tr;
  const [{ n: rawRows }] = (await client.query('SELECT count(*)::int AS n FROM raw_stop_times')).rows;
  await client.query('DROP TABLE raw_stop_times');
  await client.end();
  zip.close();

  const st = report.files.find((f) => f.file === 'stop_times.txt')!;
  console.log(formatReport(report));
  console.log(`\nfeed ×${times}: ${st.rows} stop_times, total ${(totalMs / 1000).toFixed(2)} s (indexes etc. ${(report.indexMs / 1000).toFixed(2)} s)`);
  console.log(`raw COPY of stop_times.txt alone: ${rawRows} rows in ${(rawMs / 1000).toFixed(2)} s (${Math.round(rawRows / rawMs * 1000)} rows/s)`);
  console.log(`ratio stop_times import / raw COPY: ${(st.ms / rawMs).toFixed(2)}; whole import / raw COPY: ${(totalMs / rawMs).toFixed(2)}`);
  console.log(`peak RSS of the import (this process, before the raw COPY): ${importRssMb} MB`);

  if (queries > 0) {
    // Seeded trips between the Lot's towns (and random points near them), on a weekday of the feed's period.
    const towns: [string, number, number][] = [
      ['Cahors', 1.4364, 44.4475], ['Figeac', 2.0317, 44.6086], ['Souillac', 1.4747, 44.8968], ['Gourdon', 1.3828, 44.7373],
      ['Rocamadour', 1.6186, 44.7994], ['Biars-sur-Cère', 1.8537, 44.9266], ['Gramat', 1.7256, 44.7808], ['Saint-Céré', 1.8944, 44.8594],
      ['Capdenac', 2.0775, 44.5766], ['Lalbenque', 1.5461, 44.3386], ['Puy-l\'Évêque', 1.1394, 44.5044], ['Prayssac', 1.1886, 44.5047],
    ];
    const rng = seedrandom('comobi-gtfs-bench');
    const jitter = () => (rng() - 0.5) * 0.01;
    const date = report.servicePeriod ? addDays(report.servicePeriod.start, 6) : '2025-01-28';
    const latencies: number[] = [];
    let found = 0;
    for (let i = 0; i < queries; i++) {
      const a = towns[Math.floor(rng() * towns.length)];
      let b = towns[Math.floor(rng() * towns.length)];
      if (b === a) b = towns[(towns.indexOf(a) + 1) % towns.length];
      const t = performance.now();
      const alt = await findAlternatives(db, {
        from: [a[1] + jitter(), a[2] + jitter()], to: [b[1] + jitter(), b[2] + jitter()], date,
        timeMin: 360 + Math.floor(rng() * 720), timeKind: rng() < 0.5 ? 'depart' : 'arrive', toleranceMin: 60,
        purpose: rng() < 0.3 ? 'health' : 'work', territoryId: null, walkMaxM: 1000,
      });
      latencies.push(performance.now() - t);
      if (alt.transit.length) found++;
    }
    latencies.sort((x, y) => x - y);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(1);
    console.log(`\nalternatives: ${queries} queries on ${date}, ${found} with a transit journey; p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, max ${pct(1)} ms`);
  }
  await db.close();
} finally {
  if (!args.includes('--keep')) await admin.query(`DROP DATABASE ${dbName} WITH (FORCE)`);
  else console.log(`kept database ${dbName}`);
  await admin.end();
}

async function firstLine(stream: NodeJS.ReadableStream): Promise<string[]> {
  let text = '';
  for await (const c of stream) {
    text += c.toString();
    if (text.includes('\n')) break;
  }
  (stream as unknown as { destroy(): void }).destroy();
  return text.split('\n')[0].replace(/^\uFEFF/, '').replace(/\r$/, '').split(',');
}

void once;
