import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { gitBlobSha } from '../../../src/adapters/git/GitBlobHasher';
import { readTarball } from '../../../src/adapters/github/readTarball';
import { ArchiveMismatch } from '../../../src/ports/SourceRepository';

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const archive = pack();
  for (const [name, content] of Object.entries(files)) archive.entry({ name: `owner-repo-1234567/${name}` }, content);
  archive.finalize();
  const parts: Buffer[] = [];
  for await (const part of archive as unknown as AsyncIterable<Buffer>) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

/** Rewrites the size field of the first header (octal at 124, checksum at 148) to claim `size`. */
function claimSize(tar: Buffer, size: number): Buffer {
  const patched = Buffer.from(tar);
  patched.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 12, 'ascii');
  patched.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += patched[i]!;
  patched.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return patched;
}

describe('readTarball', () => {
  it('allocates nothing from the size a header claims: a 4 GiB claim over a few bytes fails as a short entry', async () => {
    const tar = claimSize(await tarOf({ 'liar.bin': 'short' }), 4 * 1024 ** 3);
    const outcomes: string[] = [];
    const failure = await (async () => {
      for await (const file of readTarball(
        Readable.from([gzipSync(tar)]),
        new Map([['liar.bin', gitBlobSha(Buffer.from('short'))]]),
      )) {
        expect(file.size).toBe(4 * 1024 ** 3);
        let received = 0;
        for await (const chunk of file.content) received += chunk.byteLength;
        outcomes.push(`${file.path}: ${received}`);
      }
    })().catch((error: unknown) => error as Error);
    expect(outcomes).toEqual([]);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(RangeError);
    expect((failure as Error).message).toMatch(/end of data|shorter/i);
  });

  it('yields only expected regular files, hashed, and skips what the caller leaves unread', async () => {
    const tar = await tarOf({ 'a.txt': 'aaa', 'b.txt': 'bbb', 'c.txt': 'ccc' });
    const expected = new Map(
      ['a.txt', 'b.txt', 'c.txt'].map((path) => [path, gitBlobSha(Buffer.from(path[0]!.repeat(3)))]),
    );
    expected.delete('b.txt');
    const read: string[] = [];
    for await (const file of readTarball(Readable.from([gzipSync(tar)]), expected)) {
      if (file.path === 'a.txt') continue; // left unread
      let text = '';
      for await (const chunk of file.content) text += Buffer.from(chunk).toString('utf8');
      read.push(`${file.path}=${text}`);
    }
    expect(read).toEqual(['c.txt=ccc']);
  });

  it('drains an entry the caller stops reading part-way (or never reads): the entries after it come whole', async () => {
    const large = 'x'.repeat(300_000); // several chunks
    const tar = await tarOf({ 'large.txt': large, 'unread.txt': 'uuu', 'next.txt': 'nnn' });
    const expected = new Map([
      ['large.txt', gitBlobSha(Buffer.from(large))],
      ['unread.txt', gitBlobSha(Buffer.from('uuu'))],
      ['next.txt', gitBlobSha(Buffer.from('nnn'))],
    ]);
    const read: string[] = [];
    for await (const file of readTarball(Readable.from([gzipSync(tar)]), expected)) {
      if (file.path === 'unread.txt') continue;
      let text = '';
      for await (const chunk of file.content) {
        text += Buffer.from(chunk).toString('utf8');
        if (file.path === 'large.txt') break; // one chunk, then stop
      }
      read.push(`${file.path}=${text.length < 1000 ? text : `${text.length} chars`}`);
    }
    expect(read).toHaveLength(2);
    expect(read[0]).toMatch(/^large\.txt=\d+ chars$/);
    expect(Number(read[0]!.match(/=(\d+)/)![1])).toBeLessThan(large.length);
    expect(read[1]).toBe('next.txt=nnn');
  });

  it("hands an entry's failure out of its content through mapFailure, and a mismatch as ArchiveMismatch, unmapped", async () => {
    class Mapped extends Error {}
    const mapFailure = (error: unknown): Error => new Mapped(`mapped: ${(error as Error).message}`);
    const large = Buffer.alloc(600_000, 'x');
    const gzipped = gzipSync(await tarOf({ 'cut.bin': large.toString('latin1') }), { level: 0 });
    const cut = gzipped.subarray(0, gzipped.length / 2); // the stream ends inside the entry
    const outcomes: unknown[] = [];
    await (async () => {
      for await (const file of readTarball(
        Readable.from([cut]),
        new Map([['cut.bin', gitBlobSha(large)]]),
        mapFailure,
      )) {
        outcomes.push(
          await (async () => {
            for await (const _ of file.content);
          })().catch((error: unknown) => error),
        );
      }
    })().catch(() => undefined); // the archive itself fails too; its caller maps that
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toBeInstanceOf(Mapped);

    const tar = await tarOf({ 'a.txt': 'aaa' });
    const mismatches: unknown[] = [];
    const wrongSha = gitBlobSha(Buffer.from('not aaa'));
    for await (const file of readTarball(Readable.from([gzipSync(tar)]), new Map([['a.txt', wrongSha]]), mapFailure)) {
      mismatches.push(
        await (async () => {
          for await (const _ of file.content);
        })().catch((error: unknown) => error),
      );
    }
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0]).toBeInstanceOf(ArchiveMismatch);
    expect(mismatches[0]).toMatchObject({ path: 'a.txt', expectedSha: wrongSha });
  });
});
