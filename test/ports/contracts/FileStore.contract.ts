import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FileEntry, type FileStore, FileStoreError, PRIVATE_FOLDER } from '../../../src/ports/FileStore';

export interface FileStoreFixture {
  readonly adapter: FileStore;
  readonly cleanup?: () => Promise<void>;
}

const encoder = new TextEncoder();
const text = (value: string): Uint8Array => encoder.encode(value);
const asText = (bytes: Uint8Array | null): string | null => (bytes === null ? null : new TextDecoder().decode(bytes));

/** Deterministic, non-repeating-looking bytes, so an offset or truncation shows up. */
function patterned(length: number, seed = 0): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + (i >>> 8) + seed) & 0xff;
  return bytes;
}

function sameBytes(actual: Uint8Array | null, expected: Uint8Array): boolean {
  if (actual === null || actual.byteLength !== expected.byteLength) return false;
  return Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(
    Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength),
  );
}

function expectBytes(actual: Uint8Array | null, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  expect(actual?.byteLength).toBe(expected.byteLength);
  expect(sameBytes(actual, expected)).toBe(true);
}

async function expectFileStoreError(promise: Promise<unknown>, code: FileStoreError['code']): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(FileStoreError);
  expect((error as FileStoreError).code).toBe(code);
}

async function* chunked(...chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) {
    await Promise.resolve(); // a real source yields between chunks
    yield chunk;
  }
}

const pathsOf = (entries: FileEntry[]): string[] => entries.map((entry) => entry.path);

/**
 * The behaviour every FileStore adapter must show. `makeAdapter` returns a fresh, empty store for
 * each test.
 */
