// Builds the web app only when client/dist is missing or older than a source file, so `npm start`
// stays quick when nothing in the client changed.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const client = fileURLToPath(new URL('..', import.meta.url));
const index = join(client, 'dist', 'index.html');

function newest(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const sources = ['src', 'build', 'index.html', 'vite.config.ts', 'staticwebapp.config.json', 'package.json'].map((name) => join(client, name)).filter(existsSync);
if (!existsSync(index) || Math.max(...sources.map(newest)) > statSync(index).mtimeMs) {
  console.log('building the web app (client/)…');
  // Vite takes NODE_ENV from its caller: under a test runner (NODE_ENV=test) it would bundle React's
  // development build, three times the size and slower. What is served is always a production build.
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: client, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
}
