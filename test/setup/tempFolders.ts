/**
 * Each test file gets its own temporary folder: TMPDIR points into it while the file runs, so every
 * mkdtemp(tmpdir()), git repository, Azurite file and child process (they inherit TMPDIR) lands
 * there, and the whole folder goes when the file is done, whatever the test forgot to remove.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, inject } from 'vitest';
import { testFolderPrefix } from './tempFolderRun';

const previous = process.env.TMPDIR;
const folder = mkdtempSync(join(tmpdir(), testFolderPrefix(inject('tempFolderRun'))));
process.env.TMPDIR = folder;

afterAll(async () => {
  if (previous === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previous;
  try {
    await rm(folder, { recursive: true, force: true, maxRetries: 3 });
  } catch (error) {
    // A file a test made immutable (chattr +i) and left so; the run's teardown reports what is left.
    process.stderr.write(`could not remove the test file's temporary folder ${folder}: ${String(error)}\n`);
  }
});
