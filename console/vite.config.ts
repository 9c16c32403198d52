import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the matching service at /console; `npm run dev -w console` proxies the API to a local service.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 3000 },
  server: {
    proxy: {
      '/api': 'http://localhost:3000',
      '/auth': 'http://localhost:3000',
      '/osrm': 'http://localhost:3000',
      '/console/config.json': 'http://localhost:3000',
    },
  },
});
