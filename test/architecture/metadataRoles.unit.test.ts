import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  const folder = mkdtempSync(join(tmpdir(), 'metadata-roles-'));
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

const ports = {
  'src/ports/ConnectionRepo.ts': 'export interface ConnectionRepo { listConnections(): Promise<string[]> }\n',
  'src/ports/MetadataRepo.ts':
    "import type { ConnectionRepo } from './ConnectionRepo';\nexport interface MetadataRepo extends ConnectionRepo {}\n",
};
const useCase = (port: string) =>
  `import type { ${port} } from '../ports/${port}';\nexport const count = async (metadata: ${port}) => (await metadata.listConnections()).length;\n`;

describe('use cases and the metadata store', () => {
  it('lets a use case depend on the metadata role it uses', () => {
    expect(cruise({ ...ports, 'src/domain/CountConnections.ts': useCase('ConnectionRepo') })).toMatch(
      /no dependency violations found/,
    );
  });

  it('refuses a use case that depends on the whole MetadataRepo', () => {
    const output = cruise({ ...ports, 'src/domain/CountConnections.ts': useCase('MetadataRepo') });
    expect(output).toMatch(/domain-depends-on-metadata-roles/);
    expect(output).toMatch(/src\/domain\/CountConnections\.ts → src\/ports\/MetadataRepo\.ts/);
  });
});
