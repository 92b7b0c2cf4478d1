import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The SPA: `vite build` writes client/dist, which the local host serves at `/`. Monaco and MSAL are
 * bundled (never fetched from a CDN) and load lazily in their own chunks; hashed file names let the
 * host cache them for a year.
 */
export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // Monaco's own chunk is large by nature; it loads only when a file is opened.
    chunkSizeWarningLimit: 4096,
  },
  worker: { format: 'es' },
  server: { proxy: { '/api': 'http://127.0.0.1:7071' } },
  test: {
    name: 'client',
    root: here,
    include: ['src/**/*.unit.test.tsx', 'src/**/*.unit.test.ts'],
    environment: 'happy-dom',
    setupFiles: ['src/test/setup.ts'],
  },
});
