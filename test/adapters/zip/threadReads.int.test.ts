import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalVolumeFileStore } from '../../../src/adapters/local-volume/LocalVolumeFileStore';
import { DeflatePool } from '../../../src/adapters/zip/DeflatePool';
import { ZipWorkspaceArchiver, type ZipWorkspaceArchiverOptions } from '../../../src/adapters/zip/ZipWorkspaceArchiver';
import type { FileStore } from '../../../src/ports/FileStore';
import { readZip } from './readZip';

/** A format the archiver stores as it is: content read from outside would show in the archive's bytes. */
const EXTENSION = '.png';
const SECRET = 'outside the workspace: never archived';

interface Watched {
  readonly store: FileStore;
  /** Whole reads the store made itself, and paths it gave a thread to read. */
  readonly counts: { reads: number; threadPaths: number };
}

/** The real store, counting its reads, and changing the volume right after the archive's listing. */
function watched(store: LocalVolumeFileStore, afterListing: () => Promise<void> = async () => {}): Watched {
  const counts = { reads: 0, threadPaths: 0 };
  const proxy = new Proxy(store, {
    get(target, key) {
      if (key === 'list') {
        return async (...args: Parameters<FileStore['list']>) => {
          const entries = await target.list(...args);
          await afterListing();
          return entries;
        };
      }
      if (key === 'read') {
        return (storePath: string) => {
          counts.reads++;
          return target.read(storePath);
        };
      }
      if (key === 'threadReadPath') {
        return (storePath: string) => {
          counts.threadPaths++;
          return target.threadReadPath(storePath);
        };
      }
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: proxy, counts };
}

async function zipAll(store: FileStore, pool: DeflatePool, options: ZipWorkspaceArchiverOptions = {}): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  const archiver = new ZipWorkspaceArchiver(store, { ...options, pool });
  for await (const chunk of archiver.zip([{ storePath: 'orgs', nameInArchive: '' }])) chunks.push(chunk);
  return Buffer.concat(chunks);
}

// The threads check where the kernel says a file they opened is (/proc/self/fd): Linux only.
describe.runIf(process.platform === 'linux')('ZipWorkspaceArchiver, files read by its threads', () => {
  let work: string;
  let root: string;
  let outside: string;
  let store: LocalVolumeFileStore;
  const pool = new DeflatePool(2, 60_000);

  beforeEach(async () => {
    work = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'zip-thread-reads-')));
    root = path.join(work, 'store');
    outside = path.join(work, 'outside');
    await fs.mkdir(outside);
    store = await LocalVolumeFileStore.open(root);
    for (let i = 0; i < 40; i++) {
      await store.write(
        `orgs/a/f-${String(i).padStart(2, '0')}${EXTENSION}`,
        Buffer.from(`print(${i})\n`.repeat(i + 1)),
      );
      await fs.writeFile(path.join(outside, `f-${String(i).padStart(2, '0')}${EXTENSION}`), SECRET);
    }
  });

  afterEach(async () => {
    await fs.rm(work, { recursive: true, force: true });
  });

  afterAll(() => pool.close());

  it('reads small files on the threads, not through the store, to the same content', async () => {
    const { store: counted, counts } = watched(store);
    const entries = await readZip(await zipAll(counted, pool));
    expect(entries.size).toBe(41); // the folder and its files
    expect(entries.get(`a/f-07${EXTENSION}`)?.size).toBe('print(7)\n'.length * 8);
    expect(counts.threadPaths).toBe(40);
    expect(counts.reads).toBe(0);
  });

  it('refuses a file swapped for a link between the listing and the read', async () => {
    const { store: swapping, counts } = watched(store, async () => {
      await fs.rm(path.join(root, 'orgs', 'a', `f-30${EXTENSION}`));
      await fs.symlink(path.join(outside, `f-30${EXTENSION}`), path.join(root, 'orgs', 'a', `f-30${EXTENSION}`));
    });
    const archived = zipAll(swapping, pool);
    await expect(archived).rejects.toMatchObject({
      code: 'NotFound',
      message: expect.stringContaining(`f-30${EXTENSION}`),
    });
    expect(counts.threadPaths).toBeGreaterThan(0);
  });

  it('never reads through a folder swapped for a link to files of the same names outside', async () => {
    const seen: Uint8Array[] = [];
    const { store: swapping, counts } = watched(store, async () => {
      await fs.rename(path.join(root, 'orgs', 'a'), path.join(work, 'moved-away'));
      await fs.symlink(outside, path.join(root, 'orgs', 'a'));
    });
    const archived = (async () => {
      for await (const chunk of new ZipWorkspaceArchiver(swapping, { pool }).zip([
        { storePath: 'orgs', nameInArchive: '' },
      ]))
        seen.push(chunk);
    })();
    await expect(archived).rejects.toMatchObject({ code: 'NotFound' });
    expect(counts.threadPaths).toBeGreaterThan(0);
    expect(Buffer.concat(seen).includes(SECRET)).toBe(false);
  });

  it('leaves a file the threads would not read to the store, and the rest of the archive too', async () => {
    const grown = Buffer.alloc(2_000, 'x');
    const { store: growing, counts } = watched(store, async () => {
      await fs.writeFile(path.join(root, 'orgs', 'a', `f-00${EXTENSION}`), grown);
    });
    // One batch of 32 files at a time, each file at most 1,000 bytes as listed: f-00 grows past it.
    const readAhead = { files: 32, bytes: 1024 * 1024, largestFile: 1_000 };
    const entries = await readZip(await zipAll(growing, pool, { readAhead }));
    expect(entries.get(`a/f-00${EXTENSION}`)?.size).toBe(grown.byteLength);
    expect(counts.threadPaths).toBe(32);
    expect(counts.reads).toBe(40);
  });
});
