import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const projectRoot = resolve(__dirname, '../..').replace(/[\\/]dist$/, '');
export const CLIENT_DIR = join(projectRoot, 'client');

/** Builds the web app when client/dist is missing or older than its sources (the e2e tests need it), as `npm start` does. */
export function ensureWebAppBuilt(): void {
  execFileSync(process.execPath, [join(CLIENT_DIR, 'scripts', 'buildIfChanged.mjs')], { stdio: 'inherit' });
}
