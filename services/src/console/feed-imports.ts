import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  dbTarget,
  getDataset,
  GtfsError,
  gtfsResources,
  importFeed,
  type ImportReport,
} from '@comobi/gtfs-import';
import type { Services } from '../context.ts';
import { DEFAULT_DOWNLOAD_LIMITS, downloadFeed, type DownloadLimits } from './feed-download.ts';
import type { PrivateHostPolicy } from './public-host.ts';

export type ImportStatus = 'queued' | 'downloading' | 'importing' | 'done' | 'failed';

export interface ImportProgress {
  stage?: 'resolving' | 'downloading' | 'importing';
  receivedBytes?: number;
  totalBytes?: number | null;
  /** The file being loaded and its rows so far; `files` lists every file seen, in order. */
  file?: string;
  rows?: number;
  files?: { file: string; rows: number; done: boolean }[];
}

export interface ImportOptions {
  tdgApiUrl?: string;
  allowPrivateHosts?: PrivateHostPolicy;
  limits?: Partial<DownloadLimits>;
}

export interface ImportJob {
  id: number;
  name: string;
  territoryId: number | null;
  url: string | null;
  tdgDatasetId: string | null;
}

/** Identifies this host: at start-up it fails only its own unfinished jobs, never another replica's. */
export const RUNNER = os.hostname();
/** Progress is written at most this often (each write is one UPDATE). */
export const PROGRESS_EVERY_MS = 500;

export const JOB_COLUMNS = `id, territory_id, name, url, tdg_dataset_id, status, progress, report, error, feed_id, feed_version_id,
  created_by, created_at, updated_at, finished_at`;

