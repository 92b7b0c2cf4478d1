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

const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((name) => join(client, name)).filter(existsSync);
if (!existsSync(index) || Math.max(...sources.map(newest)) > statSync(index).mtimeMs) {
  console.log('building the web app (client/)…');
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: client, stdio: 'inherit' });
}
