import * as nodeFs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalVolumeFileStore } from '../../../src/adapters/local-volume/LocalVolumeFileStore';
import { ScratchWriter } from '../../../src/adapters/local-volume/ScratchWriter';
import { FileStoreError } from '../../../src/ports/FileStore';

const fs = nodeFs.promises;
const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const asText = (bytes: Uint8Array | null): string | null => (bytes === null ? null : new TextDecoder().decode(bytes));
const staging = '.workspace-sync/staging/run';

async function expectCode(promise: Promise<unknown>, code: string): Promise<FileStoreError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FileStoreError);
  expect((error as FileStoreError).code).toBe(code);
  return error as FileStoreError;
}

describe('a sync staging files on a local volume: the fast paths', () => {
  let root: string;
  let store: LocalVolumeFileStore;
  let renames: Array<[string, string]>;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'staging-fast-'));
    renames = [];
    store = await LocalVolumeFileStore.open(root, {
      volume: {
        rename: async (from, to) => {
          renames.push([path.relative(root, from), path.relative(root, to)]);
          await fs.rename(from, to);
        },
      },
    });
  });

  afterEach(async () => {
    await store.close();
  });

  describe('scratch writes by the writing thread', () => {
    it('lands every file, in new nested folders, with its mode', async () => {
      const files = Array.from({ length: 300 }, (_, i) => `d${i % 7}/e${i % 3}/f-${i}.txt`);
      await Promise.all(
        files.map((file, i) =>
          store.write(`${staging}/${file}`, text(`bytes of ${file}`), { scratch: true, executable: i % 5 === 0 }),
        ),
      );
      for (const [i, file] of files.entries()) {
        expect(asText(await store.read(`${staging}/${file}`))).toBe(`bytes of ${file}`);
        const mode = (await fs.stat(path.join(root, staging, file))).mode & 0o777;
        expect(mode).toBe(i % 5 === 0 ? 0o700 : 0o600);
      }
      expect((await fs.stat(path.join(root, staging, 'd0', 'e0'))).mode & 0o777).toBe(0o700);
    });

    it('writes an empty file, and one larger than a batch', async () => {
      const large = new Uint8Array(3 * 1024 * 1024);
      for (let i = 0; i < large.length; i++) large[i] = i % 251;
      await Promise.all([
        store.write(`${staging}/empty.txt`, new Uint8Array(0), { scratch: true }),
        store.write(`${staging}/large.bin`, large, { scratch: true }),
      ]);
      expect((await store.read(`${staging}/empty.txt`))?.byteLength).toBe(0);
      expect(Buffer.compare((await store.read(`${staging}/large.bin`)) ?? new Uint8Array(0), large)).toBe(0);
    });

    it('maps failures as the store does, and leaves no file behind', async () => {
      await store.write(`${staging}/taken`, text('a file where a folder is wanted'), { scratch: true });
      await expectCode(store.write(`${staging}/taken/below.txt`, text('x'), { scratch: true }), 'Conflict');
      await store.write(`${staging}/folder/inside.txt`, text('x'), { scratch: true });
      await expectCode(store.write(`${staging}/folder`, text('x'), { scratch: true }), 'Conflict');
      expect(asText(await store.read(`${staging}/folder/inside.txt`))).toBe('x');
    });

    it('refuses a folder on the way that is a link (SymbolicLink) and writes nothing behind it', async () => {
      const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'staging-outside-'));
      await fs.mkdir(path.join(root, staging), { recursive: true });
      await fs.symlink(outside, path.join(root, staging, 'planted'));
      const error = await expectCode(
        store.write(`${staging}/planted/new.txt`, text('x'), { scratch: true }),
        'SymbolicLink',
      );
      expect(error.message).toContain('planted');
      expect(await fs.readdir(outside)).toEqual([]);
    });

    it('writes again into folders deleted since it made them', async () => {
      await store.write(`${staging}/a/b/first.txt`, text('first'), { scratch: true });
      await store.deleteTree('.workspace-sync/staging');
      await store.write(`${staging}/a/b/second.txt`, text('second'), { scratch: true });
      expect(asText(await store.read(`${staging}/a/b/second.txt`))).toBe('second');
      // Deleted by another process, which the store does not hear of.
      await fs.rm(path.join(root, '.workspace-sync', 'staging'), { recursive: true });
      await store.write(`${staging}/a/b/third.txt`, text('third'), { scratch: true });
      expect(asText(await store.read(`${staging}/a/b/third.txt`))).toBe('third');
    });

    it('holds no more bytes for the thread than its shared buffer, however many writes wait', async () => {
      const writer = new ScratchWriter({ root: await fs.realpath(root), folderMode: 0o700, chmod: false });
      try {
        // 48 files of 300 kB asked for at once: several times the shared buffer, so batches wait for room.
        const contents = Array.from({ length: 48 }, (_, i) => new Uint8Array(300_000).fill(i + 1));
        const outcomes = await Promise.all(
          contents.map((bytes, i) => writer.write(`${staging}/d${i % 5}`, `f-${i}.bin`, bytes, 0o600)),
        );
        expect(outcomes.every((outcome) => outcome === null)).toBe(true);
        for (const [i, bytes] of contents.entries()) {
          const written = await fs.readFile(path.join(root, staging, `d${i % 5}`, `f-${i}.bin`));
          expect(Buffer.compare(written, bytes)).toBe(0);
        }
        const { capacity, highWater } = writer.ringUse;
        expect(highWater).toBeGreaterThan(0);
        expect(highWater).toBeLessThanOrEqual(capacity);
        expect(capacity).toBeLessThan(contents.length * 300_000);
      } finally {
        await writer.close();
      }
    });

    it('fails the writes still waiting for room when it closes', async () => {
      const writer = new ScratchWriter({ root: await fs.realpath(root), folderMode: 0o700, chmod: false });
      const writes = Array.from({ length: 40 }, (_, i) =>
        writer.write(staging, `f-${i}.bin`, new Uint8Array(500_000), 0o600),
      );
      await writer.close();
      const outcomes = await Promise.all(writes);
      expect(outcomes.some((outcome) => outcome !== null)).toBe(true);
      expect(outcomes.every((outcome) => outcome === null || outcome.errno === 'EIO')).toBe(true);
    });

    it('stops its thread at close, and refuses scratch writes after', async () => {
      await store.write(`${staging}/one.txt`, text('one'), { scratch: true });
      expect(store.scratchThreadRunning).toBe(true);
      await store.close();
      expect(store.scratchThreadRunning).toBe(false);
      await expectCode(store.write(`${staging}/two.txt`, text('two'), { scratch: true }), 'Unavailable');
      expect(await store.read(`${staging}/two.txt`)).toBeNull();
    });
  });

  describe('moveAll of whole folders', () => {
    const names = Array.from({ length: 60 }, (_, i) => `m${i % 4}/n${i % 3}/file-${i}.txt`);
    const stageAll = async (): Promise<void> => {
      await Promise.all(
        names.map((name, i) =>
          store.write(`${staging}/${name}`, text(`new ${name}`), { scratch: true, executable: i % 7 === 0 }),
        ),
      );
    };
    // Each test runs with the batch as single moves and as FolderMoves (the paths only, as a sync's commit passes them).
    const forms = [
      [
        'single moves',
        (): Parameters<LocalVolumeFileStore['moveAll']>[0] =>
          names.map((name) => ({ from: `${staging}/${name}`, to: `orgs/1/${name}` })),
      ],
      [
        'FolderMoves',
        (): Parameters<LocalVolumeFileStore['moveAll']>[0] => ({ from: staging, to: 'orgs/1', paths: names }),
      ],
    ] as const;
    describe.each(forms)('given as %s', (_, moves) => {
      it('moves a folder whose target is missing with one rename, files and modes as staged', async () => {
        await stageAll();
        await store.moveAll(moves());
        expect(renames).toEqual([[staging, 'orgs/1']]);
        for (const [i, name] of names.entries()) {
          expect(asText(await store.read(`orgs/1/${name}`))).toBe(`new ${name}`);
          expect((await fs.stat(path.join(root, 'orgs', '1', name))).mode & 0o777).toBe(i % 7 === 0 ? 0o700 : 0o600);
        }
      });

      it('moves file by file into folders that exist, and whole folders below them that do not', async () => {
        await stageAll();
        await store.write('orgs/1/m0/n0/old.txt', text('old'));
        await store.moveAll(moves());
        const whole = renames.filter(([from]) => from.startsWith(staging) && !from.endsWith('.txt'));
        expect(whole.map(([, to]) => to).sort()).toEqual([
          'orgs/1/m0/n1',
          'orgs/1/m0/n2',
          'orgs/1/m1',
          'orgs/1/m2',
          'orgs/1/m3',
        ]);
        for (const name of names) expect(asText(await store.read(`orgs/1/${name}`))).toBe(`new ${name}`);
        expect(asText(await store.read('orgs/1/m0/n0/old.txt'))).toBe('old');
      });

      it('never moves a folder that holds anything the batch does not move', async () => {
        await stageAll();
        await fs.writeFile(path.join(root, staging, 'm1', 'n1', 'stray.txt'), 'not in the batch');
        await store.moveAll(moves());
        expect(await store.read('orgs/1/m1/n1/stray.txt')).toBeNull();
        expect(asText(await store.read(`${staging}/m1/n1/stray.txt`))).toBe('not in the batch');
        // Its neighbours still move whole.
        expect(renames).toContainEqual([`${staging}/m1/n0`, 'orgs/1/m1/n0']);
        expect(renames).toContainEqual([`${staging}/m2`, 'orgs/1/m2']);
        for (const name of names) expect(asText(await store.read(`orgs/1/${name}`))).toBe(`new ${name}`);
      });

      it('never moves a folder holding a link, nor into a target reached through one', async () => {
        await stageAll();
        const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'staging-outside-'));
        await fs.symlink(outside, path.join(root, staging, 'm2', 'link'));
        await fs.mkdir(path.join(root, 'orgs'), { recursive: true });
        await fs.symlink(outside, path.join(root, 'orgs', '1'));
        await expectCode(store.moveAll(moves()), 'SymbolicLink');
        expect(await fs.readdir(outside)).toEqual([]);
      });

      it('runs beforeEach for every file of a folder before moving it; when it fails, only the files it cleared move', async () => {
        await stageAll();
        let calls = 0;
        const beforeEach = async (): Promise<void> => {
          calls++;
          if (calls > 5) throw new Error('lease lost');
        };
        await expect(store.moveAll(moves(), { beforeEach })).rejects.toThrow('lease lost');
        const moved = (await store.list('orgs/1', { recursive: true })).filter((entry) => entry.kind === 'file');
        expect(moved).toHaveLength(5);
      });
    });

    it('moves whole the folders of a FolderMoves batch whose target is missing, the others one by one, paths not in normal form as resolved', async () => {
      await store.write(`${staging}/a/x.txt`, text('x'), { scratch: true });
      await store.write(`${staging}/b/y.txt`, text('y'), { scratch: true });
      await store.createDirectory('orgs/3/b');
      await store.moveAll({ from: staging, to: 'orgs/3', paths: ['a/x.txt', 'b/./y.txt'] });
      expect(renames).toEqual([
        [`${staging}/a`, 'orgs/3/a'],
        [`${staging}/b/y.txt`, 'orgs/3/b/y.txt'],
      ]);
      expect(asText(await store.read('orgs/3/a/x.txt'))).toBe('x');
      expect(asText(await store.read('orgs/3/b/y.txt'))).toBe('y');
    });

    it('moves nothing whole where a file is renamed on the way', async () => {
      await store.write(`${staging}/a/x.txt`, text('x'), { scratch: true });
      await store.moveAll([{ from: `${staging}/a/x.txt`, to: 'orgs/2/a/y.txt' }]);
      expect(renames).toEqual([[`${staging}/a/x.txt`, 'orgs/2/a/y.txt']]);
      expect(asText(await store.read('orgs/2/a/y.txt'))).toBe('x');
    });
  });
});
