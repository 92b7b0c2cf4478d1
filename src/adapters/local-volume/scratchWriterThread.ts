/**
 * The thread that does a store's scratch writes (see ScratchWriter): synchronous system calls, one
 * file after the other, while the main thread goes on unpacking. A file costs one open, its writes
 * and one close, with no trip through libuv's threadpool and no promise or handle object; folders
 * are made once each. Self-contained (Node built-ins only): it is started from its own file.
 */
import { closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

/** One file of a batch: its bytes are `length` bytes from `offset` of the ring, or of the batch's own buffer. */
export interface ScratchFile {
  /** Store-relative folder ('' = the root) and file name. */
  readonly folder: string;
  readonly name: string;
  readonly offset: number;
  readonly length: number;
  readonly mode: number;
}

export type ScratchRequest =
  /** `bytes`: a buffer of the batch's own (a file larger than the ring); else the files are in the ring. */
  | { readonly kind: 'write'; readonly id: number; readonly bytes?: Uint8Array; readonly files: ScratchFile[] }
  /** Folders may have gone or moved: look at each again. */
  | { readonly kind: 'forget' };

/** Per file of the batch: null when written, else what failed (the file is then gone). */
export type ScratchOutcome = null | { readonly errno: string; readonly link?: string };

export interface ScratchReply {
  readonly id: number;
  readonly outcomes: ScratchOutcome[];
}

export interface ScratchThreadData {
  /** The store's real root. */
  readonly root: string;
  readonly folderMode: number;
  /** Whether each file needs a chmod after create (umask takes bits off and modes stick). */
  readonly chmod: boolean;
  /** The buffer shared with the writer (ScratchRing); its batches' stretches are read only until answered. */
  readonly ring: SharedArrayBuffer;
}

/** Creates the file; O_EXCL also refuses a link at its name instead of following it. */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/** A failure to report as is: a link on the way (never followed) or a system error. */
class Refusal extends Error {
  readonly errno: string;
  readonly link: string | undefined;
  constructor(errno: string, link?: string) {
    super(errno);
    this.errno = errno;
    this.link = link;
  }
}

const settings = workerData as ScratchThreadData;
const ring = new Uint8Array(settings.ring);
/** Folders known to be real folders below the root (made here, or seen by lstat); see FolderWalk. */
const known = new Set<string>(['']);

function errnoOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EIO';
}

/** Makes `folder` and its parents where missing, through real folders only: mkdir is never recursive. */
function ensureFolder(folder: string): void {
  if (known.has(folder)) return;
  const slash = folder.lastIndexOf('/');
  ensureFolder(slash < 0 ? '' : folder.slice(0, slash));
  const absolute = join(settings.root, folder);
  try {
    mkdirSync(absolute, { mode: settings.folderMode });
  } catch (error) {
    if (errnoOf(error) !== 'EEXIST') throw error;
    const stats = lstatSync(absolute);
    if (stats.isSymbolicLink()) throw new Refusal('ELOOP', folder);
    if (!stats.isDirectory()) throw new Refusal('ENOTDIR');
  }
  known.add(folder);
}

/** Creates the file (a leftover at its name is removed first, a link there never followed). */
function create(absolute: string, mode: number): number {
  try {
    return openSync(absolute, CREATE_NEW, mode);
  } catch (error) {
    if (errnoOf(error) !== 'EEXIST') throw error;
    unlinkSync(absolute);
    return openSync(absolute, CREATE_NEW, mode);
  }
}

/** Writes one file; once created, a failure closes and removes it, so no partial file stays. */
function writeFile(file: ScratchFile, bytes: Uint8Array): void {
  ensureFolder(file.folder);
  const absolute = join(settings.root, file.folder, file.name);
  const fd = create(absolute, file.mode);
  try {
    let written = 0;
    while (written < file.length) {
      written += writeSync(fd, bytes, file.offset + written, file.length - written);
    }
    if (settings.chmod) fchmodSync(fd, file.mode);
  } catch (error) {
    closeQuietly(fd);
    unlinkQuietly(absolute);
    throw error;
  }
  try {
    closeSync(fd);
  } catch (error) {
    unlinkQuietly(absolute);
    throw error;
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already failing: the first error is the one to report
  }
}

function unlinkQuietly(absolute: string): void {
  try {
    unlinkSync(absolute);
  } catch {
    // already failing: the first error is the one to report
  }
}

function forget(): void {
  known.clear();
  known.add('');
}

function writeOne(file: ScratchFile, bytes: Uint8Array): ScratchOutcome {
  try {
    writeFile(file, bytes);
    return null;
  } catch (error) {
    // A folder deleted since it was made: look at every folder again, and try once more.
    if (errnoOf(error) !== 'ENOENT') return outcomeOf(error);
  }
  forget();
  try {
    writeFile(file, bytes);
    return null;
  } catch (error) {
    return outcomeOf(error);
  }
}

function outcomeOf(error: unknown): ScratchOutcome {
  if (error instanceof Refusal)
    return error.link === undefined ? { errno: error.errno } : { errno: error.errno, link: error.link };
  return { errno: errnoOf(error) };
}

parentPort?.on('message', (request: ScratchRequest) => {
  if (request.kind === 'forget') return forget();
  const bytes = request.bytes ?? ring;
  const outcomes = request.files.map((file) => writeOne(file, bytes));
  const reply: ScratchReply = { id: request.id, outcomes };
  parentPort?.postMessage(reply);
});
