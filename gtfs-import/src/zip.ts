import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { gtfsError } from './errors.ts';
import { fileByName } from './files/index.ts';

export const DEFAULT_MAX_UNCOMPRESSED = 2 * 1024 ** 3;

export interface ZipEntryInfo {
  /** Name inside the feed (a single enclosing folder removed). */
  name: string;
  uncompressedSize: number;
  entry: yauzl.Entry;
}

export interface FeedZip {
  entries: Map<string, ZipEntryInfo>;
  /** Set when the feed's files sat in one folder inside the zip (see feedFolder). */
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
  let layout: ReturnType<typeof feedFolder>;
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
    layout = feedFolder(raw.map((r) => r.name), file);
  } catch (err) {
    zip.close();
    throw err;
  }
  const { folder, names } = layout;
  const entries = new Map<string, ZipEntryInfo>();
  for (const r of raw) {
    const name = names.get(r.name);
    if (name !== undefined) entries.set(name, { name, uncompressedSize: r.entry.uncompressedSize, entry: r.entry });
  }
  return {
    entries,
    folder,
    totalUncompressed: total,
    open: (name) =>
      new Promise((resolve, reject) => {
        const info = entries.get(name);
        if (!info) return reject(new Error(`no entry ${name}`));
        zip.openReadStream(info.entry, (err, stream) => {
          if (err) return reject(gtfsError({ code: 'E_ZIP_INVALID', file: name }, `entry not readable: ${err.message}`));
          resolve(Readable.from(readEntry(stream!, name, info.uncompressedSize), { objectMode: false }));
        });
      }),
    close: () => zip.close(),
  };
}

/** An entry's bytes; yauzl's own stream errors (an entry inflating past its declared size) get a code and the file. */
async function* readEntry(stream: Readable, name: string, declared: number): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    const message = (err as Error).message;
    if (/too many bytes|not enough bytes/.test(message)) {
      throw gtfsError({ code: 'E_ZIP_INVALID', file: name }, `the entry does not inflate to its declared size of ${declared} bytes (a corrupt or forged archive)`);
    }
    throw gtfsError({ code: 'E_ZIP_INVALID', file: name }, `entry not readable: ${message}`);
  }
}

const isMetadata = (name: string) => name.startsWith('__MACOSX/') || name.split('/').pop()!.startsWith('.');
const folderOf = (name: string) => (name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '');
const baseOf = (name: string) => name.slice(name.lastIndexOf('/') + 1);

/**
 * Where the feed sits in the zip. GTFS wants its files at the root, but exports often zip the feed's folder: when every
 * GTFS file is in one and the same folder, that folder is read (the report says so; --strict refuses it, as the
 * reference validators do). GTFS files in several folders (or at the root and in a folder) are two feeds or a
 * leftover copy: refused, naming the folders, rather than guessing which one is meant. Other files keep their path
 * (and are reported as ignored).
 */
export function feedFolder(rawNames: string[], zipFile: string): { folder?: string; names: Map<string, string> } {
  const visible = rawNames.filter((n) => !isMetadata(n));
  // A folder holding one of the files the importer knows (GTFS and GTFS-Flex) holds a feed.
  const known = fileByName;
  const folders = [...new Set(visible.filter((n) => known.has(baseOf(n))).map(folderOf))].sort();
  if (folders.length > 1) {
    const shown = folders.map((f) => (f ? `"${f}/"` : 'the root'));
    throw gtfsError({ code: 'E_ZIP_FOLDER', file: zipFile, column: folders.find((f) => f) }, `GTFS files in ${shown.join(' and ')}: one feed per zip, at its root`);
  }
  const folder = folders[0] || undefined;
  const names = new Map<string, string>();
  for (const n of visible) names.set(n, folder && n.startsWith(`${folder}/`) && !n.slice(folder.length + 1).includes('/') ? n.slice(folder.length + 1) : n);
  return { folder, names };
}
