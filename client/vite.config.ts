import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { loadEnv, type Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { withApiOrigin, withAuthorityOrigin } from './build/staticWebAppConfig';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * Writes dist/staticwebapp.config.json: the committed file, with the API's origin added to the
 * Content-Security-Policy's connect-src when VITE_API_BASE_URL puts the API on another origin
 * (Azure: the Function App), and the sign-in authority's origin when VITE_AUTH_AUTHORITY names one
 * other than login.microsoftonline.com. Deploy dist/ with that file as the Static Web App's configuration.
 */
function staticWebAppConfig(env: Record<string, string>): Plugin {
  return {
    name: 'static-web-app-config',
    apply: 'build',
    generateBundle() {
      const committed = JSON.parse(readFileSync(join(here, 'staticwebapp.config.json'), 'utf8'));
      this.emitFile({
        type: 'asset',
        fileName: 'staticwebapp.config.json',
        source: `${JSON.stringify(withAuthorityOrigin(withApiOrigin(committed, env.VITE_API_BASE_URL), env.VITE_AUTH_AUTHORITY), null, 2)}\n`,
      });
    },
  };
}

/**
 * The SPA: `vite build` writes client/dist, which the local host serves at `/`. Monaco and MSAL are
 * bundled (never fetched from a CDN) and load lazily in their own chunks; hashed file names let the
 * host cache them for a year.
 */
export default defineConfig(({ mode }) => ({
  root: here,
  base: '/',
  plugins: [react(), staticWebAppConfig(loadEnv(mode, here, 'VITE_'))],
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
    include: ['src/**/*.unit.test.tsx', 'src/**/*.unit.test.ts', 'build/**/*.unit.test.ts'],
    environment: 'happy-dom',
    setupFiles: ['src/test/setup.ts'],
  },
}));
