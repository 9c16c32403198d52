import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadFeed, type DownloadLimits } from '../../services/src/console/feed-download.ts';
import type { Resolver } from '../../services/src/console/public-host.ts';

/** Small limits so that every case ends in a second or two. */
const limits: DownloadLimits = { connectTimeoutMs: 2000, idleTimeoutMs: 500, totalTimeoutMs: 1500, maxBytes: 64 * 1024, maxRedirects: 3 };
const ALLOW = ['127.0.0.1'];
const FILE = Buffer.alloc(10_000, 'x');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'comobi-download-'));
let n = 0;
const dest = () => path.join(dir, `f${n++}.zip`);

/** What a loopback server saw: the requests it got (path and Host header), bytes it managed to send. */
interface Seen {
  requests: { url: string; host: string }[];
  sent: number;
}

async function listen(host: string, handler: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void) {
  const seen: Seen = { requests: [], sent: 0 };
  const server = http.createServer((req, res) => {
    seen.requests.push({ url: req.url ?? '', host: req.headers.host ?? '' });
    handler(req, res, seen);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as net.AddressInfo).port;
  return { server, seen, port, base: `http://${host}:${port}` };
}

/** Writes 16 KiB chunks as fast as the client reads them, up to `total` bytes, counting what left. */
function stream(res: http.ServerResponse, seen: Seen, total: number) {
  const chunk = Buffer.alloc(16 * 1024, 'y');
  const more = () => {
    while (seen.sent < total && !res.destroyed) {
      seen.sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    res.end();
  };
  more();
}

let feeds: Awaited<ReturnType<typeof listen>>;
let internal: Awaited<ReturnType<typeof listen>>;
let liar: net.Server;
let liarPort: number;
/** Accepts TCP and says nothing: a TLS handshake with it never ends. */
let mute: net.Server;
let mutePort: number;
const timers: NodeJS.Timeout[] = [];

beforeAll(async () => {
  // Plays a machine of the service's own network (127.0.0.2: loopback, not in the allowed list).
  internal = await listen('127.0.0.2', (_req, res) => res.end(FILE));
  feeds = await listen('127.0.0.1', (req, res, seen) => {
    const u = req.url ?? '';
    if (u === '/feed.zip') return void res.end(FILE);
    if (u === '/silent') return; // accepts, never answers
    if (u === '/trickle') {
      res.writeHead(200);
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write('z')), 100);
      timers.push(t);
      return;
    }
    if (u === '/huge') return void stream(res, seen, 64 * 1024 * 1024);
    if (u === '/declared-huge') {
      res.setHeader('content-length', 64 * 1024 * 1024);
      return void stream(res, seen, 64 * 1024 * 1024);
    }
    if (u === '/to-feed') return void res.writeHead(302, { location: '/feed.zip' }).end();
    if (u === '/loop') return void res.writeHead(301, { location: '/loop' }).end();
    if (u === '/to-internal') return void res.writeHead(307, { location: `${internal.base}/feed.zip` }).end();
    if (u === '/to-metadata') return void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
    if (u === '/to-rebound') return void res.writeHead(302, { location: `http://rebound.test:${internal.port}/feed.zip` }).end();
    res.writeHead(404).end();
  });
  // Announces 1000 bytes, sends a megabyte: a raw socket, Node's server would refuse to write past its own header.
  liar = net.createServer((socket) => {
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n');
      socket.end(Buffer.alloc(1024 * 1024, 'l'));
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => liar.listen(0, '127.0.0.1', r));
  liarPort = (liar.address() as net.AddressInfo).port;
  mute = net.createServer((socket) => socket.on('error', () => {}));
  await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
  mutePort = (mute.address() as net.AddressInfo).port;
});
afterAll(async () => {
  for (const t of timers) clearInterval(t);
  for (const s of [feeds?.server, internal?.server]) s?.closeAllConnections();
  mute?.close();
  await Promise.all([feeds?.server, internal?.server, liar].map((s) => new Promise((r) => (s ? s.close(r) : r(null)))));
  fs.rmSync(dir, { recursive: true, force: true });
});

const get = (url: string, o: { resolve?: Resolver; limits?: Partial<DownloadLimits> } = {}) => {
  const file = dest();
  return downloadFeed(url, file, { limits: { ...limits, ...o.limits }, allowPrivateHosts: ALLOW, resolve: o.resolve }).then(() => file);
};
const refusedWith = (message: RegExp) => ({ code: 'E_DOWNLOAD', message: expect.stringMatching(message) });

describe('feed downloads: time limits', () => {
  it('downloads a feed from an allowed address', async () => {
    expect(fs.readFileSync(await get(`${feeds.base}/feed.zip`))).toEqual(FILE);
  });

  it('stops a connection that does not get established, TLS handshake included (connect limit)', async () => {
    await expect(
      get(`https://127.0.0.1:${mutePort}/feed.zip`, { limits: { connectTimeoutMs: 300, idleTimeoutMs: 5000 } }),
    ).rejects.toMatchObject(refusedWith(/pas de connexion au serveur du flux en 0,3 s/));
  });

  it('stops a server that never answers (idle limit)', async () => {
    await expect(get(`${feeds.base}/silent`)).rejects.toMatchObject(refusedWith(/n’a rien envoyé pendant 0,5 s/));
  });

  it('stops a server that sends a byte now and then, never enough to look idle (total limit)', async () => {
    await expect(get(`${feeds.base}/trickle`)).rejects.toMatchObject(refusedWith(/dépassé 1,5 s au total/));
  });
});

describe('feed downloads: size limit on the stream itself', () => {
  it('aborts a body without Content-Length as soon as it passes the limit', async () => {
    feeds.seen.sent = 0;
    await expect(get(`${feeds.base}/huge`)).rejects.toMatchObject(refusedWith(/dépasse la taille maximale/));
    // The connection was cut: the server could not push much more than the limit plus the sockets' buffers.
    expect(feeds.seen.sent).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses a Content-Length over the limit without reading the body', async () => {
    const file = dest();
    await expect(
      downloadFeed(`${feeds.base}/declared-huge`, file, { limits, allowPrivateHosts: ALLOW }),
    ).rejects.toMatchObject(refusedWith(/dépasse la taille maximale de 0,1 Mo/));
    expect(fs.existsSync(file) || fs.existsSync(`${file}.part`)).toBe(false);
  });

  it('reads no more than a lying Content-Length announced, and does not wait for the rest', async () => {
    const file = await get(`http://127.0.0.1:${liarPort}/feed.zip`, { limits: { maxBytes: 10 * 1024 * 1024 } });
    expect(fs.statSync(file).size).toBe(1000);
  });
});

describe('feed downloads: redirects and addresses', () => {
  it('follows a redirect, checked like the first address', async () => {
    expect(fs.readFileSync(await get(`${feeds.base}/to-feed`))).toEqual(FILE);
  });

  it('bounds the number of redirects', async () => {
    await expect(get(`${feeds.base}/loop`)).rejects.toMatchObject(refusedWith(/plus de 3 redirections/));
  });

  it('refuses a redirect to a private address, without connecting to it and without naming it', async () => {
    internal.seen.requests.length = 0;
    const refused = get(`${feeds.base}/to-internal`);
    await expect(refused).rejects.toMatchObject(refusedWith(/réseau privé ou local/));
    await expect(get(`${feeds.base}/to-metadata`)).rejects.toMatchObject(refusedWith(/réseau privé ou local/));
    const message = ((await refused.catch((e) => e)) as Error).message;
    expect(message).not.toMatch(/127\.0\.0\.2|169\.254/);
    expect(internal.seen.requests).toEqual([]);
  });

  it('connects to the address it checked, even when the name then resolves elsewhere (DNS rebinding)', async () => {
    internal.seen.requests.length = 0;
    feeds.seen.requests.length = 0;
    // First answer: the allowed feed server; every later answer: the internal machine.
    const asked: string[] = [];
    const rebinding: Resolver = async (host) => {
      asked.push(host);
      return [{ address: asked.length === 1 ? '127.0.0.1' : '127.0.0.2', family: 4 }];
    };
    const file = await get(`http://feeds.test:${feeds.port}/feed.zip`, { resolve: rebinding });
    expect(fs.readFileSync(file)).toEqual(FILE);
    expect(asked).toEqual(['feeds.test']);
    expect(feeds.seen.requests).toEqual([{ url: '/feed.zip', host: `feeds.test:${feeds.port}` }]);
    expect(internal.seen.requests).toEqual([]);
  });

  it('checks the name a redirect points to', async () => {
    internal.seen.requests.length = 0;
    const resolve: Resolver = async (host) => [{ address: host === 'rebound.test' ? '127.0.0.2' : '127.0.0.1', family: 4 }];
    await expect(get(`${feeds.base}/to-rebound`, { resolve })).rejects.toMatchObject(refusedWith(/réseau privé ou local/));
    expect(internal.seen.requests).toEqual([]);
  });
});
