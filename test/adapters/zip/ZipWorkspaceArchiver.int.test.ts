import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LocalVolumeFileStore } from '../../../src/adapters/local-volume/LocalVolumeFileStore';
import { DEFAULT_READ_AHEAD } from '../../../src/adapters/zip/ReadAhead';
import { ZipWorkspaceArchiver, type ZipWorkspaceArchiverOptions } from '../../../src/adapters/zip/ZipWorkspaceArchiver';
import { PRIVATE_FOLDER } from '../../../src/ports/FileStore';
import { diffSnapshots, snapshotFolder } from '../../support/folderSnapshot';
import { ContentHeld } from './contentHeld';
import { type GeneratedWorkspace, generateWorkspace, OLD_MTIME } from './generateWorkspace';
import { readZip, withoutTimes } from './readZip';

const MB = 1024 * 1024;

/**
 * Passes chunks on at about `bytesPerSecond`, as a slow download would take them: the pauses give an
 * archiver that reads ahead of its reader the time to show it. `onChunk` sees each chunk first.
 */
async function* slowReader(
  chunks: AsyncIterable<Uint8Array>,
  bytesPerSecond: number,
  onChunk: (chunk: Uint8Array) => void,
): AsyncGenerator<Uint8Array> {
  const pauseEvery = 1024 * 1024;
  let sincePause = 0;
  for await (const chunk of chunks) {
    onChunk(chunk);
    yield chunk;
    sincePause += chunk.byteLength;
    if (sincePause >= pauseEvery) {
      await sleep((sincePause / bytesPerSecond) * 1000);
      sincePause = 0;
    }
  }
}

/** Sizes of the files a whole-store archive holds, by name in the archive. */
async function archivedFileSizes(store: LocalVolumeFileStore): Promise<Map<string, number>> {
  const entries = await store.list('', { recursive: true });
  return new Map(
    entries
      .filter((entry) => entry.kind === 'file' && !entry.path.startsWith(`${PRIVATE_FOLDER}/`))
      .map((entry) => [entry.path, entry.size]),
  );
}

/**
 * What the archiver may hold at once by design: its read-ahead, the file being compressed (the
 * largest here is 2 MB) and a little output on its way to the reader. An archiver that buffered the
 * archive or the files, or read ahead of a slow reader without bound, holds tens of MB of this workspace.
 */
const HELD_BOUND = DEFAULT_READ_AHEAD.bytes + 2 * MB + MB;

function openDescriptors(): Promise<number> {
  return readdir('/proc/self/fd').then((names) => names.length);
}

