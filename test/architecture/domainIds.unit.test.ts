import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const domain = resolve(__dirname, '../../src/domain');

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(folder, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(folder, entry.name)]
        : [],
  );
}

/** Ids come from the IdGenerator port, as time comes from the Clock, so a test can predict them. */
describe('ids in the domain', () => {
  it('are never made in src/domain itself (no randomUUID)', () => {
    const offenders = sourceFiles(domain).filter((file) => /randomUUID/.test(readFileSync(file, 'utf8')));
    expect(offenders.map((file) => relative(domain, file))).toEqual([]);
  });
});
