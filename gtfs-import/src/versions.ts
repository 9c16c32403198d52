import { gtfsFiles } from './files/index.ts';
import { partitionName } from './load.ts';
import type { ImportTarget } from './target.ts';

export interface FeedVersionRow {
  id: number;
  feed_id: number;
  feed_name: string;
  version: number;
  status: 'loading' | 'active' | 'failed' | 'superseded';
  service_start: string | null;
  service_end: string | null;
  created_at: string;
  stop_times: number | null;
}

export async function listVersions(target: ImportTarget, feedName?: string): Promise<FeedVersionRow[]> {
  return target.query<FeedVersionRow>(
    `SELECT v.id, v.feed_id, f.name AS feed_name, v.version, v.status, v.service_start::text, v.service_end::text,
       v.created_at::text, (SELECT r->>'rows' FROM jsonb_array_elements(v.report->'files') r WHERE r->>'file' = 'stop_times.txt')::int AS stop_times
     FROM gtfs.feed_versions v JOIN gtfs.feeds f ON f.id = v.feed_id
     WHERE $1::text IS NULL OR f.name = $1 ORDER BY f.name, v.version`,
    [feedName ?? null],
  );
}

/** Drops a version's tables (in reverse load order: referencing tables first) and its row. The active one needs `force`. */
export async function removeVersion(target: ImportTarget, versionId: number, options: { force?: boolean } = {}): Promise<boolean> {
  return target.transaction(async (s) => {
    const [v] = await s.query<{ status: string }>('SELECT status FROM gtfs.feed_versions WHERE id = $1 FOR UPDATE', [versionId]);
    if (!v) return false;
    if (v.status === 'active' && !options.force) throw new Error(`version ${versionId} is active: import a newer one first, or pass --force`);
    const tables = await s.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'gtfs' AND c.relname LIKE $1`,
      [`%\\_v${versionId}`],
    );
    const existing = new Set(tables.map((t) => t.name));
    for (const mod of [...gtfsFiles].reverse()) {
      if (existing.has(`${mod.table}_v${versionId}`)) await s.exec(`DROP TABLE ${partitionName(mod.table, versionId)}`);
    }
    await s.query('DELETE FROM gtfs.feed_versions WHERE id = $1', [versionId]);
    return true;
  });
}
