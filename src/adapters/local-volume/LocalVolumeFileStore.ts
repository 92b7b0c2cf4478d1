import { randomUUID } from 'node:crypto';
import { promises as fs, type ReadStream, type Stats } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  FileStoreError,
  type FileContent,
  type FileEntry,
  type FileStore,
  type FileStoreCapabilities,
  type WriteOptions,
} from '../../ports/FileStore';
import { KnownFolders } from './KnownFolders';
import { errnoOf, mapFsError } from './mapFsError';
import { probeVolume, type VolumeTraits } from './probeVolume';
import { PRIVATE_FOLDER, resolveInsideRoot, type ResolvedPath } from './resolveInsideRoot';

/** Temp files older than this are leftovers of a crashed writer; younger ones may be in flight. */
const STALE_TEMP_AGE_MS = 60 * 60 * 1000;

const MISSING = new Set(['ENOENT', 'ENOTDIR']);

/** Read size for streamed reads: large enough for few round trips on an SMB mount, small enough to hold. */
const READ_CHUNK_BYTES = 256 * 1024;

/**
 * A FileStore on a local (or mounted) folder. Writes go to a temp file in the root's private
 * `.workspace-sync/tmp/` folder (same volume, so the final rename is atomic, and outside every
 * scope folder, so a reader listing a scope never sees half-written files), then are renamed over
 * the target. Readers therefore see the old or the new content, never a mix.
 */
export class LocalVolumeFileStore implements FileStore {
  readonly capabilities: FileStoreCapabilities;
  private readonly folders = new KnownFolders();

  private constructor(
    private readonly root: string,
    private readonly tempFolder: string,
    private readonly traits: VolumeTraits,
  ) {
    this.capabilities = {
      executableBit: process.platform !== 'win32',
      caseSensitive: traits.caseSensitive,
      maxPathLength: 4096,
    };
  }

  /** Opens (and creates if missing) the store rooted at the absolute folder `root`. */
  static async open(root: string): Promise<LocalVolumeFileStore> {
    if (!path.isAbsolute(root)) {
      throw new Error(`LocalVolumeFileStore root must be an absolute path, got '${root}'`);
    }
    const normalisedRoot = path.resolve(root);
    const tempFolder = path.join(normalisedRoot, PRIVATE_FOLDER, 'tmp');
    try {
      await fs.mkdir(tempFolder, { recursive: true });
      const traits = await probeVolume(tempFolder);
      await removeStaleTempFiles(tempFolder);
      return new LocalVolumeFileStore(normalisedRoot, tempFolder, traits);
    } catch (error) {
      throw mapFsError(error, 'open store at', '');
    }
  }

  async read(storePath: string): Promise<Uint8Array | null> {
    const target = this.resolve(storePath);
    try {
      const bytes = await fs.readFile(target.absolute);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (error) {
      const errno = errnoOf(error);
      if (errno === 'EISDIR' || (errno !== undefined && MISSING.has(errno))) return null;
      throw mapFsError(error, 'read', target.relative);
    }
  }

  async readStream(storePath: string): Promise<AsyncIterable<Uint8Array> | null> {
    const target = this.resolve(storePath);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(target.absolute, 'r');
    } catch (error) {
      const errno = errnoOf(error);
      if (errno === 'EISDIR' || (errno !== undefined && MISSING.has(errno))) return null;
      throw mapFsError(error, 'read', target.relative);
    }
    let size: number;
    try {
      const stats = await handle.stat();
      // Opening a folder succeeds on Linux; only a regular file is a file of the store.
      if (!stats.isFile()) {
        await handle.close();
        return null;
      }
      size = stats.size;
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw mapFsError(error, 'read', target.relative);
    }
    // Each read allocates a whole chunk, so a small file gets a chunk of its own size: workspaces
    // are mostly small scripts, and 256 kB per 5 kB script is what the garbage collector then pays.
    const highWaterMark = Math.max(1, Math.min(READ_CHUNK_BYTES, size));
    // The stream owns the handle from here: it closes it at the end, on error and when destroyed.
    return chunksOf(handle.createReadStream({ highWaterMark }), target.relative);
  }

  async stat(storePath: string): Promise<FileEntry | null> {
    const target = this.resolve(storePath);
    try {
      return toEntry(target.relative, await fs.lstat(target.absolute));
    } catch (error) {
      if (MISSING.has(errnoOf(error) ?? '')) return null;
      throw mapFsError(error, 'stat', target.relative);
    }
  }

