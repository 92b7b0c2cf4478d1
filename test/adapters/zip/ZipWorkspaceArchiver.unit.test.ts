import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as yauzl from 'yauzl';
import { InMemoryFileStore } from '../../../src/adapters/in-memory/InMemoryFileStore';
import { DeflatePool } from '../../../src/adapters/zip/DeflatePool';
import { ZipWorkspaceArchiver, type ZipWorkspaceArchiverOptions } from '../../../src/adapters/zip/ZipWorkspaceArchiver';
import { FileStoreError } from '../../../src/ports/FileStore';
import { collectBytes, readZip } from './readZip';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Bytes that deflate cannot shrink, so an archive of them is as large as they are. */
function noise(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = seed || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

const MODIFIED = new Date('2023-05-06T07:08:09Z');

async function workspace(options: { caseSensitive?: boolean } = {}): Promise<InMemoryFileStore> {
  const store = new InMemoryFileStore({
    now: () => MODIFIED,
    capabilities: { caseSensitive: options.caseSensitive ?? true },
  });
  await store.write('global/run.sh', text('#!/bin/sh\necho hi\n'), { executable: true });
  await store.write('global/lib/util.py', text('def f():\n    return 1\n'));
  await store.write('global/lib/data.bin', noise(70_000, 3));
  await store.write('global/empty.txt', new Uint8Array(0));
  await store.createDirectory('global/nothing-here');
  await store.write('orgs/42/a.ps1', text('Write-Host 42'));
  await store.write('.workspace-sync/backups/old.zip', text('not workspace content'));
  await store.write('.workspace-sync/tmp/partial', text('half'));
  return store;
}

// Every behaviour holds on both ways of writing: small files deflated by threads into a plain zip,
// and yazl's Zip64, which archives past 65,534 entries or near 4 GB take.
describe.each([
  ['deflate threads', {}],
  ['Zip64 through yazl', { forceZip64: true }],
] as Array<[string, ZipWorkspaceArchiverOptions]>)('ZipWorkspaceArchiver, %s', (_way, way) => {
  const archiver = (store: InMemoryFileStore, options: ZipWorkspaceArchiverOptions = {}): ZipWorkspaceArchiver =>
    new ZipWorkspaceArchiver(store, { ...way, ...options });

  it('packs a folder with contents, modes, times and empty folders, under the name asked for', async () => {
    const store = await workspace();
    const zip = await collectBytes(archiver(store).zip([{ storePath: 'global', nameInArchive: 'global' }]));
    const entries = await readZip(zip);

    expect([...entries.keys()].sort()).toEqual([
      'global',
      'global/empty.txt',
      'global/lib',
      'global/lib/data.bin',
      'global/lib/util.py',
      'global/nothing-here',
      'global/run.sh',
    ]);
    expect(entries.get('global/run.sh')).toMatchObject({
      kind: 'file',
      mode: 0o755,
      sha256: sha256(text('#!/bin/sh\necho hi\n')),
    });
    expect(entries.get('global/lib/util.py')).toMatchObject({ kind: 'file', mode: 0o644 });
    expect(entries.get('global/lib/data.bin')).toMatchObject({ size: 70_000, sha256: sha256(noise(70_000, 3)) });
    expect(entries.get('global/empty.txt')).toMatchObject({ kind: 'file', size: 0 });
    expect(entries.get('global/nothing-here')).toMatchObject({ kind: 'directory' });
    for (const entry of entries.values()) expect(entry.modifiedAt.toISOString()).toBe(MODIFIED.toISOString());
  });

  it('puts a folder at the root of the archive when the name is empty', async () => {
    const store = await workspace();
    const entries = await readZip(
      await collectBytes(archiver(store).zip([{ storePath: 'orgs/42', nameInArchive: '' }])),
    );
    expect([...entries.keys()]).toEqual(['a.ps1']);
  });

  it('packs the whole store without the private folder, in any casing', async () => {
    const store = await workspace({ caseSensitive: false });
    await store.write('.Workspace-Sync/other', text('still private'));
    const entries = await readZip(await collectBytes(archiver(store).zip([{ storePath: '', nameInArchive: '' }])));
    const names = [...entries.keys()];
    expect(names).toContain('global/run.sh');
    expect(names).toContain('orgs/42/a.ps1');
    expect(names.filter((name) => name.toLowerCase().includes('.workspace-sync'))).toEqual([]);
  });

  it('packs several roots side by side', async () => {
    const store = await workspace();
    const roots = [
      { storePath: 'global', nameInArchive: 'shared' },
      { storePath: 'orgs/42', nameInArchive: 'org' },
    ];
    const names = [...(await readZip(await collectBytes(archiver(store).zip(roots)))).keys()];
    expect(names).toContain('shared/lib/util.py');
    expect(names).toContain('org/a.ps1');
  });

  it('refuses two roots that would put the same name in the archive', async () => {
    const store = await workspace();
    const zip = archiver(store).zip([
      { storePath: 'orgs/42', nameInArchive: 'x' },
      { storePath: 'orgs/42', nameInArchive: 'x' },
    ]);
    await expect(collectBytes(zip)).rejects.toThrow(/twice/);
  });

  it('makes an empty, valid archive of a missing folder', async () => {
    const store = await workspace();
    const zip = await collectBytes(archiver(store).zip([{ storePath: 'orgs/none', nameInArchive: 'none' }]));
    expect((await readZip(zip)).size).toBe(0);
  });

  it('reads nothing until the archive is read', async () => {
    const store = await workspace();
    const zip = archiver(store).zip([{ storePath: '', nameInArchive: '' }]);
    store.failNext('list'); // met only if listing waits for the first read
    await expect(collectBytes(zip)).rejects.toBeInstanceOf(FileStoreError);
  });

  it('fails the iteration when a file vanishes while the archive is being written', async () => {
    const store = new InMemoryFileStore();
    for (let i = 0; i < 200; i++) await store.write(`global/f-${String(i).padStart(3, '0')}.bin`, noise(20_000, i + 1));
    const iterator = archiver(store)
      .zip([{ storePath: 'global', nameInArchive: '' }])
      [Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    await store.delete('global/f-199.bin');
    const drain = async (): Promise<void> => {
      while (!(await iterator.next()).done);
    };
    await expect(drain()).rejects.toMatchObject({
      code: 'NotFound',
      message: expect.stringContaining('global/f-199.bin'),
    });
  });

  it('fails the iteration when a large file cannot be opened', async () => {
    const store = new InMemoryFileStore();
    await store.write('global/big.bin', noise(2_000_000, 9));
    store.failNext('readStream', new FileStoreError('Unavailable', 'share went away'));
    await expect(collectBytes(archiver(store).zip([{ storePath: 'global', nameInArchive: '' }]))).rejects.toThrow(
      'share went away',
    );
  });

  it('fails the iteration when a file breaks while it is read', async () => {
    class BreakingStore extends InMemoryFileStore {
      override async readStream(path: string): Promise<AsyncIterable<Uint8Array> | null> {
        const chunks = await super.readStream(path);
        if (chunks === null) return null;
        return (async function* () {
          let sent = 0;
          for await (const chunk of chunks) {
            sent += chunk.byteLength;
            if (sent > 1_000_000) throw new FileStoreError('Unavailable', 'read broke halfway');
            yield chunk;
          }
        })();
      }
    }
    const store = new BreakingStore();
    await store.write('global/big.bin', noise(3_000_000, 5));
    await store.write('global/z-after.txt', text('after'));
    await expect(collectBytes(archiver(store).zip([{ storePath: 'global', nameInArchive: '' }]))).rejects.toThrow(
      'read broke halfway',
    );
  });

  it('closes the file being read when the reader stops early', async () => {
    let open = 0;
    class CountingStore extends InMemoryFileStore {
      override async readStream(path: string): Promise<AsyncIterable<Uint8Array> | null> {
        const chunks = await super.readStream(path);
        if (chunks === null) return null;
        open++;
        return (async function* () {
          try {
            yield* chunks;
          } finally {
            open--;
          }
        })();
      }
    }
    const store = new CountingStore();
    await store.write('global/big.bin', noise(3_000_000, 5));
    for await (const chunk of archiver(store).zip([{ storePath: 'global', nameInArchive: '' }])) {
      expect(chunk.byteLength).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 20)); // let the file be opened and read a little
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(open).toBe(0);
  });

  it('stores files of already-compressed formats as they are and deflates the rest', async () => {
    const store = new InMemoryFileStore();
    await store.write('global/photo.PNG', noise(30_000, 11));
    await store.write('global/bundle.tar.gz', noise(30_000, 12));
    await store.write('global/script.py', text('print(1)\n'.repeat(2_000)));
    await store.write('global/data.bin', noise(30_000, 13));
    const zip = await collectBytes(archiver(store).zip([{ storePath: 'global', nameInArchive: '' }]));
    const methods = new Map<string, number>();
    const zipfile = await yauzl.fromBufferPromise(zip);
    for await (const entry of zipfile.eachEntry()) methods.set(entry.fileName, entry.compressionMethod);
    zipfile.close();
    expect(Object.fromEntries(methods)).toEqual({ 'bundle.tar.gz': 0, 'data.bin': 8, 'photo.PNG': 0, 'script.py': 8 });
    const entries = await readZip(zip);
    expect(entries.get('photo.PNG')).toMatchObject({ size: 30_000, sha256: sha256(noise(30_000, 11)) });
    expect(entries.get('bundle.tar.gz')).toMatchObject({ size: 30_000, sha256: sha256(noise(30_000, 12)) });
  });

  it('refuses compression levels outside 1 to 9', () => {
    expect(() => archiver(new InMemoryFileStore(), { compressionLevel: 0 })).toThrow(/compressionLevel/);
    expect(() => archiver(new InMemoryFileStore(), { compressionLevel: 10 })).toThrow(/compressionLevel/);
  });

  it('keeps modification times outside what MS-DOS dates can hold', async () => {
    const times = [new Date('1975-01-02T03:04:05Z'), new Date('2030-06-07T08:09:10Z')];
    let next = 0;
    const store = new InMemoryFileStore({ now: () => times[next] ?? MODIFIED });
    await store.write('global/old.txt', text('old'));
    next = 1;
    await store.write('global/new.txt', text('new'));
    const entries = await readZip(
      await collectBytes(archiver(store).zip([{ storePath: 'global', nameInArchive: '' }])),
    );
    expect(entries.get('old.txt')?.modifiedAt.toISOString()).toBe(times[0]?.toISOString());
    expect(entries.get('new.txt')?.modifiedAt.toISOString()).toBe(times[1]?.toISOString());
  });
});

const archiver = (store: InMemoryFileStore, options: ZipWorkspaceArchiverOptions = {}): ZipWorkspaceArchiver =>
  new ZipWorkspaceArchiver(store, options);

describe('ZipWorkspaceArchiver, deflate threads', () => {
  class CountingPool extends DeflatePool {
    batches = 0;
    override deflate(...args: Parameters<DeflatePool['deflate']>): ReturnType<DeflatePool['deflate']> {
      this.batches++;
      return super.deflate(...args);
    }
  }

  it('deflates small files in batches on the threads and records their sizes in the local headers', async () => {
    const store = new InMemoryFileStore();
    for (let i = 0; i < 100; i++)
      await store.write(`global/s-${String(i).padStart(3, '0')}.py`, text(`print(${i})\n`.repeat(i)));
    const pool = new CountingPool();
    try {
      const zip = await collectBytes(archiver(store, { pool }).zip([{ storePath: 'global', nameInArchive: '' }]));
      expect(pool.batches).toBeGreaterThan(1);
      expect(pool.batches).toBeLessThan(100);
      const zipfile = await yauzl.fromBufferPromise(zip);
      for await (const entry of zipfile.eachEntry()) {
        expect(entry.generalPurposeBitFlag & 0x8, entry.fileName).toBe(0); // no data descriptor
        expect(zip.readUInt32LE(entry.relativeOffsetOfLocalHeader + 14), entry.fileName).toBe(entry.crc32);
        expect(zip.readUInt32LE(entry.relativeOffsetOfLocalHeader + 22), entry.fileName).toBe(entry.uncompressedSize);
      }
      zipfile.close();
      const entries = await readZip(zip);
      expect(entries.size).toBe(100);
      expect(entries.get('s-042.py')).toMatchObject({
        size: 'print(42)\n'.length * 42,
        sha256: sha256(text('print(42)\n'.repeat(42))),
      });
    } finally {
      await pool.close();
    }
  });
});