export interface JobRow {
  id: number;
  territory_id: number | null;
  name: string;
  url: string | null;
  tdg_dataset_id: string | null;
  status: ImportStatus;
  progress: ImportProgress;
  report: ImportReport | null;
  error: Record<string, unknown> | null;
  feed_id: number | null;
  feed_version_id: number | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export const presentJob = (r: JobRow) => ({
  id: r.id,
  territoryId: r.territory_id,
  name: r.name,
  url: r.url,
  tdgDatasetId: r.tdg_dataset_id,
  status: r.status,
  progress: r.progress,
  report: r.report,
  error: r.error,
  feedId: r.feed_id,
  feedVersionId: r.feed_version_id,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

/** The import is all-or-nothing, so a job cut by a restart left nothing half-written: it only needs its status. */
export async function failInterruptedImports(s: Services): Promise<number> {
  const { rows } = await s.db.query<{ id: number }>(
    `UPDATE feed_imports SET status = 'failed', finished_at = now(), updated_at = now(),
       error = jsonb_build_object('code', 'E_INTERRUPTED', 'message', 'the service restarted during the import')
     WHERE runner = $1 AND status IN ('queued', 'downloading', 'importing') RETURNING id`,
    [RUNNER],
  );
  if (rows.length) s.log('feed imports interrupted by a restart marked failed', { jobs: rows.map((r) => r.id) });
  return rows.length;
}

/** Writes progress no more than every PROGRESS_EVERY_MS, one UPDATE at a time; `flush` waits for the last one. */
function progressWriter(s: Services, jobId: number) {
  let latest: ImportProgress = {};
  let lastWrite = 0;
  let chain: Promise<unknown> = Promise.resolve();
  let pending = false;
  const write = () => {
    pending = false;
    lastWrite = Date.now();
    const p = latest;
    chain = chain
      .then(() =>
        s.db.query('UPDATE feed_imports SET progress = $2, updated_at = now() WHERE id = $1', [
          jobId,
          JSON.stringify(p),
        ]),
      )
      .catch((e) => s.log('feed import progress not written', { job: jobId, error: (e as Error).message }));
  };
  return {
    set(p: ImportProgress) {
      latest = p;
      if (Date.now() - lastWrite >= PROGRESS_EVERY_MS) write();
      else pending = true;
    },
    async flush() {
      if (pending) write();
      await chain;
    },
    get latest() {
      return latest;
    },
  };
}

/** The dataset API is configured, not typed by a coordinator, but a hung answer would still hold the queue. */
async function withinTime<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new GtfsError({ code: 'E_API' }, 'transport.data.gouv.fr n’a pas répondu à temps')), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

const errorJson = (e: unknown) =>
  e instanceof GtfsError ? e.toJSON() : { code: 'E_INTERNAL', message: e instanceof Error ? e.message : String(e) };

/**
 * Runs one job in this process: resolve the dataset's GTFS resource, download into DATA_DIR/feeds/, import
 * (one transaction in gtfs-import), then store the report. Never throws: failures are recorded on the job.
 */
export async function runImport(s: Services, job: ImportJob, o: ImportOptions = {}): Promise<void> {
  const progress = progressWriter(s, job.id);
  const setStatus = (status: ImportStatus) =>
    s.db.query('UPDATE feed_imports SET status = $2, updated_at = now() WHERE id = $1', [job.id, status]);
  const dir = path.join(s.config.DATA_DIR, 'feeds');
  const zip = path.join(dir, `import-${job.id}.zip`);
  try {
    await setStatus('downloading');
    let url = job.url;
    if (!url) {
      progress.set({ stage: 'resolving' });
      const dataset = await withinTime(
        getDataset(job.tdgDatasetId!, o.tdgApiUrl),
        o.limits?.totalTimeoutMs ?? DEFAULT_DOWNLOAD_LIMITS.totalTimeoutMs,
      );
      const resource = gtfsResources(dataset)[0];
      if (!resource) throw new GtfsError({ code: 'E_API' }, `dataset ${job.tdgDatasetId} has no GTFS resource`);
      url = resource.url;
      // The resolved resource is kept on the job: the report says what was downloaded.
      await s.db.query('UPDATE feed_imports SET url = $2, updated_at = now() WHERE id = $1', [job.id, url]);
    }
    progress.set({ stage: 'downloading', receivedBytes: 0, totalBytes: null });
    await downloadFeed(url, zip, {
      limits: o.limits,
      allowPrivateHosts: o.allowPrivateHosts,
      onProgress: (receivedBytes, totalBytes) => progress.set({ stage: 'downloading', receivedBytes, totalBytes }),
    });
    const downloaded = progress.latest;
    await progress.flush();
    await setStatus('importing');
    const files: NonNullable<ImportProgress['files']> = [];
    const report = await importFeed(dbTarget(s.db), zip, {
      name: job.name,
      territoryId: job.territoryId,
      sourceUrl: url,
      tdgDatasetId: job.tdgDatasetId ?? undefined,
      onProgress: (p) => {
        const last = files[files.length - 1];
        if (last?.file === p.file) Object.assign(last, { rows: p.rows, done: p.done });
        else files.push({ file: p.file, rows: p.rows, done: p.done });
        progress.set({
          ...downloaded,
          stage: 'importing',
          file: p.file,
          rows: p.rows,
          files: files.map((f) => ({ ...f })),
        });
      },
    });
    await progress.flush();
    await s.db.query(
      `UPDATE feed_imports SET status = 'done', report = $2, feed_id = $3, feed_version_id = $4, finished_at = now(), updated_at = now()
       WHERE id = $1`,
      [job.id, JSON.stringify(report), report.feed.id, report.version.id],
    );
  } catch (e) {
    await progress.flush();
    s.log('feed import failed', { job: job.id, code: (e as { code?: string }).code });
    await s.db
      .query(
        `UPDATE feed_imports SET status = 'failed', error = $2, finished_at = now(), updated_at = now() WHERE id = $1`,
        [job.id, JSON.stringify(errorJson(e))],
      )
      .catch((err) => s.log('feed import status not written', { job: job.id, error: (err as Error).message }));
  } finally {
    fs.rmSync(zip, { force: true });
  }
}

/**
 * One queue per territory (admins' imports without a territory have theirs): an import holds one transaction and
 * streams a whole feed, so a territory's imports run one after the other, but a slow server for one territory no
 * longer holds every other territory's imports behind it (the download limits bound how long it holds its own).
 */
export function importQueues() {
  const tails = new Map<string, Promise<void>>();
  return {
    /** `run` must not throw (runImport records its failures on the job). */
    push(territoryId: number | null, run: () => Promise<void>): void {
      const key = territoryId === null ? 'none' : String(territoryId);
      const tail = (tails.get(key) ?? Promise.resolve()).then(run);
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
    },
  };
}
