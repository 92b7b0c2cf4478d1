import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

/** docs/design.md §2, checked by dependency-cruiser on every test run. */
describe('layering', () => {
  it('domain imports only ports, ports nothing outward, functions no adapters', () => {
    let output = '';
    let failed = false;
    try {
      output = execFileSync(
        process.execPath,
        [
          resolve(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
          'src',
          '--config',
          '.dependency-cruiser.cjs',
        ],
        {
          cwd: root,
          encoding: 'utf8',
        },
      );
    } catch (error) {
      failed = true;
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(failed, output).toBe(false);
    expect(output).toMatch(/no dependency violations found/);
  });
});
