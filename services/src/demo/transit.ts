import fs from 'node:fs';
import path from 'node:path';
import type { Db, Queryable } from '@comobi/db';
import { dbTarget, importFeed, openFeedZip, readCsv, type ImportReport } from '@comobi/gtfs-import';
import { addProviders, type ProviderInput } from '../domain/providers.ts';
import { dayNumber } from '../time/days.ts';

/** The demo's TER timetable (fixtures/gtfs/README.md): the trips of the SNCF TER feed that stop in the Lot. */
export const DEMO_FEED = {
  file: 'gtfs/ter-lot.zip',
  name: 'SNCF TER – lignes du Lot (démo)',
  source: 'fixtures/gtfs/ter-lot.zip : extrait du GTFS TER de SNCF Voyageurs (transport.data.gouv.fr), licence ODbL',
};

/** The invented on-demand and seated-patient transport providers of the demo (fixtures/demo-providers.json). */
export async function addDemoProviders(tx: Queryable, territoryId: number, fixturesDir: string): Promise<number> {
  const { providers } = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'demo-providers.json'), 'utf8')) as {
    providers: ProviderInput[];
  };
  return (await addProviders(tx, territoryId, providers)).length;
}

/** The feed's published first day (feed_info.txt), YYYY-MM-DD. */
async function publishedStart(zipPath: string): Promise<string | null> {
  const zip = await openFeedZip(zipPath);
  try {
    if (!zip.entries.has('feed_info.txt')) return null;
    let header: string[] | undefined;
    for await (const batch of readCsv(await zip.open('feed_info.txt'), { file: 'feed_info.txt', strict: false }))
      for (const row of batch.rows) {
        if (!header) header = row.map((h) => h.trim());
        else {
          const d = row[header.indexOf('feed_start_date')];
          if (d && /^\d{8}$/.test(d)) return `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
        }
      }
    return null;
  } finally {
    zip.close();
  }
}

/**
 * Whole weeks from the published start to the week of `today`: the feed's first day lands in the last seven days,
 * each service keeps its weekdays, and the three months of timetable cover the demo's dates (up to 20 days ahead).
 */
export function weeksToNow(start: string, today: string): number {
  return Math.max(0, Math.floor((dayNumber(today) - dayNumber(start)) / 7)) * 7;
}

/**
 * The demo's TER extract, imported through the importer (its own transaction, after the demo's), its dates moved to
 * the current period. Returns the import report.
 */
export async function loadDemoFeed(db: Db, territoryId: number, fixturesDir: string, today = new Date().toISOString().slice(0, 10)): Promise<ImportReport> {
  const zip = path.join(fixturesDir, DEMO_FEED.file);
  const start = await publishedStart(zip);
  return importFeed(dbTarget(db), zip, {
    name: DEMO_FEED.name,
    territoryId,
    // Where it comes from, as the feed list shows it (not this machine's path).
    sourceUrl: DEMO_FEED.source,
    shiftDays: start ? weeksToNow(start, today) : 0,
    today,
  });
}
