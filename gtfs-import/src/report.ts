import type { ImportWarning } from './warnings.ts';

export interface FileReport {
  file: string;
  rows: number;
  ms: number;
  rowsPerS: number;
}

/** Printed after each import and stored in gtfs.feed_versions.report. */
export interface ImportReport {
  feed: { id: number; name: string };
  version: { id: number; version: number; status: 'active' | 'failed' };
  source: string;
  sha256: string;
  strict: boolean;
  files: FileReport[];
  /** Indexes, foreign keys, statistics (after the load). */
  indexMs: number;
  /** Milliseconds per step after the load ("attach stop_times" builds that table's indexes). */
  indexSteps: Record<string, number>;
  totalMs: number;
  /** Lenient readings applied (what strict mode would have refused), by kind. */
  lenient: Record<string, number>;
  /** The warnings' English messages (what the CLI prints); `notices` has each one's code and place, same order. */
  warnings: string[];
  notices: ImportWarning[];
  /** Warnings beyond the first 100 are counted, not listed. */
  warningsOmitted: number;
  ignoredFiles: string[];
  servicePeriod: { start: string; end: string } | null;
  /** Set when the feed's service (or its feed_info end date) ended before the day of the import. */
  expired: { end: string; today: string } | null;
  /** Set when the import moved the feed's dates (`shiftDays`): by how many days, and the period as published. */
  calendarShift?: { days: number; published: { start: string; end: string } | null } | null;
  /** [minLng, minLat, maxLng, maxLat] of stops and zones. */
  bbox: [number, number, number, number] | null;
  supersededVersionIds: number[];
}

export function formatReport(r: ImportReport): string {
  const lines = [
    `Feed "${r.feed.name}" (id ${r.feed.id}) version ${r.version.version} (id ${r.version.id}): ${r.version.status}`,
    `  source ${r.source} sha256 ${r.sha256.slice(0, 16)}… ${r.strict ? 'strict' : 'lenient'}`,
    ...r.files.map(
      (f) => `  ${f.file.padEnd(28)} ${String(f.rows).padStart(9)} rows ${String(f.ms).padStart(7)} ms ${String(f.rowsPerS).padStart(9)} rows/s`,
    ),
    `  indexes, foreign keys, statistics: ${r.indexMs} ms (${Object.entries(r.indexSteps).filter(([, ms]) => ms >= 50).map(([k, ms]) => `${k} ${ms}`).join(', ')}); total ${r.totalMs} ms`,
    `  service period: ${r.servicePeriod ? `${r.servicePeriod.start} → ${r.servicePeriod.end}` : 'none'}`,
    ...(r.calendarShift ? [`  dates moved by ${r.calendarShift.days} days (published ${r.calendarShift.published ? `${r.calendarShift.published.start} → ${r.calendarShift.published.end}` : 'without dates'})`] : []),
    `  bounding box: ${r.bbox ? r.bbox.map((v) => v.toFixed(5)).join(', ') : 'none'}`,
  ];
  if (r.ignoredFiles.length) lines.push(`  ignored files: ${r.ignoredFiles.join(', ')}`);
  const lenient = Object.entries(r.lenient);
  if (lenient.length) lines.push(`  lenient readings (refused with --strict): ${lenient.map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  if (r.warnings.length) {
    lines.push(`  warnings (${r.warnings.length + r.warningsOmitted}):`);
    for (const w of r.warnings) lines.push(`    ${w}`);
    if (r.warningsOmitted) lines.push(`    … ${r.warningsOmitted} more`);
  }
  return lines.join('\n');
}