  async list(dir: string, options?: { recursive?: boolean }): Promise<FileEntry[]> {
    const folder = this.resolve(dir);
    const entries: FileEntry[] = [];
    await this.collect(folder.absolute, folder.relative, options?.recursive === true, entries);
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async write(storePath: string, content: FileContent, options?: WriteOptions): Promise<void> {
    const target = this.resolveNonRoot(storePath, 'write');
    const mode = options?.executable === true ? 0o755 : 0o644;
    const temp = path.join(this.tempFolder, `${randomUUID()}.tmp`);
    const source = content instanceof Uint8Array ? null : new TrackedSource(content);
    try {
      if (content instanceof Uint8Array) await this.writeBytesToTemp(temp, content, mode);
      else if (source !== null) await this.streamToTemp(temp, source, mode);
      if (!this.traits.createModeIsExact) await fs.chmod(temp, mode);
      await this.withParentFolder(target.absolute, () => fs.rename(temp, target.absolute));
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      // The caller's own content failed (e.g. a download broke): hand its error back untouched.
      if (source?.failed) throw source.error;
      const mapped = mapFsError(error, 'write', target.relative);
      // ENOENT even after recreating the folder means a concurrent deletion, not a missing input.
      if (mapped.code === 'NotFound') throw new FileStoreError('Unavailable', mapped.message, { cause: error });
      throw mapped;
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const source = this.resolveNonRoot(from, 'rename');
    const target = this.resolveNonRoot(to, 'rename');
    // ENOENT means a vanished target folder (worth recreating) or a missing source (NotFound).
    const sourceStillThere = async (): Promise<boolean> => (await fs.lstat(source.absolute).catch(() => null)) !== null;
    try {
      await this.withParentFolder(
        target.absolute,
        () => renameReplacing(source.absolute, target.absolute),
        sourceStillThere,
      );
      this.folders.forget(source.absolute); // in case a folder moved
    } catch (error) {
      throw mapFsError(error, `rename to '${target.relative}' from`, source.relative);
    }
  }

  async delete(storePath: string): Promise<void> {
    const target = this.resolveNonRoot(storePath, 'delete');
    try {
      await fs.unlink(target.absolute);
    } catch (error) {
      if (MISSING.has(errnoOf(error) ?? '')) return;
      throw mapFsError(error, 'delete', target.relative);
    }
  }

  async createDirectory(storePath: string): Promise<void> {
    const target = this.resolve(storePath);
    try {
      await fs.mkdir(target.absolute, { recursive: true });
    } catch (error) {
      throw mapFsError(error, 'create directory', target.relative);
    }
  }

  async deleteTree(storePath: string): Promise<void> {
    const target = this.resolve(storePath);
    try {
      if (target.relative === '') {
        // Emptying the whole store must not take the private temp folder with it.
        const children = await fs.readdir(this.root);
        await Promise.all(
          children
            .filter((name) => !isPrivateFolder(name))
            .map((name) => fs.rm(path.join(this.root, name), { recursive: true, force: true })),
        );
        this.folders.clear();
      } else {
        await fs.rm(target.absolute, { recursive: true, force: true });
        this.folders.forget(target.absolute);
      }
    } catch (error) {
      if (MISSING.has(errnoOf(error) ?? '')) return;
      throw mapFsError(error, 'delete tree', target.relative);
    }
  }

  async pruneEmptyDirectories(dir: string, stopAt: string): Promise<void> {
    const stop = this.resolve(stopAt).relative;
    let current = this.resolve(dir).relative;
    while (isStrictlyInside(current, stop)) {
      const absolute = path.join(this.root, current);
      try {
        await fs.rmdir(absolute);
        this.folders.forget(absolute);
      } catch (error) {
        const errno = errnoOf(error);
        if (errno === 'ENOENT') {
          this.folders.forget(absolute); // already gone: its parent may now be empty too
        } else if (errno === 'ENOTEMPTY' || errno === 'EEXIST' || errno === 'ENOTDIR') {
          return;
        } else {
          throw mapFsError(error, 'prune', current);
        }
      }
      current = parentOf(current);
    }
  }

  private resolve(storePath: string): ResolvedPath {
    return resolveInsideRoot(this.root, storePath);
  }

  private resolveNonRoot(storePath: string, operation: string): ResolvedPath {
    const resolved = this.resolve(storePath);
    if (resolved.relative === '') {
      throw new FileStoreError('Conflict', `cannot ${operation} the store root`);
    }
    return resolved;
  }

  /**
   * Runs `move` after making sure the target's folder exists. The folder memory can be stale (a
   * sync or another process deleted the folder), so on ENOENT we forget, recreate once and retry.
   */
  private async withParentFolder(
    targetAbsolute: string,
    move: () => Promise<void>,
    worthRetrying: () => Promise<boolean> = async () => true,
  ): Promise<void> {
    const parent = path.dirname(targetAbsolute);
    await this.folders.ensure(parent);
    try {
      await move();
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT' || !(await worthRetrying())) throw error;
      this.folders.forget(parent);
      await this.folders.ensure(parent);
      await move();
    }
  }

  private async writeBytesToTemp(temp: string, bytes: Uint8Array, mode: number): Promise<void> {
    try {
      await fs.writeFile(temp, bytes, { flag: 'wx', mode });
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT') throw error;
      await fs.mkdir(this.tempFolder, { recursive: true }); // someone removed our temp folder
      await fs.writeFile(temp, bytes, { flag: 'wx', mode });
    }
  }

  private async streamToTemp(temp: string, source: TrackedSource, mode: number): Promise<void> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(temp, 'wx', mode);
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT') throw error;
      await fs.mkdir(this.tempFolder, { recursive: true });
      handle = await fs.open(temp, 'wx', mode);
    }
    // The write stream owns the handle from here and closes it on finish and on error.
    await pipeline(source.chunks(), handle.createWriteStream());
  }

