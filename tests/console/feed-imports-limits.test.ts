import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeZip, tinyFeed } from '../gtfs/helpers.ts';
import type { TestServer } from '../helpers/server.ts';
import { startConsoleServer } from './helpers.ts';

let FLEX: Buffer;
const MAX_BYTES = 1024 * 1024;

let srv: TestServer;
let feeds: http.Server;
let internal: http.Server;
let base: string;
let internalBase: string;
let lotId: number;
let otherId: number;
const internalHits: string[] = [];
let hugeSent = 0;
/** Ends the slow answer of /hold (the test releases it once the other territory's import is done). */
let release: () => void = () => {};
const released = new Promise<void>((r) => (release = r));

beforeAll(async () => {
  FLEX = fs.readFileSync(await makeZip(tinyFeed()));
  // A machine of the service's own network: 127.0.0.2 is loopback but not in the allowed list below.
  internal = http.createServer((req, res) => {
    internalHits.push(req.url ?? '');
    res.end(FLEX);
  });
  await new Promise<void>((r) => internal.listen(0, '127.0.0.2', r));
  internalBase = `http://127.0.0.2:${(internal.address() as AddressInfo).port}`;
  feeds = http.createServer((req, res) => {
    if (req.url === '/flex.zip') return void res.end(FLEX);
    if (req.url === '/silent') return;
    if (req.url === '/to-internal') return void res.writeHead(302, { location: `${internalBase}/flex.zip` }).end();
    if (req.url === '/huge') {
      // No Content-Length: chunks as fast as the client reads them, up to 256 MB.
      const chunk = Buffer.alloc(64 * 1024, 'h');
      const more = () => {
        while (hugeSent < 256 * 1024 * 1024 && !res.destroyed) {
          hugeSent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      return more();
    }
    if (req.url === '/hold') {
      // A byte every 200 ms (never idle) until released, or for 20 s at most.
      res.writeHead(200, { 'content-type': 'application/zip' });
      const t = setInterval(() => res.write('.'), 200);
      const stop = () => {
        clearInterval(t);
        res.destroy();
      };
      void released.then(stop);
      setTimeout(stop, 20_000).unref();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => feeds.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(feeds.address() as AddressInfo).port}`;
  srv = await startConsoleServer({
    options: {
      allowPrivateHosts: ['127.0.0.1'],
      importLimits: { connectTimeoutMs: 2000, idleTimeoutMs: 1000, totalTimeoutMs: 30_000, maxBytes: MAX_BYTES, maxRedirects: 3 },
    },
  });
  lotId = (await srv.api('POST', '/api/territories', { slug: 'lot', name: 'Lot' })).body.id;
  otherId = (await srv.api('POST', '/api/territories', { slug: 'autre', name: 'Autre' })).body.id;
});
afterAll(async () => {
  release();
  await srv?.close();
  for (const s of [feeds, internal]) s?.closeAllConnections();
  await Promise.all([feeds, internal].map((s) => new Promise((r) => (s ? s.close(r) : r(null)))));
});

const job = async (id: number) => (await srv.api('GET', `/api/feeds/imports/${id}`)).body;
async function finished(id: number) {
  for (;;) {
    const j = await job(id);
    if (j.status === 'done' || j.status === 'failed') return j;
    await new Promise((r) => setTimeout(r, 100));
  }
}
const start = async (url: string, name: string, territoryId = lotId) => {
  const r = await srv.api('POST', '/api/feeds/imports', { url, name, territoryId });
  expect(r.status).toBe(202);
  return r.body.id as number;
};

describe('feed imports from the console: downloads within limits', () => {
  it('fails a download whose server stops answering, with a French message', { timeout: 20_000 }, async () => {
    const j = await finished(await start(`${base}/silent`, 'Muet'));
    expect(j).toMatchObject({ status: 'failed', error: { code: 'E_DOWNLOAD', message: expect.stringMatching(/n’a rien envoyé pendant 1 s/) } });
  });

  it('stops a body without Content-Length at the size limit instead of reading it whole', { timeout: 20_000 }, async () => {
    const j = await finished(await start(`${base}/huge`, 'Énorme'));
    expect(j).toMatchObject({ status: 'failed', error: { code: 'E_DOWNLOAD', message: expect.stringMatching(/taille maximale de 1 Mo/) } });
    expect(j.progress.receivedBytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(hugeSent).toBeLessThan(32 * 1024 * 1024);
  });

  it('refuses a redirect to a private address without connecting to it, and names no address', { timeout: 20_000 }, async () => {
    const j = await finished(await start(`${base}/to-internal`, 'Redirigé'));
    expect(j).toMatchObject({ status: 'failed', error: { code: 'E_DOWNLOAD', message: expect.stringMatching(/réseau privé ou local/) } });
    expect(internalHits).toEqual([]);
    const direct = await finished(await start(`${internalBase}/flex.zip`, 'Interne'));
    expect(direct).toMatchObject({ status: 'failed', error: { code: 'E_DOWNLOAD' } });
    expect(JSON.stringify([j.error, direct.error])).not.toContain('127.0.0.2');
    expect(internalHits).toEqual([]);
  });

  it("imports a territory's feed while another territory's download is slow", { timeout: 30_000 }, async () => {
    const slow = await start(`${base}/hold`, 'Lent', lotId);
    const quick = await start(`${base}/flex.zip`, 'Rapide', otherId);
    const done = await finished(quick);
    expect(done.status).toBe('done');
    // The slow one is still downloading: it did not hold the other territory's import behind it.
    expect((await job(slow)).status).toBe('downloading');
    release();
    expect((await finished(slow)).status).toBe('failed');
  });
});
