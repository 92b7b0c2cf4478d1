import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot, readProjectJson } from './infraFiles';

/**
 * The image installs production dependencies only (`npm ci --omit=dev`), and Azurite is a dev
 * dependency: the code must load it only on the embedded path, and say so plainly when it is absent.
 * Runs the compiled dist/ (run `npx tsc -p tsconfig.json` first) in child processes.
 */

const distSrc = resolve(projectRoot, 'dist/src');
const packageJson = readProjectJson('package.json') as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

function runNode(cwd: string, script: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ['-e', script], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** dist/src beside a node_modules holding every installed package but the dev-only ones named. */
function appWithout(devOnly: readonly string[]): string {
  const app = mkdtempSync(join(tmpdir(), 'production-install-'));
  cpSync(distSrc, join(app, 'dist/src'), { recursive: true });
  mkdirSync(join(app, 'node_modules'));
  for (const entry of readdirSync(resolve(projectRoot, 'node_modules'))) {
    if (devOnly.includes(entry) || entry.startsWith('.')) continue;
    symlinkSync(resolve(projectRoot, 'node_modules', entry), join(app, 'node_modules', entry));
  }
  return app;
}

describe('production install (no dev dependencies)', () => {
  it('has azurite as a dev dependency only', () => {
    expect(packageJson.dependencies ?? {}).not.toHaveProperty('azurite');
    expect(packageJson.devDependencies ?? {}).toHaveProperty('azurite');
  });

  it('loads the Functions entry and every function module without loading azurite', () => {
    expect(existsSync(join(distSrc, 'functions')), 'dist/ is built').toBe(true);
    const { status, output } = runNode(
      projectRoot,
      `const { readdirSync } = require('node:fs');
       require('./' + require('./package.json').main);
       for (const file of readdirSync('dist/src/functions').filter((name) => name.endsWith('.js'))) require('./dist/src/functions/' + file);
       const loaded = Object.keys(require.cache).filter((path) => path.includes('/node_modules/azurite/'));
       console.log('AZURITE_MODULES=' + loaded.length);`,
    );
    expect(output).toContain('AZURITE_MODULES=0');
    expect(status).toBe(0);
  });

  it('starting the embedded Azurite without it says what is missing and what to set instead', () => {
    const app = appWithout(['azurite']);
    const { output } = runNode(
      app,
      `require('./dist/src/adapters/azure-tables/EmbeddedAzurite').EmbeddedAzurite.start().then(
         () => console.log('STARTED'),
         (error) => console.log('FAILED ' + error.message),
       );`,
    );
    expect(output).not.toContain('STARTED');
    expect(output).toMatch(/FAILED .*azurite.*dev dependenc/i);
    expect(output).toMatch(/TABLES_ENDPOINT|TABLES_CONNECTION_STRING/);
  });
});
