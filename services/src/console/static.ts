import fs from 'node:fs';
import path from 'node:path';
import type Router from '@koa/router';
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

/** The built console (console/dist) at /console; unknown paths get index.html (client-side routes). */
export function staticRoutes(root: Router, o: ConsoleOptions): void {
  const dist = path.resolve(o.distDir);
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
    ctx.length = stat.size;
    ctx.body = fs.createReadStream(file);
  });
}
