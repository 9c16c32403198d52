import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { gtfsError } from './errors.ts';

export const DEFAULT_MAX_UNCOMPRESSED = 2 * 1024 ** 3;

export interface ZipEntryInfo {
  /** Name inside the feed (a single enclosing folder removed). */
  name: string;
  uncompressedSize: number;
  entry: yauzl.Entry;
}

export interface FeedZip {
  entries: Map<string, ZipEntryInfo>;
  /** Set when the files sat in one folder inside the zip. */
  folder?: string;
  totalUncompressed: number;
  open(name: string): Promise<Readable>;
  close(): void;
}

const unsafeName = (name: string) =>
  name.startsWith('/') || name.startsWith('\\') || /^[a-zA-Z]:/.test(name) || name.split(/[\\/]/).includes('..');

/**
 * Reads the central directory only, and refuses the archive before anything is extracted or written when an entry
 * escapes its folder or the declared sizes add up past `maxUncompressed`. yauzl checks while streaming that each entry
 * inflates to exactly its declared size, so a lying header cannot get past the limit either.
 */
export async function openFeedZip(path: string, maxUncompressed = DEFAULT_MAX_UNCOMPRESSED): Promise<FeedZip> {
  const file = path.split('/').pop() ?? path;
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: false }, (err, z) =>
      err ? reject(gtfsError({ code: 'E_ZIP_INVALID', file }, `not a readable zip: ${err.message}`)) : resolve(z!),
    ),
  );
  const raw: { name: string; entry: yauzl.Entry }[] = [];
  let total = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = (entry.fileName as unknown as Buffer).toString('utf8');
        if (unsafeName(name)) {
          reject(gtfsError({ code: 'E_ZIP_PATH', file, column: name }, `entry "${name}" escapes the feed's folder`));
          return;
        }
        total += entry.uncompressedSize;
        if (total > maxUncompressed) {
          reject(gtfsError({ code: 'E_ZIP_TOO_LARGE', file }, `entries expand past the limit of ${maxUncompressed} bytes`));
          return;
        }
        if (!name.endsWith('/')) raw.push({ name, entry });
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', (err: Error) => reject(gtfsError({ code: 'E_ZIP_INVALID', file }, err.message)));
      zip.readEntry();
    });
  } catch (err) {
    zip.close();
    throw err;
  }
  // Feeds zipped with their folder: accept one common folder (and ignore macOS metadata).
  const visible = raw.filter((r) => !r.name.startsWith('__MACOSX/') && !r.name.split('/').pop()!.startsWith('.'));
  let folder: string | undefined;
  if (visible.length && !visible.some((r) => !r.name.includes('/'))) {
    const first = visible[0].name.split('/')[0];
    if (visible.every((r) => r.name.startsWith(`${first}/`) && r.name.split('/').length === 2)) folder = first;
  }
  const entries = new Map<string, ZipEntryInfo>();
  for (const r of visible) {
    const name = folder ? r.name.slice(folder.length + 1) : r.name;
    entries.set(name, { name, uncompressedSize: r.entry.uncompressedSize, entry: r.entry });
  }
  return {
    entries,
    folder,
    totalUncompressed: total,
    open: (name) =>
      new Promise((resolve, reject) => {
        const info = entries.get(name);
        if (!info) return reject(new Error(`no entry ${name}`));
        zip.openReadStream(info.entry, (err, stream) => (err ? reject(err) : resolve(stream!)));
      }),
    close: () => zip.close(),
  };
}
