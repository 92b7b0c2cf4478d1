import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Id of this test run: the per-file temporary folders carry it, so a run sees only its own. */
    tempFolderRun: string;
  }
}

/** Name prefix of the temporary folders of one run's test files (see tempFolders.ts). */
export function testFolderPrefix(run: string): string {
  return `wsync-test-${run}-`;
}

/**
 * Global setup: after the run, no per-file temporary folder may be left (a test file whose
 * cleanup could not run or failed). Leftovers are named on stderr and removed.
 */
export default function setup(project: TestProject): () => Promise<void> {
  const run = randomBytes(4).toString('hex');
  project.provide('tempFolderRun', run);
  const systemTemp = tmpdir();
  return async () => {
    const left = (await readdir(systemTemp)).filter((name) => name.startsWith(testFolderPrefix(run)));
    if (left.length === 0) return;
    process.stderr.write(
      `\n${left.length} test file(s) left their temporary folder behind in ${systemTemp}: ${left.join(', ')}; removing them\n`,
    );
    for (const name of left) await rm(join(systemTemp, name), { recursive: true, force: true }).catch(() => undefined);
  };
}
