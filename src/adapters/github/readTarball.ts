import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import type { ArchiveFile } from '../../ports/SourceRepository';

/**
 * Regular files of a GitHub tarball (`owner-repo-sha7/` + repository paths), streamed: gunzip and
 * tar parsing pull from the network only as fast as the caller consumes files, so memory holds
 * one file at a time. GitHub's top-level folder is stripped; directories, symlinks, hard links
 * and pax headers are skipped. Failures are thrown as they come (the caller maps them).
 */
export async function* readTarball(source: Readable): AsyncGenerator<ArchiveFile> {
  const gunzip = createGunzip();
  const entries = extract();
  const piping = pipeline(source, gunzip, entries);
  // A pipeline failure also errors `entries`, which is where we report it; avoid an unhandled rejection.
  piping.catch(() => undefined);
  let topFolder: string | undefined;
  try {
    for await (const entry of entries) {
      const { header } = entry;
      const slash = header.name.indexOf('/');
      const top = slash === -1 ? header.name : header.name.slice(0, slash);
      const path = slash === -1 ? '' : header.name.slice(slash + 1).replace(/\/+$/, '');
      const isFile = header.type === 'file' || header.type === 'contiguous-file';
      if (isFile || header.type === 'directory') {
        topFolder ??= top;
        if (top !== topFolder) throw new Error(`archive holds more than one top-level folder ('${topFolder}', '${top}')`);
      }
      if (!isFile || path === '') {
        entry.resume();
        continue;
      }
      const content = await readAll(entry as unknown as AsyncIterable<Uint8Array>, header.size ?? 0);
      yield { path, executable: ((header.mode ?? 0) & 0o111) !== 0, content };
    }
    await piping;
  } finally {
    // Early exit by the caller (break/return) or a failure: release the connection.
    source.destroy();
    gunzip.destroy();
    entries.destroy();
  }
}

/** One allocation of the declared size; a short entry is a broken archive. */
async function readAll(stream: AsyncIterable<Uint8Array>, size: number): Promise<Uint8Array> {
  const content = new Uint8Array(size);
  let offset = 0;
  for await (const chunk of stream) {
    if (offset + chunk.byteLength > size) throw new Error('archive entry longer than its header says');
    content.set(chunk, offset);
    offset += chunk.byteLength;
  }
  if (offset !== size) throw new Error('archive entry shorter than its header says');
  return content;
}
