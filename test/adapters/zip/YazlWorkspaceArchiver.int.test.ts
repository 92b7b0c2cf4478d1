import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalVolumeFileStore } from '../../../src/adapters/local-volume/LocalVolumeFileStore';
import { YazlWorkspaceArchiver } from '../../../src/adapters/zip/YazlWorkspaceArchiver';
import { diffSnapshots, snapshotFolder } from '../../support/folderSnapshot';
import { generateWorkspace, OLD_MTIME, type GeneratedWorkspace } from './generateWorkspace';
import { readZip, withoutTimes } from './readZip';

const MB = 1024 * 1024;

/** The collector, so a memory sample counts what is held and not garbage waiting to be collected. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

interface MemorySample {
  readonly rss: number;
  /** V8 heap plus buffers held outside it. */
  readonly held: number;
}

function sampleAfterGc(gc: () => void): MemorySample {
  gc();
  const usage = process.memoryUsage();
  return { rss: usage.rss, held: usage.heapUsed + usage.arrayBuffers };
}

/**
 * Passes chunks on at about `bytesPerSecond`, as a slow download would take them, and samples
 * memory at every pause.
 */
async function* slowReader(chunks: AsyncIterable<Uint8Array>, bytesPerSecond: number, onPause: () => void): AsyncGenerator<Uint8Array> {
  const pauseEvery = 1024 * 1024;
  let sincePause = 0;
  for await (const chunk of chunks) {
    yield chunk;
    sincePause += chunk.byteLength;
    if (sincePause >= pauseEvery) {
      await sleep((sincePause / bytesPerSecond) * 1000);
      onPause();
      sincePause = 0;
    }
  }
}

function openDescriptors(): Promise<number> {
  return readdir('/proc/self/fd').then((names) => names.length);
}

describe('YazlWorkspaceArchiver on a local volume', () => {
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

  it('zips 50 MB in 5,000 files to the same bytes, paths, modes and times, with flat memory while read slowly', async () => {
    expect(generated.files).toBe(5_000);
    expect(generated.bytes).toBeGreaterThan(48 * MB);
    const target = join(work, 'workspace.zip');
    const gc = exposeGc();
    const before = sampleAfterGc(gc);
    const samples: MemorySample[] = [];
    let peakRss = before.rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 10);
    try {
      const zip = new YazlWorkspaceArchiver(store).zip([{ storePath: '', nameInArchive: '' }]);
      await pipeline(Readable.from(slowReader(zip, 40 * MB, () => samples.push(sampleAfterGc(gc)))), createWriteStream(target));
    } finally {
      clearInterval(sampler);
    }
    // An archiver that buffered the archive or the files, or read ahead of a slow reader, would hold
    // tens of MB by the middle of a 50 MB workspace.
    expect(samples.length).toBeGreaterThan(20);
    const heldGrowth = Math.max(...samples.map((sample) => sample.held - before.held)) / MB;
    const rssGrowth = (peakRss - before.rss) / MB;
    expect(heldGrowth).toBeLessThan(16);
    expect(rssGrowth).toBeLessThan(40);

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

  it('fails the iteration when a file vanishes while the archive is being written', async () => {
    const store = await LocalVolumeFileStore.open(join(work, 'vanishing'));
    const noise = Buffer.alloc(40_000);
    for (let i = 0; i < 150; i++) {
      for (let k = 0; k < noise.length; k += 4) noise.writeUInt32LE((Math.imul(i + 1, 2_654_435_761) ^ Math.imul(k, 40_503)) >>> 0, k);
      await store.write(`global/f-${String(i).padStart(3, '0')}.bin`, noise);
    }
    const iterator = new YazlWorkspaceArchiver(store).zip([{ storePath: 'global', nameInArchive: 'global' }])[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    await store.delete('global/f-149.bin');
    const drain = async (): Promise<void> => {
      while (!(await iterator.next()).done);
    };
    await expect(drain()).rejects.toMatchObject({ code: 'NotFound', message: expect.stringContaining('global/f-149.bin') });
  });

  // Open descriptors are counted where the system lists them (Linux).
  it.runIf(existsSync('/proc/self/fd'))('closes every file it opened when the reader stops early', async () => {
    const baseline = await openDescriptors();
    for (let round = 0; round < 5; round++) {
      for await (const chunk of new YazlWorkspaceArchiver(store).zip([{ storePath: '', nameInArchive: '' }])) {
        expect(chunk.byteLength).toBeGreaterThan(0);
        await sleep(30); // into the first large file
        break;
      }
    }
    await sleep(100);
    expect(await openDescriptors()).toBeLessThanOrEqual(baseline);
  });
});
