import { execFile } from 'node:child_process';
import * as nodeFs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalVolumeFileStore } from '../../../src/adapters/local-volume/LocalVolumeFileStore';
import { FileStoreError } from '../../../src/ports/FileStore';

const fs = nodeFs.promises;
const run = promisify(execFile);
const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const asText = (bytes: Uint8Array | null): string | null => (bytes === null ? null : new TextDecoder().decode(bytes));

async function caught(promise: Promise<unknown>): Promise<FileStoreError> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(FileStoreError);
  return error as FileStoreError;
}

const causeErrno = (error: FileStoreError): unknown => (error.cause as { code?: unknown } | undefined)?.code;

describe('LocalVolumeFileStore (local volume specifics)', () => {
  let parent: string;
  let root: string;
  let store: LocalVolumeFileStore;
  const tempFolder = (): string => path.join(root, '.workspace-sync', 'tmp');

  beforeEach(async () => {
    parent = await fs.mkdtemp(path.join(os.tmpdir(), 'ws-localvolume-'));
    root = path.join(parent, 'workspace');
    store = await LocalVolumeFileStore.open(root);
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await fs.rm(parent, { recursive: true, force: true });
  });

  it('refuses a relative root', async () => {
    await expect(LocalVolumeFileStore.open('relative/root')).rejects.toThrow(/absolute/);
  });

  it('detects the volume: case-sensitive ext4/tmpfs, executable bit kept, 4096 characters', () => {
    expect(store.capabilities).toEqual({ executableBit: true, caseSensitive: true, maxPathLength: 4096 });
  });

  describe('paths outside the root', () => {
    it.each(['../outside.txt', 'a/../../outside.txt', '/tmp/outside.txt', 'nul\0byte.txt'])(
      'refuses %j for every operation',
      async (escaping) => {
        await fs.writeFile(path.join(parent, 'outside.txt'), 'untouched');
        for (const attempt of [
          store.write(escaping, text('x')),
          store.read(escaping),
          store.stat(escaping),
          store.list(escaping),
          store.delete(escaping),
          store.deleteTree(escaping),
          store.createDirectory(escaping),
          store.rename('inside.txt', escaping),
          store.rename(escaping, 'inside.txt'),
        ]) {
          expect((await caught(attempt)).code).toBe('Conflict');
        }
        expect(await fs.readFile(path.join(parent, 'outside.txt'), 'utf8')).toBe('untouched');
      },
    );

    it('refuses its temp folder and the folder holding it, in any case', async () => {
      for (const reserved of [
        '.workspace-sync/tmp/x',
        '.Workspace-Sync/tmp/x',
        '.workspace-sync/tmp',
        '.workspace-sync',
      ]) {
        expect((await caught(store.write(reserved, text('x')))).code).toBe('Conflict');
        expect((await caught(store.deleteTree(reserved))).code).toBe('Conflict');
      }
      expect((await fs.stat(tempFolder())).isDirectory()).toBe(true);
    });

    it('lets the service keep other working folders under .workspace-sync, hidden from the root listing', async () => {
      await store.write('.workspace-sync/staging/run-1/a.txt', text('staged'));
      await store.rename('.workspace-sync/staging/run-1/a.txt', 'global/a.txt');
      await store.deleteTree('.workspace-sync/staging');
      expect((await store.list('', { recursive: true })).map((entry) => entry.path)).toEqual([
        'global',
        'global/a.txt',
      ]);
    });

    it('keeps paths that merely normalise inside the root', async () => {
      await store.write('a/./b/../c.txt', text('x'));
      expect(asText(await fs.readFile(path.join(root, 'a', 'c.txt')))).toBe('x');
    });
  });

  describe('temp files', () => {
    it('stage under .workspace-sync/tmp, never next to the target', async () => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let firstChunkSent!: () => void;
      const firstChunk = new Promise<void>((resolve) => (firstChunkSent = resolve));
      async function* slowSource(): AsyncGenerator<Uint8Array> {
        yield text('first half, ');
        firstChunkSent();
        await released;
        yield text('second half');
      }
      await store.write('scope/file.txt', text('old'));
      const writing = store.write('scope/file.txt', slowSource());
      await firstChunk;
      await new Promise((resolve) => setTimeout(resolve, 20)); // let the first chunk reach the disk

      expect(await fs.readdir(path.join(root, 'scope'))).toEqual(['file.txt']);
      expect(await fs.readFile(path.join(root, 'scope', 'file.txt'), 'utf8')).toBe('old');
      const staged = await fs.readdir(tempFolder());
      expect(staged).toHaveLength(1);
      expect(await fs.readFile(path.join(tempFolder(), staged[0] ?? ''), 'utf8')).toBe('first half, ');

      release();
      await writing;
      expect(asText(await store.read('scope/file.txt'))).toBe('first half, second half');
      expect(await fs.readdir(tempFolder())).toEqual([]);
    });

    it('are removed when streamed content fails', async () => {
      async function* broken(): AsyncGenerator<Uint8Array> {
        yield new Uint8Array(100_000);
        throw new Error('source failed');
      }
      await expect(store.write('scope/file.bin', broken())).rejects.toThrow('source failed');
      expect(await fs.readdir(tempFolder())).toEqual([]);
      expect(await store.stat('scope/file.bin')).toBeNull();
    });

    it('are removed when the rename fails', async () => {
      await store.write('scope/folder/inside.txt', text('x'));
      expect((await caught(store.write('scope/folder', text('y')))).code).toBe('Conflict');
      expect(await fs.readdir(tempFolder())).toEqual([]);
    });

    it('never appear in a listing of the root', async () => {
      await store.write('a.txt', text('x'));
      await fs.writeFile(path.join(tempFolder(), 'left-over.tmp'), 'x');
      expect((await store.list('')).map((entry) => entry.path)).toEqual(['a.txt']);
      expect((await store.list('', { recursive: true })).map((entry) => entry.path)).toEqual(['a.txt']);
    });

    it('left over by a crashed writer are swept at open, fresh ones are kept', async () => {
      const stale = path.join(tempFolder(), 'stale.tmp');
      const fresh = path.join(tempFolder(), 'fresh.tmp');
      await fs.writeFile(stale, 'x');
      await fs.writeFile(fresh, 'x');
      const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
      await fs.utimes(stale, twoHoursAgo, twoHoursAgo);
      await LocalVolumeFileStore.open(root);
      expect(await fs.readdir(tempFolder())).toEqual(['fresh.tmp']);
    });
  });

  describe("modes: only the service's user may read what it creates", () => {
    const modeOf = async (relative: string): Promise<number> => (await fs.stat(path.join(root, relative))).mode & 0o777;

    it('writes 0o700 for executables and 0o600 otherwise, bytes and streams alike', async () => {
      await store.write('run.sh', text('#!/bin/sh\n'), { executable: true });
      await store.write('data.txt', text('x'));
      await store.write(
        'streamed.sh',
        (async function* () {
          yield text('#!/bin/sh\n');
        })(),
        { executable: true },
      );
      expect(await modeOf('run.sh')).toBe(0o700);
      expect(await modeOf('data.txt')).toBe(0o600);
      expect(await modeOf('streamed.sh')).toBe(0o700);
    });

    it('keeps the modes when a staged file is moved into place', async () => {
      await store.write('.workspace-sync/staging/run-1/bin/tool', text('#!/bin/sh\n'), { executable: true });
      await store.rename('.workspace-sync/staging/run-1/bin/tool', 'orgs/1/bin/tool');
      expect(await modeOf('orgs/1/bin/tool')).toBe(0o700);
    });

    it('creates folders 0o700: the root, its private folder, staging and every parent it makes', async () => {
      await store.write('orgs/1/deep/file.txt', text('x'));
      await store.createDirectory('global/made/here');
      await store.write('.workspace-sync/backups/b.zip', text('zip'));
      await store.write('.workspace-sync/staging/run-1/a.txt', text('x'));
      for (const folder of [
        '',
        '.workspace-sync',
        '.workspace-sync/tmp',
        '.workspace-sync/backups',
        '.workspace-sync/staging/run-1',
        'orgs',
        'orgs/1',
        'orgs/1/deep',
        'global/made/here',
      ]) {
        expect({ folder, mode: await modeOf(folder) }).toEqual({ folder, mode: 0o700 });
      }
      expect(await modeOf('.workspace-sync/backups/b.zip')).toBe(0o600);
    });

    it('closes an existing, world-readable private folder at open (backups of older versions)', async () => {
      await fs.chmod(path.join(root, '.workspace-sync'), 0o755);
      await LocalVolumeFileStore.open(root);
      expect(await modeOf('.workspace-sync')).toBe(0o700);
    });

    it("closes the root at open when the whole store is the service's own (a backups folder)", async () => {
      const backupsRoot = path.join(parent, 'backups');
      await fs.mkdir(backupsRoot, { mode: 0o755 });
      await fs.chmod(backupsRoot, 0o755);
      await LocalVolumeFileStore.open(backupsRoot, { ownedByService: true });
      expect((await fs.stat(backupsRoot)).mode & 0o777).toBe(0o700);
      // A workspace root may be shared with the platform: opening it leaves its mode alone.
      await fs.chmod(root, 0o755);
      await LocalVolumeFileStore.open(root);
      expect(await modeOf('')).toBe(0o755);
    });
  });

  describe('errno mapping through real failures', () => {
    it('maps ENOTDIR (a parent is a regular file) to Conflict', async () => {
      await store.write('plain.txt', text('x'));
      const error = await caught(store.write('plain.txt/sub/child.txt', text('y')));
      expect(error.code).toBe('Conflict');
      expect(error.retryable).toBe(false);
      expect(causeErrno(error)).toBe('ENOTDIR');
      // One level down, creating the parent folder meets the file itself: EEXIST, also Conflict.
      const direct = await caught(store.write('plain.txt/child.txt', text('y')));
      expect(direct.code).toBe('Conflict');
      expect(causeErrno(direct)).toBe('EEXIST');
      expect(error.message).not.toContain(root); // messages name store paths, not host paths
    });

    it('maps EEXIST (a folder where a file exists) to Conflict', async () => {
      await store.write('plain.txt', text('x'));
      const error = await caught(store.createDirectory('plain.txt'));
      expect(error.code).toBe('Conflict');
      expect(causeErrno(error)).toBe('EEXIST');
    });

    it('maps EISDIR/ENOTEMPTY (replacing a non-empty folder) to Conflict', async () => {
      await store.write('f.txt', text('x'));
      await store.write('dir/inside.txt', text('x'));
      const error = await caught(store.rename('f.txt', 'dir'));
      expect(error.code).toBe('Conflict');
      expect(['EISDIR', 'ENOTEMPTY']).toContain(causeErrno(error));
    });

    it('maps ENOENT on a missing rename source to NotFound', async () => {
      const error = await caught(store.rename('missing.txt', 'target.txt'));
      expect(error.code).toBe('NotFound');
      expect(causeErrno(error)).toBe('ENOENT');
    });

    // Tests run as root, and root ignores chmod 0o555. The immutable attribute (chattr +i) binds
    // root too, so it gives a real read-only folder where the file system supports it. EROFS itself
    // cannot be produced here: that needs a read-only mount, and mounting is not possible in this
    // sandbox (mapFsError.unit.test.ts covers the EROFS row of the table).
    it('maps a folder the process may not write (EPERM/EACCES) to ReadOnly and keeps the old file', async (context) => {
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
        const error = await caught(store.write('locked/file.txt', text('new')));
        expect(error.code).toBe('ReadOnly');
        expect(error.retryable).toBe(false);
        expect(['EPERM', 'EACCES']).toContain(causeErrno(error));
        expect((await caught(store.write('locked/new.txt', text('new')))).code).toBe('ReadOnly');
        expect((await caught(store.delete('locked/file.txt'))).code).toBe('ReadOnly');
        expect(asText(await store.read('locked/file.txt'))).toBe('old');
        expect(await fs.readdir(tempFolder())).toEqual([]);
      } finally {
        if (isRoot) await run('chattr', ['-i', locked]);
        else await fs.chmod(locked, 0o755);
      }
    });
  });

  describe('folders changed behind the store', () => {
    it('writes again into a folder another process deleted', async () => {
      await store.write('orgs/1/a/file.txt', text('before'));
      await fs.rm(path.join(root, 'orgs'), { recursive: true });
      await store.write('orgs/1/a/file.txt', text('after'));
      expect(asText(await store.read('orgs/1/a/file.txt'))).toBe('after');
    });

    it('renames into a folder another process deleted', async () => {
      await store.write('orgs/1/a/file.txt', text('x'));
      await store.write('staging/file.txt', text('staged'));
      await fs.rm(path.join(root, 'orgs'), { recursive: true });
      await store.rename('staging/file.txt', 'orgs/1/a/file.txt');
      expect(asText(await store.read('orgs/1/a/file.txt'))).toBe('staged');
    });

    it('recreates its temp folder when it was deleted', async () => {
      await fs.rm(path.join(root, '.workspace-sync'), { recursive: true });
      await store.write('bytes.txt', text('bytes'));
      await fs.rm(path.join(root, '.workspace-sync'), { recursive: true });
      await store.write(
        'streamed.txt',
        (async function* () {
          yield text('streamed');
        })(),
      );
      expect(asText(await store.read('bytes.txt'))).toBe('bytes');
      expect(asText(await store.read('streamed.txt'))).toBe('streamed');
    });

    it('keeps its temp folder when the whole store is emptied', async () => {
      await store.write('global/a.txt', text('x'));
      await store.write('orgs/1/b.txt', text('x'));
      await store.deleteTree('');
      expect(await store.list('', { recursive: true })).toEqual([]);
      expect((await fs.stat(tempFolder())).isDirectory()).toBe(true);
      await store.write('global/a.txt', text('again'));
      expect(asText(await store.read('global/a.txt'))).toBe('again');
    });
  });

  describe('symbolic links planted in the workspace are never followed', () => {
    let outside: string;
    const exists = (absolute: string): Promise<boolean> =>
      fs.lstat(absolute).then(
        () => true,
        () => false,
      );
    const outsideTree = async (): Promise<string[]> =>
      (await fs.readdir(outside, { recursive: true })).map(String).sort();
    const bTree = async (): Promise<string[]> =>
      (await fs.readdir(path.join(root, 'orgs', 'b'), { recursive: true })).map(String).sort();

    beforeEach(async () => {
      outside = path.join(parent, 'outside');
      await fs.mkdir(path.join(outside, 'empty'), { recursive: true });
      await fs.writeFile(path.join(outside, 'victim.txt'), 'outside');
      await store.write('orgs/a/own.txt', text('a'));
      await store.write('orgs/b/secret.txt', text('b'));
      await store.createDirectory('orgs/b/empty');
      await fs.symlink('../b', path.join(root, 'orgs', 'a', 'link')); // relative, to a sibling scope
      await fs.symlink(outside, path.join(root, 'orgs', 'a', 'abs')); // absolute, out of the root
      await fs.symlink('../b/secret.txt', path.join(root, 'orgs', 'a', 'file-link'));
      await fs.symlink(outside, path.join(root, 'orgs', 'c')); // a whole scope folder
    });

    it('reads nothing through a link, or at one', async () => {
      for (const through of [
        'orgs/a/link/secret.txt',
        'orgs/a/abs/victim.txt',
        'orgs/a/file-link',
        'orgs/c/victim.txt',
      ]) {
        expect({ through, read: await store.read(through) }).toEqual({ through, read: null });
        expect({ through, stream: await store.readStream(through) }).toEqual({ through, stream: null });
        expect({ through, stat: await store.stat(through) }).toEqual({ through, stat: null });
      }
      expect(await store.stat('orgs/a/link')).toBeNull();
      expect(await store.stat('orgs/c')).toBeNull();
    });

    it('a link that loops finds nothing and refuses changes, never a fault: resolving through it fails with ELOOP', async () => {
      await fs.symlink('loop', path.join(root, 'orgs', 'a', 'loop'));
      for (const through of ['orgs/a/loop/x.txt', 'orgs/a/loop/deeper/x.txt']) {
        expect({ through, read: await store.read(through) }).toEqual({ through, read: null });
        expect({ through, stat: await store.stat(through) }).toEqual({ through, stat: null });
      }
      expect((await caught(store.write('orgs/a/loop/x.txt', text('x')))).code).toBe('SymbolicLink');
    });

    it('lists around links: never shown, never entered, a linked folder lists as empty', async () => {
      expect((await store.list('orgs/a', { recursive: true })).map((entry) => entry.path)).toEqual(['orgs/a/own.txt']);
      expect(await store.list('orgs/a/link', { recursive: true })).toEqual([]);
      expect(await store.list('orgs/a/abs')).toEqual([]);
      expect(await store.list('orgs/c', { recursive: true })).toEqual([]);
      expect((await store.list('', { recursive: true })).map((entry) => entry.path)).toEqual([
        'orgs',
        'orgs/a',
        'orgs/a/own.txt',
        'orgs/b',
        'orgs/b/empty',
        'orgs/b/secret.txt',
      ]);
    });

    it('refuses every change through a link with SymbolicLink, naming the link, and changes nothing behind it', async () => {
      const attempts: Array<[string, () => Promise<unknown>]> = [
        ['write', () => store.write('orgs/a/link/new.txt', text('x'))],
        [
          'write streamed',
          () =>
            store.write(
              'orgs/a/abs/new.txt',
              (async function* () {
                yield text('x');
              })(),
            ),
        ],
        ['write deep', () => store.write('orgs/a/link/empty/deeper/new.txt', text('x'))],
        ['write into linked scope', () => store.write('orgs/c/victim.txt', text('overwritten'))],
        ['rename into', () => store.rename('orgs/a/own.txt', 'orgs/a/link/moved.txt')],
        ['rename out of', () => store.rename('orgs/a/link/secret.txt', 'orgs/a/stolen.txt')],
        ['rename out of linked scope', () => store.rename('orgs/c/victim.txt', 'orgs/a/stolen.txt')],
        ['delete', () => store.delete('orgs/a/link/secret.txt')],
        ['delete in linked scope', () => store.delete('orgs/c/victim.txt')],
        ['deleteTree', () => store.deleteTree('orgs/a/link/empty')],
        ['deleteTree outside', () => store.deleteTree('orgs/a/abs/empty')],
        ['createDirectory below', () => store.createDirectory('orgs/a/link/made')],
        ['createDirectory at', () => store.createDirectory('orgs/a/link')],
      ];
      for (const [name, attempt] of attempts) {
        const error = await caught(attempt());
        expect({ name, code: error.code, retryable: error.retryable }).toEqual({
          name,
          code: 'SymbolicLink',
          retryable: false,
        });
        expect(error.message).toMatch(/'orgs\/(a\/(link|abs)|c)' is a symbolic link/);
        expect(error.message).not.toContain(parent);
      }
      expect(await bTree()).toEqual(['empty', 'secret.txt']);
      expect(await fs.readFile(path.join(root, 'orgs', 'b', 'secret.txt'), 'utf8')).toBe('b');
      expect(await outsideTree()).toEqual(['empty', 'victim.txt']);
      expect(await fs.readFile(path.join(outside, 'victim.txt'), 'utf8')).toBe('outside');
      expect(asText(await store.read('orgs/a/own.txt'))).toBe('a');
    });

    it('prunes no folder behind a link', async () => {
      await store.pruneEmptyDirectories('orgs/a/link/empty', 'orgs/a');
      await store.pruneEmptyDirectories('orgs/c/empty', 'orgs/c');
      await store.pruneEmptyDirectories('orgs/c/empty', 'orgs');
      expect(await bTree()).toEqual(['empty', 'secret.txt']);
      expect(await outsideTree()).toEqual(['empty', 'victim.txt']);
    });

    it('deletes a link itself, never what it points to', async () => {
      await store.delete('orgs/a/file-link');
      await store.deleteTree('orgs/a/link');
      await store.deleteTree('orgs/c');
      expect(await exists(path.join(root, 'orgs', 'a', 'file-link'))).toBe(false);
      expect(await exists(path.join(root, 'orgs', 'a', 'link'))).toBe(false);
      expect(await exists(path.join(root, 'orgs', 'c'))).toBe(false);
      expect(await bTree()).toEqual(['empty', 'secret.txt']);
      expect(await outsideTree()).toEqual(['empty', 'victim.txt']);
    });

    it('replaces a link with the file written at its name, leaving the target alone', async () => {
      await store.write('orgs/a/file-link', text('replaced'));
      expect((await fs.lstat(path.join(root, 'orgs', 'a', 'file-link'))).isFile()).toBe(true);
      expect(asText(await store.read('orgs/a/file-link'))).toBe('replaced');
      expect(await fs.readFile(path.join(root, 'orgs', 'b', 'secret.txt'), 'utf8')).toBe('b');
    });

    it('refuses scratch writes and batch moves through a link with SymbolicLink, and changes nothing behind it', async () => {
      await fs.mkdir(path.join(root, '.workspace-sync', 'staging'), { recursive: true });
      await fs.symlink(outside, path.join(root, '.workspace-sync', 'staging', 'planted'));
      await store.write('.workspace-sync/staging/own/file.txt', text('staged'), { scratch: true });
      const attempts: Array<[string, () => Promise<unknown>]> = [
        [
          'scratch write below a link',
          () => store.write('.workspace-sync/staging/planted/new.txt', text('x'), { scratch: true }),
        ],
        [
          'moveAll into a link',
          () => store.moveAll([{ from: '.workspace-sync/staging/own/file.txt', to: 'orgs/a/link/moved.txt' }]),
        ],
        [
          'moveAll into a linked scope',
          () => store.moveAll([{ from: '.workspace-sync/staging/own/file.txt', to: 'orgs/c/victim.txt' }]),
        ],
        ['moveAll out of a link', () => store.moveAll([{ from: 'orgs/a/link/secret.txt', to: 'orgs/a/stolen.txt' }])],
      ];
      for (const [name, attempt] of attempts) {
        const error = await caught(attempt());
        expect({ name, code: error.code }).toEqual({ name, code: 'SymbolicLink' });
      }
      expect(await bTree()).toEqual(['empty', 'secret.txt']);
      expect(await outsideTree()).toEqual(['empty', 'victim.txt']);
      expect(asText(await store.read('.workspace-sync/staging/own/file.txt'))).toBe('staged');
    });

    it("replaces a link at a scratch file's own name, never writing through it", async () => {
      await fs.mkdir(path.join(root, '.workspace-sync', 'staging'), { recursive: true });
      await fs.symlink(path.join(outside, 'victim.txt'), path.join(root, '.workspace-sync', 'staging', 'file.txt'));
      await store.write('.workspace-sync/staging/file.txt', text('staged'), { scratch: true });
      expect((await fs.lstat(path.join(root, '.workspace-sync', 'staging', 'file.txt'))).isFile()).toBe(true);
      expect(await fs.readFile(path.join(outside, 'victim.txt'), 'utf8')).toBe('outside');
    });

    it('never follows a folder swapped for a link after it was checked (reads verify what they opened)', async () => {
      // The window between the walk and the open cannot be closed without openat(2); a read
      // therefore checks that the file it opened is the one it found without following links.
      await store.write('orgs/a/dir/file.txt', text('mine'));
      const lstat = fs.lstat.bind(fs);
      let swapped = false;
      vi.spyOn(nodeFs.promises, 'lstat').mockImplementation(async (...args: Parameters<typeof fs.lstat>) => {
        const result = await lstat(...args);
        if (!swapped && String(args[0]).endsWith(path.join('orgs', 'a', 'dir', 'file.txt'))) {
          swapped = true;
          await fs.rename(path.join(root, 'orgs', 'a', 'dir'), path.join(root, 'orgs', 'a', 'dir-away'));
          await fs.symlink(outside, path.join(root, 'orgs', 'a', 'dir'));
          await fs.writeFile(path.join(outside, 'file.txt'), 'outside content');
        }
        return result;
      });
      const read = await store.read('orgs/a/dir/file.txt').catch((error: unknown) => error);
      expect(swapped).toBe(true);
      expect(read === null || (read instanceof FileStoreError && read.code === 'Unavailable')).toBe(true);
    });
  });

  describe('staging a sync: scratch writes and moveAll', () => {
    it('costs one create and one rename per file, and looks at each folder once, not once per file', async () => {
      let renames = 0;
      const counted = await LocalVolumeFileStore.open(root, {
        volume: {
          rename: async (from, to) => {
            renames++;
            await fs.rename(from, to);
          },
        },
      });
      const lstat = vi.spyOn(nodeFs.promises, 'lstat');
      const realpath = vi.spyOn(nodeFs.promises, 'realpath');
      const open = vi.spyOn(nodeFs.promises, 'open');
      const files = Array.from({ length: 200 }, (_, i) => `team-${i % 10}/script-${i}.py`);

      await Promise.all(
        files.map((file) =>
          counted.write(`.workspace-sync/staging/run/${file}`, text(file), {
            scratch: true,
            executable: file.endsWith('7.py'),
          }),
        ),
      );
      const staged = {
        renames,
        lookups: lstat.mock.calls.length + realpath.mock.calls.length,
        opens: open.mock.calls.length,
      };
      // Every target folder exists already (a later sync): no folder can move whole, each file moves.
      for (let team = 0; team < 10; team++) await counted.write(`orgs/1/team-${team}/keep.txt`, text('keep'));
      const renamesBefore = renames;
      lstat.mockClear();
      realpath.mockClear();
      await counted.moveAll(
        files.map((file) => ({ from: `.workspace-sync/staging/run/${file}`, to: `orgs/1/${file}` })),
      );
      const moved = { renames: renames - renamesBefore, lookups: lstat.mock.calls.length + realpath.mock.calls.length };

      expect(staged.renames).toBe(0); // no temp file moved into staging
      // Whole files are created by the store's writing thread, out of this spy's sight: at most one each here.
      expect(staged.opens).toBeLessThanOrEqual(files.length);
      expect(staged.lookups).toBeLessThan(files.length / 2); // a few per folder (10 folders)
      expect(moved.renames).toBe(files.length);
      expect(moved.lookups).toBeLessThan(files.length / 2);
      for (const file of files) expect(asText(await counted.read(`orgs/1/${file}`))).toBe(file);
      expect((await fs.stat(path.join(root, 'orgs', '1', files[7]!))).mode & 0o777).toBe(0o700);
      expect((await fs.stat(path.join(root, 'orgs', '1', files[0]!))).mode & 0o777).toBe(0o600);
    });

    it('moves into a folder another process deleted after the batch looked at it', async () => {
      await store.write('orgs/1/a/old.txt', text('old'));
      await store.write('.workspace-sync/staging/run/a/one.txt', text('one'), { scratch: true });
      await store.write('.workspace-sync/staging/run/a/two.txt', text('two'), { scratch: true });
      // The folder goes away before the first rename, after the batch found it there.
      let deletion: Promise<void> | undefined;
      const racing = await LocalVolumeFileStore.open(root, {
        volume: {
          rename: async (from, to) => {
            deletion ??= fs.rm(path.join(root, 'orgs', '1', 'a'), { recursive: true });
            await deletion;
            await fs.rename(from, to);
          },
        },
      });
      await racing.moveAll([
        { from: '.workspace-sync/staging/run/a/one.txt', to: 'orgs/1/a/one.txt' },
        { from: '.workspace-sync/staging/run/a/two.txt', to: 'orgs/1/a/two.txt' },
      ]);
      expect(asText(await store.read('orgs/1/a/one.txt'))).toBe('one');
      expect(asText(await store.read('orgs/1/a/two.txt'))).toBe('two');
    });
  });

  // The time is printed, not asserted: a busy machine would break a bound (bench/ measures speed).
  it('writes 10,000 small files with one mkdir per folder', async () => {
    const mkdir = vi.spyOn(nodeFs.promises, 'mkdir');
    const content = text('print("hello")\n');
    const files = 10_000;
    const folders = 100;
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < files) {
          const i = next++;
          await store.write(`orgs/42/f${i % folders}/script${i}.py`, content);
        }
      }),
    );
    const elapsedMs = performance.now() - started;
    console.info(`10,000 writes in ${Math.round(elapsedMs)} ms, ${mkdir.mock.calls.length} mkdir calls`);

    expect(mkdir.mock.calls.length).toBeLessThanOrEqual(folders + 1);
    const listed = await store.list('orgs/42', { recursive: true });
    expect(listed.filter((entry) => entry.kind === 'file')).toHaveLength(files);
    expect(await fs.readdir(tempFolder())).toEqual([]);
  }, 60_000);
});