export function describeFileStoreContract(name: string, makeAdapter: () => Promise<FileStoreFixture>): void {
  describe(`FileStore contract: ${name}`, () => {
    let store: FileStore;
    let cleanup: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      const fixture = await makeAdapter();
      store = fixture.adapter;
      cleanup = fixture.cleanup;
    });

    afterEach(async () => {
      await cleanup?.();
    });

    describe('write and read', () => {
      it('round-trips text', async () => {
        await store.write('scripts/hello.py', text("print('héllo wörld ✓')\n"));
        expect(asText(await store.read('scripts/hello.py'))).toBe("print('héllo wörld ✓')\n");
      });

      it('round-trips every byte value', async () => {
        const all = new Uint8Array(512);
        for (let i = 0; i < 256; i++) {
          all[i] = i;
          all[511 - i] = i;
        }
        await store.write('bin/all-bytes.bin', all);
        expectBytes(await store.read('bin/all-bytes.bin'), all);
      });

      it('round-trips an empty file as zero bytes, not as missing', async () => {
        await store.write('empty.txt', new Uint8Array(0));
        expectBytes(await store.read('empty.txt'), new Uint8Array(0));
        expect((await store.stat('empty.txt'))?.size).toBe(0);
      });

      it('round-trips 5 MB', async () => {
        const big = patterned(5 * 1024 * 1024);
        await store.write('big/blob.bin', big);
        expectBytes(await store.read('big/blob.bin'), big);
      });

      it('writes streamed content (AsyncIterable) with uneven and empty chunks', async () => {
        const parts = [patterned(1), new Uint8Array(0), patterned(70_000, 3), patterned(65_536, 9), patterned(5, 1)];
        await store.write('streamed/file.bin', chunked(...parts));
        expectBytes(await store.read('streamed/file.bin'), Buffer.concat(parts));
      });

      it('writes only the bytes of a Uint8Array view, not its whole buffer', async () => {
        const backing = text('0123456789');
        await store.write('view.txt', backing.subarray(3, 7));
        expect(asText(await store.read('view.txt'))).toBe('3456');
      });

      it('keeps what was written when the caller later mutates its buffer', async () => {
        const bytes = text('original');
        await store.write('owned.txt', bytes);
        bytes.fill(0x21);
        expect(asText(await store.read('owned.txt'))).toBe('original');
      });

      it('overwrites the whole content, including with shorter content', async () => {
        await store.write('over.txt', text('a much longer first version'));
        await store.write('over.txt', text('short'));
        expect(asText(await store.read('over.txt'))).toBe('short');
      });

      it('creates missing parent folders', async () => {
        await store.write('deep/er/still/file.txt', text('x'));
        expect((await store.stat('deep/er/still'))?.kind).toBe('directory');
        expect((await store.stat('deep'))?.kind).toBe('directory');
      });

      it('answers null for a missing file, a file under a missing folder, and a folder', async () => {
        await store.write('folder/file.txt', text('x'));
        expect(await store.read('nothing.txt')).toBeNull();
        expect(await store.read('no/such/folder/file.txt')).toBeNull();
        expect(await store.read('folder')).toBeNull();
        expect(await store.read('folder/file.txt/below')).toBeNull();
      });

      it('refuses to write below a file (Conflict)', async () => {
        await store.write('plain.txt', text('x'));
        await expectFileStoreError(store.write('plain.txt/child.txt', text('y')), 'Conflict');
        expect(asText(await store.read('plain.txt'))).toBe('x');
      });

      it('refuses to write over a folder (Conflict)', async () => {
        await store.write('folder/inside.txt', text('x'));
        await expectFileStoreError(store.write('folder', text('y')), 'Conflict');
        expect(asText(await store.read('folder/inside.txt'))).toBe('x');
      });

      it('refuses paths that climb out of the store root', async () => {
        await expectFileStoreError(store.write('../escaped.txt', text('x')), 'Conflict');
        await expectFileStoreError(store.write('a/../../escaped.txt', text('x')), 'Conflict');
        await expectFileStoreError(store.read('../../etc/passwd'), 'Conflict');
        await expectFileStoreError(store.write('/etc/escaped.txt', text('x')), 'Conflict');
      });
    });

    describe('readStream', () => {
      async function drain(
        stream: AsyncIterable<Uint8Array> | null,
      ): Promise<{ bytes: Uint8Array; chunks: number } | null> {
        if (stream === null) return null;
        const parts: Uint8Array[] = [];
        for await (const chunk of stream) {
          expect(chunk).toBeInstanceOf(Uint8Array);
          parts.push(chunk);
        }
        return { bytes: Buffer.concat(parts), chunks: parts.length };
      }

      it('streams a 5 MB file back in several chunks', async () => {
        const big = patterned(5 * 1024 * 1024, 4);
        await store.write('stream/big.bin', big);
        const result = await drain(await store.readStream('stream/big.bin'));
        expectBytes(result?.bytes ?? null, big);
        expect(result?.chunks).toBeGreaterThan(1); // a stream, not the file in one buffer
      });

      it('streams an empty file as no bytes, not as missing', async () => {
        await store.write('stream/empty.txt', new Uint8Array(0));
        const result = await drain(await store.readStream('stream/empty.txt'));
        expectBytes(result?.bytes ?? null, new Uint8Array(0));
      });

      it('answers null for a missing file, a file under a missing folder, a folder and below a file', async () => {
        await store.write('stream/folder/file.txt', text('x'));
        expect(await store.readStream('stream/nothing.txt')).toBeNull();
        expect(await store.readStream('stream/no/such/file.txt')).toBeNull();
        expect(await store.readStream('stream/folder')).toBeNull();
        expect(await store.readStream('stream/folder/file.txt/below')).toBeNull();
      });

      it('refuses paths that climb out of the store root', async () => {
        await expectFileStoreError(store.readStream('../../etc/passwd'), 'Conflict');
      });

      it('shows whole old or whole new content when the file is replaced while it is read', async () => {
        const old = patterned(1024 * 1024, 11);
        const replacement = patterned(1024 * 1024 + 7, 12);
        await store.write('stream/moving.bin', old);
        const stream = await store.readStream('stream/moving.bin');
        expect(stream).not.toBeNull();
        const iterator = stream![Symbol.asyncIterator]();
        const first = await iterator.next();
        await store.write('stream/moving.bin', replacement);
        const parts: Uint8Array[] = first.done === true ? [] : [first.value];
        for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) parts.push(next.value);
        const seen = Buffer.concat(parts);
        expect(sameBytes(seen, old) || sameBytes(seen, replacement)).toBe(true);
      });

      it('hands out chunks the caller may change without changing the file', async () => {
        await store.write('stream/owned.txt', text('original'));
        for await (const chunk of (await store.readStream('stream/owned.txt'))!) chunk.fill(0x21);
        expect(asText(await store.read('stream/owned.txt'))).toBe('original');
      });

      it('lets a reader stop early and leaves the file usable', async () => {
        await store.write('stream/early.bin', patterned(2 * 1024 * 1024, 13));
        for (let round = 0; round < 20; round++) {
          for await (const chunk of (await store.readStream('stream/early.bin'))!) {
            expect(chunk.byteLength).toBeGreaterThan(0);
            break;
          }
        }
        await store.write('stream/early.bin', text('after'));
        await store.delete('stream/early.bin');
        expect(await store.readStream('stream/early.bin')).toBeNull();
      });
    });

    describe('stat', () => {
      it('reports size, kind and a recent modification time for a file', async () => {
        const before = Date.now();
        await store.write('s/file.txt', text('12345'));
        const entry = await store.stat('s/file.txt');
        expect(entry).toMatchObject({ path: 's/file.txt', kind: 'file', size: 5 });
        expect(entry?.modifiedAt).toBeInstanceOf(Date);
        expect(Math.abs((entry?.modifiedAt.getTime() ?? 0) - before)).toBeLessThan(60_000);
      });

      it('reports folders and answers null for missing paths', async () => {
        await store.write('s/sub/file.txt', text('x'));
        expect(await store.stat('s/sub')).toMatchObject({ path: 's/sub', kind: 'directory', executable: false });
        expect(await store.stat('s/missing')).toBeNull();
        expect(await store.stat('s/sub/file.txt/below')).toBeNull();
      });

      it('keeps the executable bit when the store can, and reports false otherwise', async () => {
        const keeps = store.capabilities.executableBit;
        await store.write('bin/run.sh', text('#!/bin/sh\n'), { executable: true });
        await store.write('bin/data.txt', text('x'));
        expect((await store.stat('bin/run.sh'))?.executable).toBe(keeps);
        expect((await store.stat('bin/data.txt'))?.executable).toBe(false);
        const listed = await store.list('bin');
        expect(listed.map((entry) => [entry.path, entry.executable])).toEqual([
          ['bin/data.txt', false],
          ['bin/run.sh', keeps],
        ]);
        await store.write('bin/run.sh', text('#!/bin/sh\necho\n'));
        expect((await store.stat('bin/run.sh'))?.executable).toBe(false);
      });
    });

    describe('list', () => {
      beforeEach(async () => {
        // Created out of order on purpose: the result must come back sorted by path.
        await store.write('b.txt', text('b'));
        await store.write('a/z.txt', text('zz'));
        await store.write('a/y/x.txt', text('xxx'));
        await store.write('a-c.txt', text('c'));
        await store.createDirectory('a/empty');
      });

      it('lists direct children of the root, files and folders, sorted', async () => {
        expect(pathsOf(await store.list(''))).toEqual(['a', 'a-c.txt', 'b.txt']);
      });

      it('lists direct children of a folder with kind and size', async () => {
        const entries = await store.list('a');
        expect(entries.map((entry) => [entry.path, entry.kind])).toEqual([
          ['a/empty', 'directory'],
          ['a/y', 'directory'],
          ['a/z.txt', 'file'],
        ]);
        expect(entries.find((entry) => entry.path === 'a/z.txt')?.size).toBe(2);
      });

      it('lists all descendants when recursive, sorted by path', async () => {
        expect(pathsOf(await store.list('', { recursive: true }))).toEqual([
          'a',
          'a-c.txt',
          'a/empty',
          'a/y',
          'a/y/x.txt',
          'a/z.txt',
          'b.txt',
        ]);
        expect(pathsOf(await store.list('a/y', { recursive: true }))).toEqual(['a/y/x.txt']);
      });

      it('answers [] for a missing folder and for a file', async () => {
        expect(await store.list('missing')).toEqual([]);
        expect(await store.list('missing/deeper', { recursive: true })).toEqual([]);
        expect(await store.list('b.txt')).toEqual([]);
      });
    });

    describe('rename', () => {
      it('replaces an existing file at the target', async () => {
        await store.write('r/new.txt', text('new'));
        await store.write('r/current.txt', text('current'));
        await store.rename('r/new.txt', 'r/current.txt');
        expect(asText(await store.read('r/current.txt'))).toBe('new');
        expect(await store.read('r/new.txt')).toBeNull();
        expect(pathsOf(await store.list('r'))).toEqual(['r/current.txt']);
      });

      it('moves into a new nested folder', async () => {
        await store.write('staging/file.txt', text('payload'));
        await store.rename('staging/file.txt', 'scope/a/b/c/file.txt');
        expect(asText(await store.read('scope/a/b/c/file.txt'))).toBe('payload');
        expect(await store.stat('staging/file.txt')).toBeNull();
      });

      it('keeps the executable bit', async () => {
        await store.write('staging/run.sh', text('#!/bin/sh\n'), { executable: true });
        await store.rename('staging/run.sh', 'scope/run.sh');
        expect((await store.stat('scope/run.sh'))?.executable).toBe(store.capabilities.executableBit);
      });

      it('replaces an empty folder at the target', async () => {
        await store.write('r/file.txt', text('file'));
        await store.createDirectory('r/was-a-folder');
        await store.rename('r/file.txt', 'r/was-a-folder');
        expect(asText(await store.read('r/was-a-folder'))).toBe('file');
      });

      it('refuses to replace a non-empty folder (Conflict) and keeps the source', async () => {
        await store.write('r/file.txt', text('file'));
        await store.write('r/folder/inside.txt', text('inside'));
        await expectFileStoreError(store.rename('r/file.txt', 'r/folder'), 'Conflict');
        expect(asText(await store.read('r/file.txt'))).toBe('file');
        expect(asText(await store.read('r/folder/inside.txt'))).toBe('inside');
      });

      it('fails with NotFound when the source is missing', async () => {
        await expectFileStoreError(store.rename('r/missing.txt', 'r/target.txt'), 'NotFound');
        expect(await store.stat('r/target.txt')).toBeNull();
      });
    });

    describe('scratch writes (a sync staging files under the private folder)', () => {
      const staging = `${PRIVATE_FOLDER}/staging/run-1`;

      it('writes bytes and streams into new nested folders, readable back, keeping the executable bit', async () => {
        await store.write(`${staging}/a/b/one.txt`, text('one'), { scratch: true });
        await store.write(
          `${staging}/a/b/two.bin`,
          chunked(patterned(70_000, 1), new Uint8Array(0), patterned(30_000, 2)),
          { scratch: true },
        );
        await store.write(`${staging}/a/run.sh`, text('#!/bin/sh\n'), { scratch: true, executable: true });
        expect(asText(await store.read(`${staging}/a/b/one.txt`))).toBe('one');
        expect((await store.read(`${staging}/a/b/two.bin`))?.byteLength).toBe(100_000);
        expect((await store.stat(`${staging}/a/run.sh`))?.executable).toBe(store.capabilities.executableBit);
      });

      it('replaces a file left at the same path', async () => {
        await store.write(`${staging}/left.txt`, text('left over, longer'), { scratch: true });
        await store.write(`${staging}/left.txt`, text('new'), { scratch: true });
        expect(asText(await store.read(`${staging}/left.txt`))).toBe('new');
      });

      it('writes again into folders deleted since the last scratch write there', async () => {
        await store.write(`${staging}/a/first.txt`, text('first'), { scratch: true });
        await store.deleteTree(`${PRIVATE_FOLDER}/staging`);
        await store.write(`${staging}/a/second.txt`, text('second'), { scratch: true });
        expect(asText(await store.read(`${staging}/a/second.txt`))).toBe('second');
        expect(await store.read(`${staging}/a/first.txt`)).toBeNull();
      });

      it('refuses a scratch write outside the private folder (Conflict): workspace files are always replaced atomically', async () => {
        await store.write('scope/file.txt', text('old'));
        await expectFileStoreError(store.write('scope/file.txt', text('new'), { scratch: true }), 'Conflict');
        await expectFileStoreError(store.write(PRIVATE_FOLDER, text('x'), { scratch: true }), 'Conflict');
        expect(asText(await store.read('scope/file.txt'))).toBe('old');
      });

      it("hands back the content's own failure and keeps nothing of it", async () => {
        async function* breaks(): AsyncGenerator<Uint8Array> {
          yield patterned(64 * 1024, 3);
          throw new Error('download broke');
        }
        await expect(store.write(`${staging}/broken.bin`, breaks(), { scratch: true })).rejects.toThrow(
          'download broke',
        );
        expect(await store.stat(`${staging}/broken.bin`)).toBeNull();
      });
    });

    describe('moveAll', () => {
      const staging = `${PRIVATE_FOLDER}/staging/run-2`;
      const names = Array.from({ length: 40 }, (_, i) => `m${i % 4}/n${i % 3}/file-${i}.txt`);

      it('moves every file into place, into new nested folders and over existing files, keeping executable bits', async () => {
        for (const name of names)
          await store.write(`${staging}/${name}`, text(`new ${name}`), {
            scratch: true,
            executable: name.endsWith('7.txt'),
          });
        await store.write(`scope/${names[0]}`, text('old, to be replaced'));
        await store.moveAll(names.map((name) => ({ from: `${staging}/${name}`, to: `scope/${name}` })));
        for (const name of names) expect(asText(await store.read(`scope/${name}`))).toBe(`new ${name}`);
        expect((await store.stat(`scope/${names[7]}`))?.executable).toBe(store.capabilities.executableBit);
        expect((await store.list(staging, { recursive: true })).filter((entry) => entry.kind === 'file')).toEqual([]);
      });

      it('moves the same paths from one folder to another (FolderMoves) as the single moves would', async () => {
        for (const name of names) await store.write(`${staging}/${name}`, text(`new ${name}`), { scratch: true });
        await store.write(`scope/${names[0]}`, text('old, to be replaced'));
        await store.write('scope/kept.txt', text('kept'));
        await store.moveAll({ from: staging, to: 'scope', paths: names });
        for (const name of names) expect(asText(await store.read(`scope/${name}`))).toBe(`new ${name}`);
        expect(asText(await store.read('scope/kept.txt'))).toBe('kept');
        expect((await store.list(staging, { recursive: true })).filter((entry) => entry.kind === 'file')).toEqual([]);
      });

      it('accepts an empty batch', async () => {
        await store.moveAll([]);
        await store.moveAll({ from: staging, to: 'scope', paths: [] });
      });

      it('starts no move once beforeEach failed, and fails with its error', async () => {
        for (const name of names) await store.write(`${staging}/${name}`, text(name), { scratch: true });
        let calls = 0;
        const beforeEach = async (): Promise<void> => {
          calls++;
          if (calls > 3) throw new Error('lease lost');
        };
        await expect(
          store.moveAll(
            names.map((name) => ({ from: `${staging}/${name}`, to: `scope/${name}` })),
            { beforeEach },
          ),
        ).rejects.toThrow('lease lost');
        const moved = (await store.list('scope', { recursive: true })).filter((entry) => entry.kind === 'file');
        expect(moved).toHaveLength(3);
      });

      it('fails with NotFound when a source is missing', async () => {
        await expectFileStoreError(
          store.moveAll([{ from: `${staging}/missing.txt`, to: 'scope/missing.txt' }]),
          'NotFound',
        );
        await expectFileStoreError(
          store.moveAll([{ from: `${staging}/gone/missing.txt`, to: 'scope/missing.txt' }]),
          'NotFound',
        );
        expect(await store.stat('scope/missing.txt')).toBeNull();
      });

      it('fails a FolderMoves batch with NotFound when a source is missing, and refuses a path out of its folder', async () => {
        await expectFileStoreError(store.moveAll({ from: staging, to: 'scope', paths: ['missing.txt'] }), 'NotFound');
        await store.write(`${staging}/x.txt`, text('x'), { scratch: true });
        await expect(store.moveAll({ from: staging, to: 'scope', paths: ['../../../../x.txt'] })).rejects.toThrow();
        expect(await store.stat('x.txt')).toBeNull();
        expect(asText(await store.read(`${staging}/x.txt`))).toBe('x');
      });

      it('refuses to replace a non-empty folder (Conflict) and keeps the source', async () => {
        await store.write(`${staging}/x.txt`, text('x'), { scratch: true });
        await store.write('scope/x.txt/inside.txt', text('inside'));
        await expectFileStoreError(store.moveAll([{ from: `${staging}/x.txt`, to: 'scope/x.txt' }]), 'Conflict');
        expect(asText(await store.read(`${staging}/x.txt`))).toBe('x');
      });
    });

    describe('delete', () => {
      it('deletes a file and keeps its folder', async () => {
        await store.write('d/file.txt', text('x'));
        await store.write('d/keep.txt', text('y'));
        await store.delete('d/file.txt');
        expect(await store.read('d/file.txt')).toBeNull();
        expect(await store.stat('d/file.txt')).toBeNull();
        expect(pathsOf(await store.list('d'))).toEqual(['d/keep.txt']);
      });

      it('treats a missing file, or a missing folder, as already deleted', async () => {
        await expect(store.delete('d/missing.txt')).resolves.toBeUndefined();
        await expect(store.delete('no/such/folder/file.txt')).resolves.toBeUndefined();
      });
    });

    describe('deleteTree', () => {
      it('deletes a folder and everything in it, and nothing else', async () => {
        await store.write('orgs/1/a.txt', text('a'));
        await store.write('orgs/1/sub/deep/b.txt', text('b'));
        await store.write('orgs/2/c.txt', text('c'));
        await store.deleteTree('orgs/1');
        expect(await store.stat('orgs/1')).toBeNull();
        expect(pathsOf(await store.list('', { recursive: true }))).toEqual(['orgs', 'orgs/2', 'orgs/2/c.txt']);
      });

      it('treats a missing folder as already deleted', async () => {
        await expect(store.deleteTree('not/there')).resolves.toBeUndefined();
      });

      it('lets files be written again into the deleted folder', async () => {
        await store.write('orgs/1/sub/a.txt', text('before'));
        await store.deleteTree('orgs/1');
        await store.write('orgs/1/sub/a.txt', text('after'));
        expect(asText(await store.read('orgs/1/sub/a.txt'))).toBe('after');
      });
    });

    describe('pruneEmptyDirectories', () => {
      it('removes the folder and its empty parents, stopping at a non-empty parent', async () => {
        await store.write('scope/a/keep.txt', text('keep'));
        await store.createDirectory('scope/a/b/c');
        await store.pruneEmptyDirectories('scope/a/b/c', 'scope');
        expect(await store.stat('scope/a/b')).toBeNull();
        expect(pathsOf(await store.list('scope', { recursive: true }))).toEqual(['scope/a', 'scope/a/keep.txt']);
      });

      it('never removes stopAt, even when it ends up empty', async () => {
        await store.createDirectory('scope/x/y');
        await store.pruneEmptyDirectories('scope/x/y', 'scope');
        expect(await store.stat('scope')).toMatchObject({ kind: 'directory' });
        expect(await store.list('scope')).toEqual([]);
      });

      it('never removes anything above stopAt', async () => {
        await store.createDirectory('outer/scope/x');
        await store.pruneEmptyDirectories('outer/scope/x', 'outer/scope');
        expect((await store.stat('outer/scope'))?.kind).toBe('directory');
        expect((await store.stat('outer'))?.kind).toBe('directory');
      });

      it('leaves a folder that still holds a file', async () => {
        await store.write('scope/full/file.txt', text('x'));
        await store.pruneEmptyDirectories('scope/full', 'scope');
        expect(asText(await store.read('scope/full/file.txt'))).toBe('x');
      });

      it('goes on with the parents when the folder itself is already gone', async () => {
        await store.createDirectory('scope/gone-parent');
        await store.pruneEmptyDirectories('scope/gone-parent/gone', 'scope');
        expect(await store.stat('scope/gone-parent')).toBeNull();
        expect((await store.stat('scope'))?.kind).toBe('directory');
      });

      it('does nothing when dir is not inside stopAt', async () => {
        await store.createDirectory('elsewhere/empty');
        await store.createDirectory('scope');
        await store.pruneEmptyDirectories('elsewhere/empty', 'scope');
        expect((await store.stat('elsewhere/empty'))?.kind).toBe('directory');
      });
    });

    describe('createDirectory', () => {
      it('creates nested folders, idempotently', async () => {
        await store.createDirectory('made/one/two');
        await store.createDirectory('made/one/two');
        expect((await store.stat('made/one/two'))?.kind).toBe('directory');
        expect(pathsOf(await store.list('made', { recursive: true }))).toEqual(['made/one', 'made/one/two']);
      });

      it('refuses to turn a file into a folder (Conflict)', async () => {
        await store.write('made/file', text('x'));
        await expectFileStoreError(store.createDirectory('made/file'), 'Conflict');
        expect(asText(await store.read('made/file'))).toBe('x');
      });
    });

    describe('case sensitivity', () => {
      it('treats names differing in case as the capabilities say', async () => {
        await store.write('case/Readme.md', text('upper'));
        await store.write('case/readme.md', text('lower'));
        if (store.capabilities.caseSensitive) {
          expect(asText(await store.read('case/Readme.md'))).toBe('upper');
          expect(pathsOf(await store.list('case'))).toEqual(['case/Readme.md', 'case/readme.md']);
        } else {
          expect(asText(await store.read('case/Readme.md'))).toBe('lower');
          expect(await store.list('case')).toHaveLength(1);
        }
      });
    });

    describe('names stored in another Unicode normalisation form (macOS tools write NFD)', () => {
      const nfd = 'cafe\u0301'; // 'café' as e + combining acute accent
      const nfc = nfd.normalize('NFC');

      it('finds the single stored entry by the NFC form of its name, and reports the stored name', async () => {
        await store.write(`u/${nfd}/${nfd}.ps1`, text('stored in NFD'));
        expect(pathsOf(await store.list('u', { recursive: true }))).toEqual([`u/${nfd}`, `u/${nfd}/${nfd}.ps1`]);
        expect(asText(await store.read(`u/${nfc}/${nfc}.ps1`))).toBe('stored in NFD');
        expect(asText(await store.read(`u/${nfd}/${nfd}.ps1`))).toBe('stored in NFD');
        const streamed: Uint8Array[] = [];
        for await (const chunk of (await store.readStream(`u/${nfc}/${nfc}.ps1`))!) streamed.push(chunk);
        expect(asText(Buffer.concat(streamed))).toBe('stored in NFD');
        expect(await store.stat(`u/${nfc}/${nfc}.ps1`)).toMatchObject({ path: `u/${nfd}/${nfd}.ps1`, kind: 'file' });
        expect(pathsOf(await store.list(`u/${nfc}`))).toEqual([`u/${nfd}/${nfd}.ps1`]);
      });

      it('renames and deletes the stored entry by the NFC form of its name', async () => {
        await store.write(`u/${nfd}.ps1`, text('one'));
        await store.rename(`u/${nfc}.ps1`, 'u/renamed.ps1');
        expect(asText(await store.read('u/renamed.ps1'))).toBe('one');
        expect(pathsOf(await store.list('u'))).toEqual(['u/renamed.ps1']);

        await store.write(`u/${nfd}.ps1`, text('two'));
        await store.delete(`u/${nfc}.ps1`);
        await store.write(`u/${nfd}/inside.txt`, text('three'));
        await store.deleteTree(`u/${nfc}`);
        expect(pathsOf(await store.list('u'))).toEqual(['u/renamed.ps1']);
      });

      it('replaces the single stored entry when writing by the NFC form: one file, in NFC, afterwards', async () => {
        await store.write(`u/${nfd}.ps1`, text('old'), { executable: true });
        await store.write(`u/${nfc}.ps1`, text('new'));
        expect(pathsOf(await store.list('u'))).toEqual([`u/${nfc}.ps1`]);
        expect(asText(await store.read(`u/${nfc}.ps1`))).toBe('new');
        expect((await store.stat(`u/${nfc}.ps1`))?.executable).toBe(false);

        await store.write('u/staged.ps1', text('moved'));
        await store.write(`u/${nfd}.txt`, text('old'));
        await store.rename('u/staged.ps1', `u/${nfc}.txt`);
        expect(pathsOf(await store.list('u'))).toEqual([`u/${nfc}.ps1`, `u/${nfc}.txt`]);
        expect(asText(await store.read(`u/${nfc}.txt`))).toBe('moved');
      });

      it('writes into the single folder stored under another spelling, which then takes the NFC name', async () => {
        await store.write(`w/${nfd}/old.txt`, text('old'));
        await store.write(`w/${nfc}/new.txt`, text('new'));
        await store.write('w/staged.txt', text('staged'));
        await store.rename('w/staged.txt', `w/${nfc}/sub/moved.txt`);
        expect(pathsOf(await store.list('w', { recursive: true }))).toEqual([
          `w/${nfc}`,
          `w/${nfc}/new.txt`,
          `w/${nfc}/old.txt`,
          `w/${nfc}/sub`,
          `w/${nfc}/sub/moved.txt`,
        ]);
      });

      it('prefers the exact name, never resolves a name that is not NFC, and resolves nothing when ambiguous', async () => {
        // A sync writes the NFC name, then deletes the NFD one it listed: that must not hit the new file.
        await store.write(`u/${nfc}.ps1`, text('nfc'));
        await store.write(`u/${nfd}.ps1`, text('nfd'));
        expect(asText(await store.read(`u/${nfc}.ps1`))).toBe('nfc');
        await store.delete(`u/${nfd}.ps1`);
        await store.delete(`u/${nfd}.ps1`);
        expect(pathsOf(await store.list('u'))).toEqual([`u/${nfc}.ps1`]);
        expect(await store.read(`u/${nfd}.ps1`)).toBeNull();

        // U+1E69 (s with dot below and dot above) has more than one non-NFC spelling.
        const spellings = ['s\u0323\u0307', '\u1e63\u0307'];
        for (const spelling of spellings) await store.write(`v/${spelling}.txt`, text(spelling));
        expect(await store.read('v/\u1e69.txt')).toBeNull();
        expect(await store.stat('v/\u1e69.txt')).toBeNull();
        await store.delete('v/\u1e69.txt');
        expect(await store.list('v')).toHaveLength(2);
      });
    });

    describe('atomicity', () => {
      it('lets a concurrent reader see only whole old or whole new content', async () => {
        const size = 2 * 1024 * 1024;
        const first = patterned(size, 1);
        const second = patterned(size, 2);
        await store.write('atomic/big.bin', first);

        let writing = true;
        let reads = 0;
        const torn: string[] = [];
        const writer = (async () => {
          try {
            for (let i = 0; i < 50; i++) await store.write('atomic/big.bin', i % 2 === 0 ? second : first);
          } finally {
            writing = false;
          }
        })();
        const reader = (async () => {
          while (writing && reads < 100_000) {
            const seen = await store.read('atomic/big.bin');
            reads++;
            if (!sameBytes(seen, first) && !sameBytes(seen, second)) {
              torn.push(seen === null ? 'missing' : `${seen.byteLength} bytes, neither version`);
            }
          }
        })();
        await Promise.all([writer, reader]);

        expect(torn).toEqual([]);
        expect(reads).toBeGreaterThan(0);
        expectBytes(await store.read('atomic/big.bin'), first); // 50 writes: the last one wrote `first`
      });

      it('keeps the old content, and shows no temp file, when streamed content fails halfway', async () => {
        const old = patterned(100_000, 5);
        await store.write('atomic/file.bin', old);
        await store.write('atomic/other.txt', text('other'));
        const before = await store.list('', { recursive: true });

        async function* breaksHalfway(): AsyncGenerator<Uint8Array> {
          yield patterned(512 * 1024, 7);
          await new Promise((resolve) => setTimeout(resolve, 5));
          yield patterned(512 * 1024, 8);
          throw new Error('download broke');
        }
        await expect(store.write('atomic/file.bin', breaksHalfway())).rejects.toThrow('download broke');
        await expect(store.write('atomic/new.bin', breaksHalfway())).rejects.toThrow('download broke');

        expectBytes(await store.read('atomic/file.bin'), old);
        expect(await store.stat('atomic/new.bin')).toBeNull();
        expect(pathsOf(await store.list('', { recursive: true }))).toEqual(pathsOf(before));
      });
    });
  });
}
