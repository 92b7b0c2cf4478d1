import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll } from 'vitest';

const root = resolve(__dirname, '../..');

/**
 * Runs the project's dependency-cruiser rules over small trees of files written to temporary
 * folders (removed after the calling test file); each call's output names each violation.
 */
export function ruleCruiser(): (files: Record<string, string>) => string {
  const folders: string[] = [];
  afterAll(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });
  return (files) => {
    const folder = mkdtempSync(join(tmpdir(), 'cruise-rules-'));
    folders.push(folder);
    writeFileSync(
      join(folder, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true } }),
    );
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(folder, path)), { recursive: true });
      writeFileSync(join(folder, path), text);
    }
    const cli = resolve(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
    try {
      return execFileSync(process.execPath, [cli, 'src', '--config', resolve(root, '.dependency-cruiser.cjs')], {
        cwd: folder,
        encoding: 'utf8',
      });
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? error);
    }
  };
}
