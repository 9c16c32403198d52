import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Db, Queryable } from '@comobi/db';
import {
  dbTarget,
  download,
  gtfsResources,
  importFeed,
  listDatasets,
  type ImportReport,
  type TdgDataset,
  type TdgResource,
} from '@comobi/gtfs-import';
import { notFound } from '../http/errors.ts';
import { referenceOf } from './reference.ts';

/**
 * The GTFS and GTFS-Flex feeds that cover a territory, from the national access point (transport.data.gouv.fr).
 * Its API has no spatial query and its datasets carry no bounding box: what a dataset covers is its declared
 * `covered_area` (communes, EPCI, départements, régions, the whole country), matched here against the territory's
 * communes through the Code officiel géographique (@etalab/decoupage-administratif).
 */

export type CoverKind = 'commune' | 'epci' | 'departement' | 'region';

export interface CoveringFeed {
  dataset: Pick<TdgDataset, 'id' | 'title' | 'slug'>;
  resource: Pick<TdgResource, 'id' | 'title' | 'url'>;
  /** The first covered area that touches the territory (what made it match). */
  by: { kind: CoverKind; insee: string; nom: string };
}

export interface FeedSearchReport {
  listed: number;
  covering: CoveringFeed[];
  /** Datasets covering the territory but with no GTFS resource (NeTEx only, GBFS…): not importable. */
  notGtfs: { id: string; title: string }[];
  /** Datasets declared national: covering everything, left to a deliberate `gtfs-import pan`. */
  national: number;
  ms: number;
}

interface EpciEntry {
  code: string;
  membres: { code: string }[];
}
interface DepartementEntry {
  code: string;
  region: string;
}

const cog = <T>(file: string): T => JSON.parse(fs.readFileSync(createRequire(import.meta.url).resolve(`@etalab/decoupage-administratif/data/${file}`), 'utf8')) as T;

/** The codes, by kind of area, that touch the territory: its communes, their EPCI, départements and régions. */
export function territoryAreas(communes: string[]): Record<CoverKind, Set<string>> {
  const set = new Set(communes);
  const departements = new Set<string>();
  for (const insee of communes) {
    const dep = referenceOf(insee)?.departement;
    if (dep) departements.add(dep);
  }
  const epci = new Set(cog<EpciEntry[]>('epci.json').filter((e) => e.membres.some((m) => set.has(m.code))).map((e) => e.code));
  const regions = new Set(cog<DepartementEntry[]>('departements.json').filter((d) => departements.has(d.code)).map((d) => d.region));
  return { commune: set, epci, departement: departements, region: regions };
}

const KINDS: CoverKind[] = ['commune', 'epci', 'departement', 'region'];

/** Datasets of the access point whose declared area touches the territory, with the GTFS resource to import. */
export async function findCoveringFeeds(db: Queryable, territoryId: number, apiUrl?: string): Promise<FeedSearchReport> {
  const t0 = performance.now();
  const { rows } = await db.query<{ insee: string }>('SELECT insee FROM communes WHERE territory_id = $1', [territoryId]);
  if (!rows.length) throw notFound('territory', territoryId);
  const areas = territoryAreas(rows.map((r) => r.insee));
  const all = await listDatasets(apiUrl);
  const report: FeedSearchReport = { listed: all.length, covering: [], notGtfs: [], national: 0, ms: 0 };
  for (const d of all) {
    const declared = d.covered_area ?? [];
    const hit = declared.find((a) => KINDS.includes(a.type as CoverKind) && areas[a.type as CoverKind].has(a.insee));
    if (!hit) {
      if (declared.some((a) => a.type === 'pays') && gtfsResources(d).length) report.national++;
      continue;
    }
    const resource = gtfsResources(d)[0];
    if (!resource) {
      report.notGtfs.push({ id: d.id, title: d.title });
      continue;
    }
    report.covering.push({
      dataset: { id: d.id, title: d.title, slug: d.slug },
      resource: { id: resource.id, title: resource.title, url: resource.url },
      by: { kind: hit.type as CoverKind, insee: hit.insee, nom: hit.nom },
    });
  }
  report.ms = performance.now() - t0;
  return report;
}

export interface FeedImportResult {
  feed: CoveringFeed;
  downloadMs: number;
  importMs: number;
  report?: ImportReport;
  error?: string;
}

export interface FeedProgress {
  onDownload?: (feed: CoveringFeed, received: number, total: number | null) => void;
  onImport?: (feed: CoveringFeed, p: { file: string; rows: number; done: boolean }) => void;
  onDone?: (result: FeedImportResult) => void;
}

/**
 * Downloads and imports each covering feed, one after the other, under the dataset's slug and for this territory.
 * A feed that fails (unreachable, invalid) is reported and the next one still runs: one bad publisher must not
 * keep a territory from its other feeds (each import is its own transaction in gtfs-import).
 */
export async function importCoveringFeeds(
  db: Db,
  territoryId: number,
  feeds: CoveringFeed[],
  dataDir: string,
  progress: FeedProgress = {},
): Promise<FeedImportResult[]> {
  const results: FeedImportResult[] = [];
  for (const feed of feeds) {
    const zip = path.join(dataDir, 'downloads', `${feed.dataset.slug.replace(/[^\w.-]+/g, '_')}.zip`);
    const result: FeedImportResult = { feed, downloadMs: 0, importMs: 0 };
    let t = performance.now();
    try {
      await download(feed.resource.url, zip, { onProgress: (r, total) => progress.onDownload?.(feed, r, total) });
      result.downloadMs = performance.now() - t;
      t = performance.now();
      result.report = await importFeed(dbTarget(db), zip, {
        name: feed.dataset.slug,
        territoryId,
        sourceUrl: feed.resource.url,
        tdgDatasetId: feed.dataset.id,
        onProgress: (p) => progress.onImport?.(feed, p),
      });
      result.importMs = performance.now() - t;
    } catch (e) {
      result.error = (e as Error).message;
      if (result.downloadMs) result.importMs = performance.now() - t;
      else result.downloadMs = performance.now() - t;
    } finally {
      fs.rmSync(zip, { force: true });
    }
    results.push(result);
    progress.onDone?.(result);
  }
  return results;
}
