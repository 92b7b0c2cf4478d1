import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { DeflatePool } from '../../../src/adapters/zip/DeflatePool';

function batchOf(contents: Uint8Array[], levels: number[]) {
  const bytes = new Uint8Array(contents.reduce((sum, content) => sum + content.byteLength, 0));
  let at = 0;
  for (const content of contents) {
    bytes.set(content, at);
    at += content.byteLength;
  }
  return { bytes, sizes: contents.map((content) => content.byteLength), levels };
}

describe('DeflatePool', () => {
  it('deflates or stores each file of a batch, with its checksum and sizes', async () => {
    const contents = [Buffer.from('hello '.repeat(500)), Buffer.alloc(0), Buffer.from('stored as it is')];
    const pool = new DeflatePool(2, 60_000);
    try {
      const done = await pool.deflate(batchOf(contents, [6, 6, 0]));
      expect(done.sizes).toEqual(contents.map((content) => content.byteLength));
      expect(done.crcs).toEqual(contents.map((content) => crc32(content)));
      const parts: Uint8Array[] = [];
      let at = 0;
      for (const size of done.compressedSizes) {
        parts.push(done.data.subarray(at, at + size));
        at += size;
      }
      expect(Buffer.from(inflateRawSync(parts[0] as Uint8Array))).toEqual(contents[0]);
      expect(Buffer.from(inflateRawSync(parts[1] as Uint8Array))).toEqual(contents[1]);
      expect(Buffer.from(parts[2] as Uint8Array)).toEqual(contents[2]);
      expect(done.compressedSizes[0]).toBeLessThan(contents[0]?.byteLength ?? 0);
    } finally {
      await pool.close();
    }
  });

  it('spreads batches over its threads and stops them once idle', async () => {
    const pool = new DeflatePool(2, 50);
    const work = Array.from({ length: 6 }, (_, i) => pool.deflate(batchOf([Buffer.alloc(100_000, i)], [6])));
    expect(pool.threads).toBe(2);
    await Promise.all(work);
    await vi.waitFor(() => expect(pool.threads).toBe(0), { timeout: 10_000, interval: 20 });
    // and starts again when needed
    expect((await pool.deflate(batchOf([Buffer.from('again')], [6]))).sizes).toEqual([5]);
    await pool.close();
  });

  it('fails the work in flight when closed', async () => {
    const pool = new DeflatePool(1, 60_000);
    const work = pool.deflate(batchOf([Buffer.alloc(5_000_000, 7)], [9]));
    const failed = expect(work).rejects.toThrow(/closed/);
    await pool.close();
    await failed;
  });

  it('starts its threads when warmed, before any work, and stops them once idle', async () => {
    const pool = new DeflatePool(2, 50);
    pool.warm();
    expect(pool.threads).toBe(2);
    await vi.waitFor(() => expect(pool.threads).toBe(0), { timeout: 10_000, interval: 20 });
  });

  // The threads check where the kernel says a file they opened is (/proc/self/fd): Linux only.
  it.runIf(process.platform === 'linux')(
    'reads files itself, or answers null for the caller to read them when it cannot vouch for one',
    async () => {
      const folder = await realpath(await mkdtemp(join(tmpdir(), 'deflate-pool-')));
      const pool = new DeflatePool(1, 60_000);
      try {
        const first = Buffer.from('first '.repeat(300));
        await writeFile(join(folder, 'first.txt'), first);
        await writeFile(join(folder, 'second.bin'), 'as it is');
        const paths = [join(folder, 'first.txt'), join(folder, 'second.bin')];
        const done = await pool.readAndDeflate({ paths, levels: [6, 0], largest: 1024 * 1024 });
        expect(done?.sizes).toEqual([first.byteLength, 8]);
        expect(done?.crcs).toEqual([crc32(first), crc32('as it is')]);
        const firstSize = done?.compressedSizes[0] ?? 0;
        expect(Buffer.from(inflateRawSync(done?.data.subarray(0, firstSize) ?? new Uint8Array()))).toEqual(first);
        expect(Buffer.from(done?.data.subarray(firstSize) ?? []).toString()).toBe('as it is');

        const missing = [...paths, join(folder, 'missing.txt')];
        expect(await pool.readAndDeflate({ paths: missing, levels: [6, 0, 6], largest: 1024 * 1024 })).toBeNull();
        expect(await pool.readAndDeflate({ paths, levels: [6, 0], largest: 100 })).toBeNull();
      } finally {
        await pool.close();
        await rm(folder, { recursive: true, force: true });
      }
    },
  );
});