  private async collect(
    absolute: string,
    relative: string,
    recursive: boolean,
    into: FileEntry[],
  ): Promise<void> {
    let names: string[];
    try {
      names = await fs.readdir(absolute);
    } catch (error) {
      if (MISSING.has(errnoOf(error) ?? '')) return; // a missing folder lists as empty
      throw mapFsError(error, 'list', relative);
    }
    await Promise.all(
      names.map(async (name) => {
        if (relative === '' && isPrivateFolder(name)) return;
        const childAbsolute = path.join(absolute, name);
        const childRelative = relative === '' ? name : `${relative}/${name}`;
        let stats: Stats;
        try {
          stats = await fs.lstat(childAbsolute);
        } catch (error) {
          if (MISSING.has(errnoOf(error) ?? '')) return; // deleted between readdir and lstat
          throw mapFsError(error, 'list', childRelative);
        }
        const entry = toEntry(childRelative, stats);
        if (entry === null) return;
        into.push(entry);
        if (recursive && entry.kind === 'directory') {
          await this.collect(childAbsolute, childRelative, true, into);
        }
      }),
    );
  }
}

/** Wraps caller content so a failure of the content itself can be told apart from an fs failure. */
class TrackedSource {
  failed = false;
  error: unknown;
  constructor(private readonly content: AsyncIterable<Uint8Array>) {}

  async *chunks(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of this.content) yield chunk;
    } catch (error) {
      this.failed = true;
      this.error = error;
      throw error;
    }
  }
}

/**
 * The chunks of an open file, with read faults reported as FileStoreErrors like every other call.
 * Hand-made rather than a generator: `return()` must close the file even when iteration never began.
 */
function chunksOf(stream: ReadStream, relative: string): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      return {
        async next() {
          try {
            return await chunks.next();
          } catch (error) {
            throw mapFsError(error, 'read', relative);
          }
        },
        async return() {
          stream.destroy();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/** Only regular files and folders are part of the store; symlinks and devices are invisible. */
function toEntry(relative: string, stats: Stats): FileEntry | null {
  if (stats.isFile()) {
    return {
      path: relative,
      kind: 'file',
      size: stats.size,
      modifiedAt: stats.mtime,
      executable: (stats.mode & 0o100) !== 0,
    };
  }
  if (stats.isDirectory()) {
    return { path: relative, kind: 'directory', size: 0, modifiedAt: stats.mtime, executable: false };
  }
  return null;
}

/** rename(2) that also replaces an empty folder at the target (Linux answers EISDIR there). */
async function renameReplacing(from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to);
  } catch (error) {
    if (errnoOf(error) !== 'EISDIR') throw error;
    await fs.rmdir(to); // fails with ENOTEMPTY (-> Conflict) when the folder holds anything
    await fs.rename(from, to);
  }
}

async function removeStaleTempFiles(tempFolder: string): Promise<void> {
  const cutoff = Date.now() - STALE_TEMP_AGE_MS;
  for (const name of await fs.readdir(tempFolder)) {
    const file = path.join(tempFolder, name);
    const stats = await fs.lstat(file).catch(() => null);
    if (stats !== null && stats.mtimeMs < cutoff) await fs.rm(file, { force: true, recursive: true });
  }
}

function isPrivateFolder(name: string): boolean {
  return name.toLowerCase() === PRIVATE_FOLDER;
}

function isStrictlyInside(candidate: string, ancestor: string): boolean {
  return ancestor === '' ? candidate !== '' : candidate.startsWith(`${ancestor}/`);
}

function parentOf(relative: string): string {
  const slash = relative.lastIndexOf('/');
  return slash < 0 ? '' : relative.slice(0, slash);
}
