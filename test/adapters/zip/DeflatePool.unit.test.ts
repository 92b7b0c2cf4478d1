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
});
