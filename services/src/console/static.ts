import fs from 'node:fs';
import path from 'node:path';
import type Router from '@koa/router';
import { chooseEncoding } from '../http/compress.ts';
import type { ConsoleOptions } from './options.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** Only the console's own origin, plus the raster tile server when one is configured. */
function csp(o: ConsoleOptions): string {
  const tiles = o.tileUrl ? ` ${new URL(o.tileUrl.replace(/[{}]/g, '')).origin}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    // react-admin (emotion) and Leaflet set inline styles.
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${tiles}`,
    "connect-src 'self'",
    "font-src 'self' data:",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

interface Built {
  mtimeMs: number;
  size: number;
  raw: Buffer;
  /** The build's precompressed forms (console/vite.config.ts), when it wrote them. */
  br: Buffer | null;
  gzip: Buffer | null;
}
const readOrNull = (file: string) => fs.promises.readFile(file).catch(() => null);

/**
 * The console's files in memory, with their `.br` and `.gz` forms: a first load asks for twenty of them at once, and
 * reading each from the disk as a stream made the last ones wait on a busy machine. Kept while the file's size and
 * time are unchanged (a rebuild replaces them); the console is a few megabytes.
 */
class BuiltFiles {
  private files = new Map<string, Built>();
  async get(file: string, stat: fs.Stats): Promise<Built> {
    const known = this.files.get(file);
    if (known && known.mtimeMs === stat.mtimeMs && known.size === stat.size) return known;
    const [raw, br, gzip] = await Promise.all([fs.promises.readFile(file), readOrNull(`${file}.br`), readOrNull(`${file}.gz`)]);
    const built = { mtimeMs: stat.mtimeMs, size: stat.size, raw, br, gzip };
    this.files.set(file, built);
    return built;
  }
}

/** The built console (console/dist) at /console; unknown paths get index.html (client-side routes). */
export function staticRoutes(root: Router, o: ConsoleOptions): void {
  const dist = path.resolve(o.distDir);
  const built = new BuiltFiles();
  root.get(/^\/console$/, (ctx) => ctx.redirect('/console/'));
  root.get('/console/config.json', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { tileUrl: o.tileUrl ?? null, tileAttribution: o.tileAttribution };
  });
  root.get(/^\/console\/(.*)$/, async (ctx) => {
    const rel = decodeURIComponent(ctx.path.slice('/console/'.length)) || 'index.html';
    let file = path.resolve(dist, rel);
    if (!file.startsWith(dist + path.sep)) {
      ctx.status = 404;
      ctx.body = { error: 'not_found', message: 'not found', fields: [] };
      return;
    }
    let stat = await fs.promises.stat(file).catch(() => null);
    if (!stat?.isFile()) {
      // Missing assets are 404s; anything else is a client-side route.
      if (rel.startsWith('assets/')) {
        ctx.status = 404;
        ctx.body = { error: 'not_found', message: 'not found', fields: [] };
        return;
      }
      file = path.join(dist, 'index.html');
      stat = await fs.promises.stat(file).catch(() => null);
      if (!stat) {
        ctx.status = 503;
        ctx.body = { error: 'unavailable', message: 'console not built: run npm run build:console', fields: [] };
        return;
      }
    }
    ctx.set('Content-Type', TYPES[path.extname(file)] ?? 'application/octet-stream');
    // Hashed asset names never change content; index.html must always be fresh.
    ctx.set('Cache-Control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    ctx.set('Content-Security-Policy', csp(o));
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'same-origin');
    const f = await built.get(file, stat);
    // The precompressed form when the browser takes it (else the service's compression does it per answer).
    ctx.vary('Accept-Encoding');
    const encoding = chooseEncoding(ctx.get('Accept-Encoding'));
    const packed = encoding === 'br' ? f.br : encoding === 'gzip' ? f.gzip : null;
    if (packed) ctx.set('Content-Encoding', encoding!);
    ctx.body = packed ?? f.raw;
  });
}
