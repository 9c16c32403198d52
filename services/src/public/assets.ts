import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Context, Next } from 'koa';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

/** The DSFR is served from its npm package, never from a CDN. */
const dsfrDir = path.join(path.dirname(createRequire(import.meta.url).resolve('@gouvfr/dsfr/package.json')), 'dist');
const ownDir = path.join(import.meta.dirname, 'assets');

/** Serves files under `dir` at `prefix`: known types only, no path outside `dir`, cached a day. */
async function serve(ctx: Context, prefix: string, dir: string): Promise<boolean> {
  let rel: string;
  try {
    rel = decodeURIComponent(ctx.path.slice(prefix.length + 1));
  } catch {
    return false;
  }
  const file = path.resolve(dir, rel);
  const type = TYPES[path.extname(file)];
  if (!type || !file.startsWith(dir + path.sep) || rel.includes('\0')) return false;
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch {
    return false;
  }
  if (!stat.isFile()) return false;
  ctx.type = type;
  ctx.set('Cache-Control', 'public, max-age=86400');
  ctx.length = stat.size;
  ctx.body = fs.createReadStream(file);
  return true;
}

/** GET /dsfr/… (the design system) and /public-assets/… (our stylesheet, the "Je donne mon avis" image). */
export function assets() {
  return async (ctx: Context, next: Next) => {
    if (ctx.method === 'GET' || ctx.method === 'HEAD') {
      if (ctx.path.startsWith('/dsfr/') && (await serve(ctx, '/dsfr', dsfrDir))) return;
      if (ctx.path.startsWith('/public-assets/') && (await serve(ctx, '/public-assets', ownDir))) return;
    }
    await next();
  };
}
