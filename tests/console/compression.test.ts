import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseEncoding } from '../../services/src/http/compress.ts';
import type { TestServer } from '../helpers/server.ts';
import { DIST, ensureConsoleBuilt, startConsoleServer } from './helpers.ts';

/**
 * Answers compressed for the clients that take it: the console's files in the build's brotli and gzip forms, the
 * API's JSON compressed per answer; identical bytes once decoded, and nothing compressed for a client that did not
 * ask. Node's http client here, not fetch: fetch asks for every encoding itself and hides which one came.
 */
let srv: TestServer;

beforeAll(async () => {
  ensureConsoleBuilt();
  srv = await startConsoleServer();
});
afterAll(async () => {
  await srv?.close();
});

function get(p: string, acceptEncoding?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding };
    http.get(srv.url + p, { headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}
const decode = (encoding: string | undefined, body: Buffer) =>
  encoding === 'br' ? zlib.brotliDecompressSync(body) : encoding === 'gzip' ? zlib.gunzipSync(body) : body;

describe('the encoding chosen from Accept-Encoding', () => {
  it('prefers brotli, falls back to gzip, and respects q=0', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(chooseEncoding('gzip, deflate')).toBe('gzip');
    expect(chooseEncoding('br;q=0, gzip;q=0.8')).toBe('gzip');
    expect(chooseEncoding('br;q=0.0, gzip;q=0')).toBeNull();
    expect(chooseEncoding('identity')).toBeNull();
    expect(chooseEncoding(undefined)).toBeNull();
  });
});

describe('the console’s files', () => {
  it('are sent in the precompressed form the browser takes, the same bytes once decoded, cached for good when hashed', async () => {
    const html = (await get('/console/')).body.toString();
    const scripts = [...html.matchAll(/(?:src|href)="\/console\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
    const big = scripts.find((f) => fs.statSync(path.join(DIST, f)).size > 100_000)!;
    expect(big).toBeTruthy();
    const raw = fs.readFileSync(path.join(DIST, big));
    for (const [asked, sent] of [['gzip, deflate, br', 'br'], ['gzip', 'gzip'], [undefined, undefined], ['identity', undefined]] as const) {
      const r = await get(`/console/${big}`, asked);
      expect(r.status).toBe(200);
      expect(r.headers['content-encoding']).toBe(sent);
      expect(r.headers.vary).toMatch(/accept-encoding/i);
      expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(r.headers['content-type']).toMatch(/javascript/);
      expect(decode(sent, r.body).equals(raw)).toBe(true);
      if (sent) expect(r.body.length).toBeLessThan(raw.length / 2);
    }
    const page = await get('/console/', 'br');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(decode(page.headers['content-encoding'], page.body).toString()).toBe(fs.readFileSync(path.join(DIST, 'index.html'), 'utf8'));
  });

  it('names the review page’s scripts in index.html, for boot.ts to fetch them early, and they exist', async () => {
    const html = (await get('/console/')).body.toString();
    const table = JSON.parse(/<script type="application\/json" id="route-chunks">(.*?)<\/script>/.exec(html)![1]) as { route: string; files: string[] }[];
    const review = table.find((r) => new RegExp(r.route).test('#/requests/12/show?match=3'))!;
    expect(review.files.some((f) => /\/RequestShow-[\w-]+\.js$/.test(f))).toBe(true);
    for (const f of review.files) expect((await get(f)).status).toBe(200);
    // boot.ts runs before the app: its script comes first.
    expect(html.indexOf('/assets/boot-')).toBeLessThan(html.indexOf('/assets/index-'));
  });
});

describe('the API’s answers', () => {
  it('are compressed when the client takes it, and not when it does not or when they are small', async () => {
    const plain = await get('/api/openapi.json');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(10_000);
    for (const [asked, sent] of [['br', 'br'], ['gzip', 'gzip']] as const) {
      const r = await get('/api/openapi.json', asked);
      expect(r.headers['content-encoding']).toBe(sent);
      expect(r.headers['content-type']).toMatch(/application\/json/);
      expect(r.body.length).toBeLessThan(plain.body.length / 3);
      expect(JSON.parse(decode(sent, r.body).toString())).toEqual(JSON.parse(plain.body.toString()));
    }
    const small = await get('/health', 'br');
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.body.toString())).toEqual({ status: 'ok' });
  });
});