// Both ways of writing hold the bounds: small files deflated by threads into a plain zip, and yazl's
// Zip64, which archives past 65,534 entries or near 4 GB take.
describe.each([
  ['deflate threads', {}],
  ['Zip64 through yazl', { forceZip64: true }],
] as Array<[string, ZipWorkspaceArchiverOptions]>)('ZipWorkspaceArchiver on a local volume, %s', (_way, way) => {
  let work: string;
  let root: string;
  let generated: GeneratedWorkspace;
  let store: LocalVolumeFileStore;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ws-zip-'));
    root = join(work, 'workspace');
    generated = await generateWorkspace(root);
    store = await LocalVolumeFileStore.open(root);
    await mkdir(join(root, '.workspace-sync', 'backups'), { recursive: true });
    await writeFile(join(root, '.workspace-sync', 'backups', 'earlier.zip'), 'private');
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  // Memory is bounded by what the archiver holds, counted from what it read and what came out: a
  // bound on RSS or heap would depend on the machine's load. `npm run bench` measures RSS (bench/RESULTS.md).
  it('zips 50 MB in 5,000 files to the same bytes, paths, modes and times, holding a bounded part of the content while read slowly', async () => {
    expect(generated.files).toBe(5_000);
    expect(generated.bytes).toBeGreaterThan(48 * MB);
    const target = join(work, 'workspace.zip');
    const held = new ContentHeld(await archivedFileSizes(store));
    const zip = new ZipWorkspaceArchiver(held.meter(store), way).zip([{ storePath: '', nameInArchive: '' }]);
    await pipeline(Readable.from(slowReader(zip, 40 * MB, (chunk) => held.received(chunk))), createWriteStream(target));
    expect(held.peak).toBeGreaterThan(0);
    expect(held.peak).toBeLessThan(HELD_BOUND);

    const zipped = await readZip(target);
    const onDisk = await snapshotFolder(root, { skip: (path) => path === '.workspace-sync' });
    expect(diffSnapshots(withoutTimes(zipped), onDisk)).toEqual([]);
    expect(zipped.get(generated.emptyFolder)?.kind).toBe('directory');
    for (const path of generated.executables) expect(zipped.get(path)?.mode).toBe(0o755);
    expect([...zipped.keys()].filter((path) => path.startsWith('.workspace-sync'))).toEqual([]);

    let old = 0;
    for (const [path, entry] of zipped) {
      if (entry.kind !== 'file') continue;
      const mtime = (await stat(join(root, path))).mtime;
      expect(entry.modifiedAt.getTime(), path).toBe(Math.floor(mtime.getTime() / 1000) * 1000);
      if (entry.modifiedAt.getTime() === OLD_MTIME.getTime()) old++;
    }
    expect(old).toBe(50);
  }, 60_000);

  it('the bound catches an archiver that reads the files ahead of its reader', async () => {
    const held = new ContentHeld(await archivedFileSizes(store));
    const greedy = new ZipWorkspaceArchiver(held.meter(store), {
      ...way,
      readAhead: { files: 10_000, bytes: 1024 * MB, largestFile: DEFAULT_READ_AHEAD.largestFile },
    });
    for await (const chunk of slowReader(greedy.zip([{ storePath: '', nameInArchive: '' }]), 400 * MB, (chunk) =>
      held.received(chunk),
    )) {
      expect(chunk.byteLength).toBeGreaterThan(0);
    }
    expect(held.peak).toBeGreaterThan(HELD_BOUND);
  });

  it('fails the iteration when a file vanishes while the archive is being written', async () => {
    const store = await LocalVolumeFileStore.open(join(work, 'vanishing'));
    const noise = Buffer.alloc(40_000);
    for (let i = 0; i < 150; i++) {
      for (let k = 0; k < noise.length; k += 4)
        noise.writeUInt32LE((Math.imul(i + 1, 2_654_435_761) ^ Math.imul(k, 40_503)) >>> 0, k);
      await store.write(`global/f-${String(i).padStart(3, '0')}.bin`, noise);
    }
    const iterator = new ZipWorkspaceArchiver(store, way)
      .zip([{ storePath: 'global', nameInArchive: 'global' }])
      [Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    await store.delete('global/f-149.bin');
    const drain = async (): Promise<void> => {
      while (!(await iterator.next()).done);
    };
    await expect(drain()).rejects.toMatchObject({
      code: 'NotFound',
      message: expect.stringContaining('global/f-149.bin'),
    });
  });

  // Open descriptors are counted where the system lists them (Linux).
  it.runIf(existsSync('/proc/self/fd'))('closes every file it opened when the reader stops early', async () => {
    const baseline = await openDescriptors();
    for (let round = 0; round < 5; round++) {
      for await (const chunk of new ZipWorkspaceArchiver(store, way).zip([{ storePath: '', nameInArchive: '' }])) {
        expect(chunk.byteLength).toBeGreaterThan(0);
        await sleep(30); // into the first large file
        break;
      }
    }
    // Closing is asynchronous: wait for it rather than for a fixed time a busy machine may exceed.
    await vi.waitFor(async () => expect(await openDescriptors()).toBeLessThanOrEqual(baseline), {
      timeout: 20_000,
      interval: 50,
    });
  });
});
