import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const DIR = path.resolve(import.meta.dirname, '../integrations/fixtures/ban');
const answer = (name: string) => fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8');

/** How the replayed API behaves: as documented, or in one of the ways a real one fails. */
export type BanMode = 'ok' | 'slow' | 'http-error' | 'html' | 'wrong-shape';

export interface BanReplay {
  url: string;
  /** Every query received (path and search parameters). */
  received: URLSearchParams[];
  mode: BanMode;
  close(): Promise<void>;
}

/**
 * The Base Adresse Nationale search API on loopback, replaying its documented answers (fixtures/ban/): the real
 * client is under test, over real HTTP.
 */
export async function startBanReplay(): Promise<BanReplay> {
  const replay: BanReplay = { url: '', received: [], mode: 'ok', close: async () => {} };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname !== '/search/') {
      res.writeHead(404).end();
      return;
    }
    replay.received.push(u.searchParams);
    const q = (u.searchParams.get('q') ?? '').toLowerCase();
    const send = (status: number, type: string, body: string) => res.writeHead(status, { 'content-type': type }).end(body);
    switch (replay.mode) {
      case 'slow':
        setTimeout(() => send(200, 'application/json', answer('empty')), 3000).unref();
        return;
      case 'http-error':
        return send(503, 'text/html', '<h1>Service Unavailable</h1>');
      case 'html':
        return send(200, 'text/html', '<html><body>maintenance</body></html>');
      case 'wrong-shape':
        return send(200, 'application/json', JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { label: 'x', score: 1, type: 'street' } }] }));
      default:
        send(200, 'application/json', answer(q.includes('wilson') ? 'wilson-cahors' : q.startsWith('lauz') ? 'lauz' : 'empty'));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  replay.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  replay.close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return replay;
}
