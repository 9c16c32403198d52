#!/usr/bin/env node
/**
 * npm run gtfs-import -- <feed.zip | https URL> [--name NAME] [--territory ID] [--strict] [--max-bytes N] [--keep-failed]
 * npm run gtfs-import -- search <words…>
 * npm run gtfs-import -- pan <dataset id> [--resource ID] [--name NAME] [--territory ID] [--strict]
 * npm run gtfs-import -- versions [FEED NAME]
 * npm run gtfs-import -- remove <version id> [--force]
 * DATABASE_URL selects PostgreSQL, otherwise the embedded PGlite in DATA_DIR; TDG_API_URL the transport.data.gouv.fr API.
 * Exit codes: 0 done, 1 refused or failed (the error names file, line, column and a code), 2 usage.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { loadImporterConfig } from './config.ts';
import { download } from './download.ts';
import { GtfsError } from './errors.ts';
import { importFeed } from './load.ts';
import { openTarget } from './open.ts';
import { formatReport } from './report.ts';
import { defaultApiUrl, getDataset, gtfsResources, searchDatasets } from './tdg.ts';
import { listVersions, removeVersion } from './versions.ts';

const usage = `usage:
  gtfs-import <feed.zip | https URL> [--name NAME] [--territory ID] [--strict] [--max-bytes N] [--keep-failed]
  gtfs-import search <words…>
  gtfs-import pan <dataset id> [--resource ID] [--name NAME] [--territory ID] [--strict]
  gtfs-import versions [FEED NAME]
  gtfs-import remove <version id> [--force]`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      territory: { type: 'string' },
      strict: { type: 'boolean', default: false },
      'max-bytes': { type: 'string' },
      'keep-failed': { type: 'boolean', default: false },
      resource: { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !positionals.length) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  const config = loadImporterConfig();
  const apiUrl = process.env.TDG_API_URL || defaultApiUrl;
  const [command, ...rest] = positionals;
  const territoryId = values.territory === undefined ? null : Number(values.territory);
  if (territoryId !== null && !Number.isInteger(territoryId)) throw new UsageError('--territory takes a territory id');
  const maxBytes = values['max-bytes'] === undefined ? undefined : Number(values['max-bytes']);

  if (command === 'search') {
    if (!rest.length) throw new UsageError('search needs words');
    const found = await searchDatasets(rest, apiUrl);
    for (const d of found) {
      const res = gtfsResources(d);
      console.log(`${d.id}  ${d.title}${d.publisher?.name ? ` (${d.publisher.name})` : ''}`);
      for (const r of res) console.log(`    resource ${r.id}  ${r.format}  ${r.title}${r.is_available === false ? '  [unavailable]' : ''}`);
      const netex = d.resources.filter((r) => /^netex$/i.test(r.format)).length;
      if (!res.length && netex) console.log(`    NeTEx only (${netex} resource${netex > 1 ? 's' : ''}): not importable as GTFS`);
    }
    console.log(`${found.length} dataset${found.length === 1 ? '' : 's'}`);
    return 0;
  }

  if (command === 'versions') {
    const target = await openTarget(config);
    try {
      const rows = await listVersions(target, rest[0]);
      for (const v of rows) {
        console.log(`${String(v.id).padStart(5)}  ${v.feed_name}  v${v.version}  ${v.status.padEnd(10)}  ${v.service_start ?? '?'} → ${v.service_end ?? '?'}  ${v.stop_times ?? '-'} stop_times  ${v.created_at}`);
      }
      if (!rows.length) console.log('no feed version');
    } finally {
      await target.close();
    }
    return 0;
  }

  if (command === 'remove') {
    const id = Number(rest[0]);
    if (!Number.isInteger(id)) throw new UsageError('remove needs a version id');
    const target = await openTarget(config);
    try {
      const removed = await removeVersion(target, id, { force: values.force });
      console.log(removed ? `version ${id} removed` : `no version ${id}`);
      return removed ? 0 : 1;
    } finally {
      await target.close();
    }
  }

  let source = command;
  let name = values.name;
  let tdgDatasetId: string | undefined;
  if (command === 'pan') {
    if (!rest[0]) throw new UsageError('pan needs a dataset id');
    const dataset = await getDataset(rest[0], apiUrl);
    const resources = gtfsResources(dataset);
    const resource = values.resource ? resources.find((r) => String(r.id) === values.resource) : resources[0];
    if (!resource) {
      console.error(`dataset ${dataset.id} (${dataset.title}) has no GTFS resource${values.resource ? ` ${values.resource}` : ''}`);
      return 1;
    }
    console.log(`${dataset.title}: resource ${resource.id} ${resource.title}`);
    source = resource.url;
    name ??= dataset.slug;
    tdgDatasetId = dataset.id;
  }

  let zipPath = source;
  let sourceUrl: string | undefined;
  if (/^https?:\/\//.test(source)) {
    sourceUrl = source;
    const file = `${(name ?? new URL(source).pathname.split('/').filter(Boolean).pop() ?? 'feed').replace(/[^\w.-]+/g, '_')}.zip`.replace(/\.zip\.zip$/, '.zip');
    zipPath = path.join(config.DATA_DIR, 'downloads', file);
    const bar = new cliProgress.SingleBar({ format: 'download {bar} {value}/{total} bytes', clearOnComplete: false }, cliProgress.Presets.shades_classic);
    let started = false;
    await download(source, zipPath, {
      maxBytes,
      onProgress: (received, total) => {
        if (!started) {
          bar.start(total ?? 0, 0);
          started = true;
        }
        if (total === null) bar.setTotal(received);
        bar.update(received);
      },
    }).finally(() => started && bar.stop());
  }
  name ??= path.basename(zipPath).replace(/\.zip$/i, '');

  const target = await openTarget(config);
  const progress = fileProgress(process.stderr);
  try {
    const report = await importFeed(target, zipPath, {
      name,
      territoryId,
      strict: values.strict,
      maxUncompressedBytes: maxBytes,
      sourceUrl,
      tdgDatasetId,
      keepFailed: values['keep-failed'],
      onProgress: progress.update,
    });
    progress.stop();
    console.log(formatReport(report));
    if (report.expired) console.error(`warning: expired feed (service ended ${report.expired.end}, before ${report.expired.today}); activated anyway, --strict refuses it`);
    return 0;
  } finally {
    progress.stop();
    await target.close();
  }
}

/**
 * Rows per file while loading: bars on a terminal; elsewhere (logs, CI, pipes) one plain line per file once it is
 * loaded, since cli-progress without a terminal prints its format with the placeholders unfilled.
 */
function fileProgress(stream: NodeJS.WriteStream) {
  if (!stream.isTTY) {
    return {
      update: ({ file, rows, done }: { file: string; rows: number; done: boolean }) => {
        if (done) stream.write(`${file.padEnd(26)} ${rows} rows\n`);
      },
      stop: () => {},
    };
  }
  const bars = new cliProgress.MultiBar({ format: '{file} {value} rows', clearOnComplete: false, hideCursor: true, stream }, cliProgress.Presets.shades_classic);
  const fileBars = new Map<string, cliProgress.SingleBar>();
  return {
    update: ({ file, rows }: { file: string; rows: number }) => {
      let b = fileBars.get(file);
      if (!b) fileBars.set(file, (b = bars.create(0, 0, { file: file.padEnd(26) })));
      b.setTotal(rows);
      b.update(rows);
    },
    stop: () => bars.stop(),
  };
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n${usage}`);
      process.exit(2);
    }
    if (err instanceof GtfsError) {
      console.error(`error ${err.message}`);
      console.error(JSON.stringify(err.toJSON()));
    } else console.error(err);
    process.exit(1);
  },
);
