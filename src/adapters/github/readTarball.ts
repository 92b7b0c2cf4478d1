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
export async function* readTarball(
  source: Readable,
  expected: ExpectedBlobs,
  mapFailure: (error: unknown) => unknown = (error) => error,
): AsyncGenerator<ArchiveFile> {
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
      const content = checkedEntry(entry as unknown as TarEntry, { path, size, sha: sha.toLowerCase() }, mapFailure);
      yield { path, executable: ((header.mode ?? 0) & 0o111) !== 0, size, content };
      // Whatever the caller left unread is skipped, so the archive can move on.
      content.skipRest();
    }
    await piping;
  } finally {
    // Early exit by the caller (break/return) or a failure: release the connection.
    source.destroy();
    gunzip.destroy();
    entries.destroy();
  }
}

/** What an entry must hold: `size` bytes that hash, as git hashes a blob, to `sha`. */
interface EntryClaim {
  readonly path: string;
  readonly size: number;
  readonly sha: string;
}

/**
 * The entry's bytes, hashed on the way; the checks fail the stream, never truncate it silently: a
 * failure comes out through `mapFailure`, a mismatch after the last chunk as ArchiveMismatch.
 *
 * Reads the entry through `next()` only: the iterator's `return()` would destroy the entry, and
 * tar-stream ends the whole archive with it. Stopping early drains the rest instead.
 *
 * One plain iterator object, not async generators: with a generator here every entry's objects
 * (the stream, its listeners, its header) outlived the young generation's collections and were
 * promoted, about 2 kB per file, so a full sync's old generation grew with the file count until
 * a full collection (issue #10: peak memory). The hashing and the mapping of failures used to be
 * two generators more around it, each with its promises per chunk (issue #10: a full sync's CPU).
 */
function checkedEntry(
  entry: TarEntry,
  claim: EntryClaim,
  mapFailure: (error: unknown) => unknown,
): AsyncIterable<Uint8Array> & { skipRest(): void } {
  const hasher = new GitBlobHasher(claim.size);
  let ended = false;
  let skipping = false;
  let reader: AsyncIterator<Uint8Array> | undefined;
  const skipRest = (): void => {
    if (ended || skipping) return;
    skipping = true;
    entry.resume();
  };
  const fail = (error: unknown): never => {
    skipRest();
    throw mapFailure(error);
  };
  const finished: IteratorReturnResult<undefined> = { done: true, value: undefined };
  const next = async (): Promise<IteratorResult<Uint8Array>> => {
    if (ended || skipping) return finished;
    reader ??= entry[Symbol.asyncIterator]();
    let result: IteratorResult<Uint8Array>;
    try {
      result = await reader.next();
    } catch (error) {
      return fail(error);
    }
    if (!result.done) {
      if (!hasher.add(result.value))
        return fail(new Error(`archive entry '${claim.path}' is longer than its header says`));
      return result;
    }
    ended = true;
    const actual = hasher.digest();
    if (actual === null) throw mapFailure(new Error(`archive entry '${claim.path}' is shorter than its header says`));
    if (actual !== claim.sha) throw new ArchiveMismatch(claim.path, claim.sha, actual);
    return finished;
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
