import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GtfsError } from '@comobi/gtfs-import';
import { resolveAllowedHost, type PrivateHostPolicy, type ResolvedAddress, type Resolver } from './public-host.ts';

export interface DownloadLimits {
  /** TCP (and TLS) connection to the feed's server. */
  connectTimeoutMs: number;
  /** Longest silence of the server, before its answer and between two pieces of the body. */
  idleTimeoutMs: number;
  /** The whole download, redirects included. */
  totalTimeoutMs: number;
  /** Largest file accepted, counted on the bytes received (the Content-Length header may lie or be absent). */
  maxBytes: number;
  maxRedirects: number;
}

export const DEFAULT_DOWNLOAD_LIMITS: DownloadLimits = {
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  totalTimeoutMs: 15 * 60_000,
  maxBytes: 200 * 1024 * 1024,
  maxRedirects: 5,
};

export interface DownloadOptions {
  limits?: Partial<DownloadLimits>;
  allowPrivateHosts?: PrivateHostPolicy;
  /** Tests replace it to play a DNS server whose answers change (rebinding). */
  resolve?: Resolver;
  onProgress?: (receivedBytes: number, totalBytes: number | null) => void;
}

// Shown to the coordinator on the job (the console prints the message under "Détail"): French.
const failure = (message: string) => new GtfsError({ code: 'E_DOWNLOAD' }, message);
const seconds = (ms: number) => `${(ms / 1000).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} s`;
const megabytes = (n: number) => `${(n / 1024 / 1024).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo`;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Connects to the address that was checked, whatever a new DNS answer would say; Host and SNI stay the URL's name. */
const pinnedLookup = (target: ResolvedAddress): LookupFunction =>
  ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as LookupFunction;

/**
 * Downloads a feed given by a coordinator to `dest`, within time and size limits. Every hop (the URL, then each
 * redirect, followed here one by one) is resolved once, checked against the private ranges, and connected to at that
 * very address. Throws a GtfsError E_DOWNLOAD whose message names no address.
 */
export async function downloadFeed(url: string, dest: string, o: DownloadOptions = {}): Promise<void> {
  const limits = { ...DEFAULT_DOWNLOAD_LIMITS, ...o.limits };
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  fs.rmSync(part, { force: true });

  // The first limit reached wins: its message is the one kept, whatever error the torn-down stream raises after.
  let reason: Error | undefined;
  let current: http.ClientRequest | undefined;
  const abort = (e: Error) => {
    reason ??= e;
    current?.destroy(reason);
  };
  const total = setTimeout(() => abort(failure(`le téléchargement a dépassé ${seconds(limits.totalTimeoutMs)} au total`)), limits.totalTimeoutMs);
  try {
    let target = new URL(url);
    for (let redirects = 0; ; redirects++) {
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw failure('seules les adresses http:// et https:// sont acceptées');
      const address = await resolveAllowedHost(target.hostname, o.allowPrivateHosts ?? false, o.resolve);
      if (reason) throw reason;
      const res = await request(target, address, limits, (req) => (current = req), abort);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.has(status) && location) {
        res.destroy();
        if (redirects >= limits.maxRedirects) throw failure(`plus de ${limits.maxRedirects} redirections`);
        try {
          target = new URL(location, target);
        } catch {
          throw failure('le serveur du flux redirige vers une adresse invalide');
        }
        continue;
      }
      if (status < 200 || status >= 300) {
        res.destroy();
        throw failure(`le serveur du flux a répondu ${status}`);
      }
      await saveBody(res, part, limits.maxBytes, o.onProgress);
      fs.renameSync(part, dest);
      return;
    }
  } catch (e) {
    fs.rmSync(part, { force: true });
    if (reason) throw reason;
    if (e instanceof GtfsError) throw e;
    // Network errors (refused, reset, TLS) are named by their code only: their messages can carry the address.
    const code = (e as { code?: string }).code;
    throw failure(`le serveur du flux est injoignable${code ? ` (${code})` : ''}`);
  } finally {
    clearTimeout(total);
  }
}

/** One GET to the checked address, its answer's headers within the connect and idle limits. */
function request(
  url: URL,
  address: ResolvedAddress,
  limits: DownloadLimits,
  started: (req: http.ClientRequest) => void,
  abort: (e: Error) => void,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const tls = url.protocol === 'https:';
    const req = (tls ? https : http).request(url, {
      // A fresh connection each time: a pooled socket could be one opened to another address.
      agent: false,
      lookup: pinnedLookup(address),
      headers: { accept: '*/*', 'user-agent': 'CoMobi (import de flux)' },
    });
    started(req);
    const connect = setTimeout(
      () => abort(failure(`pas de connexion au serveur du flux en ${seconds(limits.connectTimeoutMs)}`)),
      limits.connectTimeoutMs,
    );
    req.once('socket', (socket) => socket.once(tls ? 'secureConnect' : 'connect', () => clearTimeout(connect)));
    // Socket inactivity, before the answer and then between two pieces of the body.
    req.setTimeout(limits.idleTimeoutMs, () =>
      abort(failure(`le serveur du flux n’a rien envoyé pendant ${seconds(limits.idleTimeoutMs)}`)),
    );
    req.once('response', (res) => {
      clearTimeout(connect);
      resolve(res);
    });
    // `on`, not `once`: a socket can still fail after the answer was taken (bytes past Content-Length), and an
    // 'error' without a listener would bring the process down.
    req.on('error', (e) => {
      clearTimeout(connect);
      reject(e);
    });
    req.once('close', () => clearTimeout(connect));
    req.end();
  });
}

/** Streams the body to `file`, stopping as soon as it passes `maxBytes`, whatever Content-Length announced. */
async function saveBody(
  res: http.IncomingMessage,
  file: string,
  maxBytes: number,
  onProgress?: (received: number, total: number | null) => void,
): Promise<void> {
  const declared = Number(res.headers['content-length']);
  const total = res.headers['content-length'] !== undefined && Number.isSafeInteger(declared) ? declared : null;
  const tooLarge = () => failure(`le fichier dépasse la taille maximale de ${megabytes(maxBytes)}`);
  if (total !== null && total > maxBytes) {
    res.destroy();
    throw tooLarge();
  }
  let received = 0;
  onProgress?.(0, total);
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      received += chunk.length;
      if (received > maxBytes) return cb(tooLarge());
      onProgress?.(received, total);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(res, count, fs.createWriteStream(file));
  } catch (e) {
    if (e instanceof GtfsError) throw e;
    throw failure(`téléchargement interrompu après ${received} octets`);
  }
  if (total !== null && received !== total) throw failure(`téléchargement incomplet : ${received} octets reçus sur ${total}`);
}
