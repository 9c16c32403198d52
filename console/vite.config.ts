import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import type { OutputBundle, OutputChunk } from 'rolldown';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/**
 * Each built text file beside its brotli (quality 11) and gzip (level 9) forms, `.br` and `.gz`, which the service
 * sends to the browsers that take them (services/src/console/static.ts): the review page's 1.2 MB of scripts are
 * about 330 KB in brotli. Compressed once here, at the highest settings, rather than per answer.
 */
function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'comobi-precompress',
    apply: 'build',
    configResolved(c) {
      outDir = path.resolve(c.root, c.build.outDir);
    },
    async writeBundle(_options, bundle) {
      const files = Object.keys(bundle).filter((f) => /\.(js|css|html|json|svg)$/.test(f));
      await Promise.all(
        files.map(async (f) => {
          const raw = await fs.readFile(path.join(outDir, f));
          if (raw.length < 1024) return;
          const br = await brotli(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } });
          await fs.writeFile(path.join(outDir, `${f}.br`), br);
          await fs.writeFile(path.join(outDir, `${f}.gz`), await gzip(raw, { level: 9 }));
        }),
      );
    },
  };
}

/**
 * Pages whose scripts boot.ts fetches as soon as the address names them (a link to a request, a reload), instead of
 * once the app has started and React.lazy asks: the request review page, the coordinator's main page. The route is
 * tested against location.hash, as App.tsx's own.
 */
const EARLY_PAGES = [{ route: '^#/requests/\\d+/show', module: '/src/requests/RequestShow.tsx' }];

/**
 * boot.ts is an entry of its own, its script written first in index.html: module scripts run in their order, each
 * once its imports are in, so boot.ts (a kilobyte) runs while the app's libraries still load. After it, as a JSON
 * island that boot.ts reads (no inline script: the CSP allows none), each early page's scripts and styles: its chunk
 * and the chunks it imports, but not those index.html loads anyway.
 */
function routeChunks(base: string): Plugin {
  return {
    name: 'comobi-route-chunks',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const bundle = ctx.bundle as OutputBundle | undefined;
        if (!bundle) return html; // dev server: no chunks
        const chunks = Object.values(bundle).filter((c): c is OutputChunk => c.type === 'chunk');
        const initial = new Set<string>();
        const walk = (file: string, into: Set<string>) => {
          if (into.has(file)) return;
          into.add(file);
          for (const i of (bundle[file] as OutputChunk).imports) walk(i, into);
        };
        const boot = chunks.find((c) => c.isEntry && c.facadeModuleId?.endsWith('/src/boot.ts'));
        if (!boot) throw new Error('routeChunks: no chunk for /src/boot.ts');
        for (const c of chunks) if (c.isEntry) walk(c.fileName, initial);
        const table = EARLY_PAGES.map(({ route, module }) => {
          const page = chunks.find((c) => c.facadeModuleId?.endsWith(module));
          if (!page) throw new Error(`routeChunks: no chunk for ${module}`);
          const files = new Set<string>();
          walk(page.fileName, files);
          const scripts = [...files].filter((f) => !initial.has(f));
          const styles = scripts.flatMap((f) => [...((bundle[f] as OutputChunk & { viteMetadata?: { importedCss: Set<string> } }).viteMetadata?.importedCss ?? [])]);
          return { route, files: [...scripts, ...styles].map((f) => base + f) };
        });
        const bootTags = [boot.fileName, ...boot.imports].map((f, i) =>
          i === 0 ? `<script type="module" crossorigin src="${base + f}"></script>` : `<link rel="modulepreload" crossorigin href="${base + f}">`);
        const at = html.indexOf('<script type="module"');
        if (at < 0) throw new Error('routeChunks: no module script in index.html');
        return {
          html: `${html.slice(0, at)}${bootTags.join('\n    ')}\n    ${html.slice(at)}`,
          tags: [{ tag: 'script', attrs: { type: 'application/json', id: 'route-chunks' }, children: JSON.stringify(table), injectTo: 'head' }],
        };
      },
    },
  };
}

// Served by the matching service at /console; `npm run dev -w console` proxies the API to a local service.
export default defineConfig({
  base: '/console/',
  plugins: [react(), routeChunks('/console/'), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 3000,
    rollupOptions: {
      input: { index: 'index.html', boot: 'src/boot.ts' },
      output: {
        // Libraries of the first page in chunks of their own (`$initial`: what index.html loads): fetched and
        // compiled in parallel, cached across releases of the console's own code. Groups are filled by priority, each
        // taking its modules' dependencies along: the first page's come first, else Leaflet's and the pickers' groups
        // would take React and MUI with them into the first load. Leaflet and the pickers load with the pages that use
        // them (lazy pages in App.tsx); what only lazy pages use goes with them.
        codeSplitting: {
          groups: [
            { name: 'vendor-map', test: /[\\/]node_modules[\\/](leaflet|react-leaflet|@react-leaflet)[\\/]/, priority: 5 },
            { name: 'vendor-pickers', test: /[\\/]node_modules[\\/](@mui[\\/]x-date-pickers|@mui[\\/]x-internals|dayjs)[\\/]/, priority: 5 },
            { name: 'vendor-react', test: /[\\/]node_modules[\\/](react|react-dom|scheduler|react-router|react-router-dom|cookie|set-cookie-parser)[\\/]/, tags: ['$initial'], priority: 50 },
            { name: 'vendor-mui', test: /[\\/]node_modules[\\/](@mui|@emotion|@popperjs|react-transition-group|stylis|@babel[\\/]runtime|clsx|prop-types|react-is|hoist-non-react-statics)[\\/]/, tags: ['$initial'], priority: 40 },
            { name: 'vendor-admin', test: /[\\/]node_modules[\\/](react-admin|ra-[^\\/]+|react-hook-form|@tanstack|lodash|inflection|jsonexport|query-string|react-error-boundary|react-dropzone|attr-accept|file-selector|decode-uri-component|split-on-first|filter-obj|node-polyglot|date-fns|eventemitter3|react-is)[\\/]/, tags: ['$initial'], priority: 30 },
            { name: 'vendor', test: /[\\/]node_modules[\\/]/, tags: ['$initial'], priority: 10 },
            // The rest of MUI and react-admin that lazy pages use, in two chunks rather than a score of small ones
            // (a browser opens six connections to a host: the review page waited on its chunks in turn).
            { name: 'vendor-mui-pages', test: /[\\/]node_modules[\\/](@mui[\\/](material|system|utils|icons-material|private-theming|styled-engine)|@popperjs|react-transition-group)[\\/]/, priority: 8 },
            { name: 'vendor-admin-pages', test: /[\\/]node_modules[\\/](react-admin|ra-[^\\/]+|react-hook-form|@tanstack|lodash|inflection|jsonexport|query-string|react-dropzone|attr-accept|file-selector)[\\/]/, priority: 7 },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://localhost:3000',
      '/auth': 'http://localhost:3000',
      '/osrm': 'http://localhost:3000',
      '/console/config.json': 'http://localhost:3000',
    },
  },
});
