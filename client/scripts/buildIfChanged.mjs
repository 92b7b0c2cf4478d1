// Builds the web app only when client/dist is missing, older than a source file, or was built with
// other settings (VITE_API_BASE_URL, …), so `npm start` stays quick when nothing in the client changed
// and never serves a bundle built for Azure.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEnv } from 'vite';

const client = fileURLToPath(new URL('..', import.meta.url));
const index = join(client, 'dist', 'index.html');
/** What the bundle in dist was built with; written after each build here (a build by hand removes it). */
const stampFile = join(client, 'dist', '.build-stamp.json');
const MODE = 'production';
// The settings baked into the bundle: every VITE_ variable Vite reads (environment and .env files).
const env = loadEnv(MODE, client, 'VITE_');
const stamp = JSON.stringify({
  apiBaseUrl: env.VITE_API_BASE_URL ?? '',
  mode: MODE,
  nodeEnv: 'production',
  env: Object.fromEntries(Object.entries(env).sort(([a], [b]) => a.localeCompare(b))),
});

function builtWith() {
  try {
    return readFileSync(stampFile, 'utf8');
  } catch {
    return null;
  }
}

function newest(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const sources = ['src', 'build', 'index.html', 'vite.config.ts', 'staticwebapp.config.json', 'package.json']
  .map((name) => join(client, name))
  .filter(existsSync);
if (!existsSync(index) || Math.max(...sources.map(newest)) > statSync(index).mtimeMs || builtWith() !== stamp) {
  console.log('building the web app (client/)…');
  // Vite takes NODE_ENV from its caller: under a test runner (NODE_ENV=test) it would bundle React's
  // development build, three times the size and slower. What is served is always a production build.
  execFileSync('npx', ['vite', 'build', '--mode', MODE, '--logLevel', 'warn'], {
    cwd: client,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  writeFileSync(stampFile, stamp);
}
