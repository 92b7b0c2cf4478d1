import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LocalVolumeFileStore } from '../../../src/adapters/local-volume/LocalVolumeFileStore';
import { FileStoreError } from '../../../src/ports/FileStore';

const run = promisify(execFile);
const text = (value: string) => new TextEncoder().encode(value);
const asText = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString('utf8'));

/**
 * Azure Files over SMB: a rename over a file another client of the share holds open fails with
 * EACCES or EBUSY until that client closes it. Simulated by a rename that answers so for a target
 * marked "open elsewhere", on an otherwise ordinary folder.
 */
function heldOpen(errno: 'EACCES' | 'EBUSY', openElsewhere: Set<string>) {
  return {
    rename: async (from: string, to: string) => {
      if (openElsewhere.has(path.basename(to)))
        throw Object.assign(new Error(`${errno}: resource busy or locked, rename '${from}' -> '${to}'`), {
          code: errno,
        });
      await fs.rename(from, to);
    },
  };
}

async function caught(promise: Promise<unknown>): Promise<FileStoreError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(FileStoreError);
    return error as FileStoreError;
  }
  throw new Error('expected a FileStoreError');
}

describe.each(['EACCES', 'EBUSY'] as const)(
  'a rename refused with %s while another SMB client holds the file open',
  (errno) => {
    it('is retryable (Unavailable), keeps the old file, and goes through once the file is closed', async () => {
      const root = await fs.mkdtemp(path.join(tmpdir(), 'smb-rename-'));
      const openElsewhere = new Set<string>();
      const store = await LocalVolumeFileStore.open(root, { volume: heldOpen(errno, openElsewhere) });
      await store.write('orgs/1/run.py', text('old'));
      await store.write('staging/run.py', text('staged'));
      openElsewhere.add('run.py');

      for (const attempt of [
        () => store.write('orgs/1/run.py', text('new')),
        () => store.rename('staging/run.py', 'orgs/1/run.py'),
      ]) {
        const error = await caught(attempt());
        expect(error).toMatchObject({ code: 'Unavailable', retryable: true });
        expect(error.message).toContain('in use');
      }
      expect(asText(await store.read('orgs/1/run.py'))).toBe('old');

      openElsewhere.clear();
      await store.rename('staging/run.py', 'orgs/1/run.py');
      expect(asText(await store.read('orgs/1/run.py'))).toBe('staged');
      await store.write('orgs/1/run.py', text('new'));
      expect(asText(await store.read('orgs/1/run.py'))).toBe('new');
      // No temp file is left behind by the refused writes.
      expect(await fs.readdir(path.join(root, '.workspace-sync', 'tmp'))).toEqual([]);
    });
  },
);

describe('a folder that refuses writes (not a file held open)', () => {
  it('is still ReadOnly, never retried', async (context) => {
    const root = await fs.mkdtemp(path.join(tmpdir(), 'smb-rename-'));
    const store = await LocalVolumeFileStore.open(root);
    await store.write('locked/file.txt', text('old'));
    const locked = path.join(root, 'locked');
    const isRoot = process.getuid?.() === 0;
    if (isRoot) {
      const made = await run('chattr', ['+i', locked]).then(
        () => true,
        () => false,
      );
      if (!made) context.skip('running as root without chattr +i support: no way to make a read-only folder');
    } else {
      await fs.chmod(locked, 0o555);
    }
    try {
      expect(await caught(store.write('locked/file.txt', text('new')))).toMatchObject({
        code: 'ReadOnly',
        retryable: false,
      });
      await store.write('elsewhere/file.txt', text('staged'));
      expect(await caught(store.rename('elsewhere/file.txt', 'locked/file.txt'))).toMatchObject({
        code: 'ReadOnly',
        retryable: false,
      });
    } finally {
      if (isRoot) await run('chattr', ['-i', locked]);
      else await fs.chmod(locked, 0o755);
    }
  });
});
