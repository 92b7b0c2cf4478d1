import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Runs the project's dependency-cruiser rules over a small tree of files; the output names each violation. */
function cruise(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'shipped-code-'));
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

const double = { 'test/doubles/FixedClock.ts': 'export const fixedNow = () => new Date(0);\n' };

describe('what dist/src and the image ship', () => {
  it('refuses source that imports a test double', () => {
    const output = cruise({
      ...double,
      'src/adapters/system/Clock.ts': "export { fixedNow } from '../../../test/doubles/FixedClock';\n",
    });
    expect(output).toMatch(/shipped-code-has-no-test-code/);
  });

  it('lets tests import source', () => {
    const output = cruise({ ...double, 'src/adapters/system/Clock.ts': 'export const now = () => new Date();\n' });
    expect(output).toMatch(/no dependency violations found/);
  });

  it('keeps every contract suite and test double out of src', () => {
    const shipped = readdirSync(resolve(root, 'src'), { recursive: true, encoding: 'utf8' });
    expect(
      shipped.filter((path) =>
        /\.(contract|fixtures|test)\.ts$|ManualClock|SequentialIdGenerator|InMemorySourceRepository|InMemoryRepositoryAdmin/.test(
          path,
        ),
      ),
    ).toEqual([]);
  });
});
