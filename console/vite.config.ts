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
        // Libraries in chunks of their own: fetched in parallel, cached across releases of the console's own code;
        // Leaflet and the pickers only with the pages that use them (React.lazy in App.tsx).
        manualChunks(id: string) {
          if (!id.includes('node_modules')) return undefined;
          if (/[\\/](leaflet|react-leaflet|@react-leaflet)[\\/]/.test(id)) return 'vendor-map';
          if (/[\\/](@mui[\\/]x-date-pickers|dayjs)[\\/]/.test(id)) return 'vendor-pickers';
          if (/[\\/](@mui|@emotion)[\\/]/.test(id)) return 'vendor-mui';
          if (/[\\/](react|react-dom|scheduler|react-router|react-router-dom)[\\/]/.test(id)) return 'vendor-react';
          return 'vendor';
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
