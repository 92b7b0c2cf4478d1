import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { type ArchiveFile, ArchiveMismatch, type ExpectedBlobs } from '../../ports/SourceRepository';
import { GitBlobHasher } from '../git/GitBlobHasher';

/**
 * Size of gunzip's output chunks. Each chunk is a round trip to libuv's threadpool and a callback
 * here: 256 kB instead of 64 kB took gunzip of a 100 MB archive from ~0.5 s to ~0.35 s, with a
 * third of the main thread's time (issue #10).
 */
const GUNZIP_CHUNK_BYTES = 256 * 1024;

/** An entry as tar-stream hands it out: a streamx Readable whose `destroy` ends the whole archive. */
type TarEntry = Readable & AsyncIterable<Uint8Array>;

/**
 * Regular files of a GitHub tarball (`owner-repo-sha7/` + repository paths) that `expected` names
 * (repository path -> blob SHA), streamed: gunzip and tar parsing pull only as fast as the caller
 * reads, and each entry's bytes pass through in the chunks tar-stream cuts, so memory holds no
 * file whole and nothing is allocated from a size a header claims. Each entry is hashed as git
 * hashes a blob and fails with ArchiveMismatch after its last chunk when it is not the expected
 * blob. GitHub's top-level folder is stripped; directories, symlinks, hard links, pax headers and
 * unnamed files are skipped unread. Failures are thrown as they come (the caller maps them).
 */
export async function* readTarball(source: Readable, expected: ExpectedBlobs): AsyncGenerator<ArchiveFile> {
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
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
        if (top !== topFolder)
          throw new Error(`archive holds more than one top-level folder ('${topFolder}', '${top}')`);
      }
      const sha = isFile && path !== '' ? expected.get(path) : undefined;
      if (sha === undefined) {
        entry.resume();
        continue;
      }
      const size = header.size ?? 0;
      const chunks = entryChunks(entry as unknown as TarEntry);
      yield {
        path,
        executable: ((header.mode ?? 0) & 0o111) !== 0,
        size,
        content: checked(chunks, path, size, sha.toLowerCase()),
      };
      // Whatever the caller left unread is skipped, so the archive can move on.
      chunks.skipRest();
    }
    await piping;
  } finally {
    // Early exit by the caller (break/return) or a failure: release the connection.
    source.destroy();
    gunzip.destroy();
    entries.destroy();
  }
}

/** The entry's bytes, hashed on the way; the checks fail the stream, never truncate it silently. */
async function* checked(
  chunks: AsyncIterable<Uint8Array>,
  path: string,
  size: number,
  sha: string,
): AsyncGenerator<Uint8Array> {
  const hasher = new GitBlobHasher(size);
  for await (const chunk of chunks) {
    if (!hasher.add(chunk)) throw new Error(`archive entry '${path}' is longer than its header says`);
    yield chunk;
  }
  const actual = hasher.digest();
  if (actual === null) throw new Error(`archive entry '${path}' is shorter than its header says`);
  if (actual !== sha) throw new ArchiveMismatch(path, sha, actual);
}

/**
 * Reads an entry through `next()` only: the iterator's `return()` would destroy the entry, and
 * tar-stream ends the whole archive with it. Stopping early drains the rest instead.
 *
 * A plain iterator object, not an async generator: with a generator here every entry's objects
 * (the stream, its listeners, its header) outlived the young generation's collections and were
 * promoted, about 2 kB per file, so a full sync's old generation grew with the file count until
 * a full collection (issue #10: peak memory).
 */
function entryChunks(entry: TarEntry): AsyncIterable<Uint8Array> & { skipRest(): void } {
  let ended = false;
  let skipping = false;
  let reader: AsyncIterator<Uint8Array> | undefined;
  const skipRest = (): void => {
    if (ended || skipping) return;
    skipping = true;
    entry.resume();
  };
  const finished: IteratorReturnResult<undefined> = { done: true, value: undefined };
  const next = async (): Promise<IteratorResult<Uint8Array>> => {
    if (ended || skipping) return finished;
    reader ??= entry[Symbol.asyncIterator]();
    try {
      const result = await reader.next();
      if (result.done) ended = true;
      return result;
    } catch (error) {
      skipRest();
      throw error;
    }
  };
  const chunks: AsyncIterator<Uint8Array> = {
    next,
    return: async () => {
      skipRest();
      return finished;
    },
  };
  return { skipRest, [Symbol.asyncIterator]: () => chunks };
}
