import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the matching service at /console; `npm run dev -w console` proxies the API to a local service.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 3000,
    rollupOptions: {
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
