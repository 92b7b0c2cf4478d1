import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

/** Runs the project's dependency-cruiser rules over a small tree of files; the output names each violation. */
function cruise(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'layering-'));
  folders.push(folder);
  writeFileSync(
    join(folder, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true } }),
  );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), text);
  }
  try {
    return execFileSync(
      process.execPath,
      [
        resolve(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
        'src',
        '--config',
        resolve(root, '.dependency-cruiser.cjs'),
      ],
      {
        cwd: folder,
        encoding: 'utf8',
      },
    );
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const host = {
  'src/host/identifiers.ts': "export const TYPES = { Config: Symbol.for('Config') };\n",
  'src/host/config.ts': 'export class ConfigError extends Error {}\n',
};

describe('functions and the host', () => {
  it('lets a function import the service identifiers', () => {
    const output = cruise({
      ...host,
      'src/functions/route.ts': "import { TYPES } from '../host/identifiers';\nexport const x = TYPES;\n",
    });
    expect(output).toMatch(/no dependency violations found/);
  });

  it('refuses any other import of the host from a function', () => {
    const output = cruise({
      ...host,
      'src/functions/route.ts': "import { ConfigError } from '../host/config';\nexport const x = ConfigError;\n",
    });
    expect(output).toMatch(/functions-import-only-identifiers-of-the-host/);
    expect(output).toMatch(/src\/functions\/route\.ts → src\/host\/config\.ts/);
  });
});
