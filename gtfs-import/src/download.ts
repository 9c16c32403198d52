import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gtfsError } from './errors.ts';

/**
 * Streams `url` to `dest`: bytes go to `dest.part`, renamed only when complete, so a failed or interrupted download
 * leaves nothing behind that looks finished (and nothing is resumed).
 */
export async function download(
  url: string,
  dest: string,
  options: { maxBytes?: number; onProgress?: (received: number, total: number | null) => void } = {},
): Promise<string> {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  fs.rmSync(part, { force: true });
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow' });
  } catch (err) {
    throw gtfsError({ code: 'E_DOWNLOAD' }, `cannot download ${url}: ${(err as Error).message}`);
  }
  if (!res.ok || !res.body) throw gtfsError({ code: 'E_DOWNLOAD' }, `${url} answered ${res.status}`);
  const length = Number(res.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  const max = options.maxBytes ?? Infinity;
  if (total !== null && total > max) throw gtfsError({ code: 'E_DOWNLOAD' }, `${url} is ${total} bytes, over the limit of ${max}`);
  let received = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      received += chunk.length;
      if (received > max) return cb(gtfsError({ code: 'E_DOWNLOAD' }, `${url} exceeds the limit of ${max} bytes`));
      options.onProgress?.(received, total);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), count, fs.createWriteStream(part));
    if (total !== null && received !== total) throw gtfsError({ code: 'E_DOWNLOAD' }, `${url}: got ${received} of ${total} bytes`);
    fs.renameSync(part, dest);
    return dest;
  } catch (err) {
    fs.rmSync(part, { force: true });
    throw err instanceof Error && 'code' in err && String((err as { code: unknown }).code).startsWith('E_')
      ? err
      : gtfsError({ code: 'E_DOWNLOAD' }, `download of ${url} failed: ${(err as Error).message}`);
  }
}
