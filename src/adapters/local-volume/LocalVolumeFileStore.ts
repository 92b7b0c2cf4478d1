import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FolderMoves } from '../../ports/FileMoves';
import {
  type FileContent,
  type FileEntry,
  type FileMove,
  type FileStore,
  type FileStoreCapabilities,
  FileStoreError,
  type MoveAllOptions,
  type WriteOptions,
} from '../../ports/FileStore';
import { releasingChunks } from '../streams/releasingChunks';
import { DiskPlacement } from './DiskPlacement';
import { FolderMaker } from './FolderMaker';
import { collectEntries, isPrivateFolder, toEntry } from './listFolder';
import { linkRefused, locateOnDisk } from './locateOnDisk';
import { errnoOf, mapFsError } from './mapFsError';
import { EXECUTABLE_MODE, FILE_MODE, FOLDER_MODE } from './modes';
import { moveAllOnDisk } from './moveAllOnDisk';
import { openDescriptorForReading, openForReading } from './openForReading';
import { closeToOthers, removeStaleTempFiles } from './privateFolder';
import { type ModeCalls, probeVolume, type VolumeTraits } from './probeVolume';
import { threadReadPath } from './readInThread';
import { readWholeFile } from './readWholeFile';
import { PRIVATE_FOLDER, type ResolvedPath, resolveInsideRoot } from './resolveInsideRoot';
import { ScratchWrites } from './ScratchWrites';
import { createFile, TrackedSource } from './writeNewFile';

const MISSING = new Set(['ENOENT', 'ENOTDIR']);

/** Read size for streamed reads: large enough for few round trips on an SMB mount, small enough to hold. */
const READ_CHUNK_BYTES = 256 * 1024;

export interface LocalVolumeOptions {
  /**
   * The whole folder is the service's own (a backups folder), not a workspace shared with the
   * platform: its root is closed to everyone but the service's user at open.
   */
  readonly ownedByService?: boolean;
  /**
   * The volume's calls that an SMB mount answers differently from a local disk; tests pass a chmod
   * that is ignored, or a rename that fails while the target is "held open by another client".
   */
  readonly volume?: Partial<VolumeCalls>;
}

/** Mode changes (an SMB mount accepts and ignores them) and moves into place (refused while the file is open elsewhere). */
export interface VolumeCalls extends ModeCalls {
  rename(from: string, to: string): Promise<void>;
}

/**
 * A FileStore on a local (or mounted) folder. Writes go to a temp file in the root's private
 * `.workspace-sync/tmp/` folder (same volume, so the final rename is atomic, and outside every
 * scope folder, so a reader listing a scope never sees half-written files), then are renamed over
 * the target. Readers therefore see the old or the new content, never a mix. Scratch writes (a
 * sync's staging, under the private folder, see WriteOptions.scratch) are created in place instead,
 * by a thread of their own (see ScratchWrites), and moveAll checks each folder once per batch: a
 * file then costs one create, its writes, one close and one rename.
 *
 * Symbolic links below the root are never followed (anyone who can write to the volume could plant
 * one that leads into another scope or out of the workspace): every path is walked with lstat
 * before it is used (see locateOnDisk), lookups through a link find nothing, listings neither show
 * nor enter links, changes through a link fail with `SymbolicLink`, and a link that is itself
 * deleted or written over is replaced, never its target. What the store creates is readable by the
 * service's user only (see modes.ts).
 */
export class LocalVolumeFileStore implements FileStore {
  readonly capabilities: FileStoreCapabilities;
  private readonly folders = new FolderMaker();
  private readonly placement: DiskPlacement;
  private readonly scratch: ScratchWrites;
  /** A mode change after create, only where umask takes bits off and a mode change sticks. */
  private readonly chmodAfterCreate: ((absolute: string, mode: number) => Promise<void>) | null;

  private constructor(
    private readonly root: string,
    private readonly tempFolder: string,
    traits: VolumeTraits,
    private readonly calls: VolumeCalls,
  ) {
    this.placement = new DiskPlacement(root, calls, this.folders);
    this.chmodAfterCreate =
      !traits.createModeIsExact && traits.modesStick ? (file, mode) => calls.chmod(file, mode) : null;
    this.scratch = new ScratchWrites(root, this.placement, this.chmodAfterCreate);
    this.capabilities = {
      // Where modes do not stick (SMB), every file shows the mount's mode: nothing to compare or keep.
      executableBit: process.platform !== 'win32' && traits.modesStick,
      caseSensitive: traits.caseSensitive,
      maxPathLength: 4096,
    };
  }

  /** Opens (and creates if missing) the store rooted at the absolute folder `root`. */
  static async open(root: string, options: LocalVolumeOptions = {}): Promise<LocalVolumeFileStore> {
    if (!path.isAbsolute(root)) {
      throw new Error(`LocalVolumeFileStore root must be an absolute path, got '${root}'`);
    }
    try {
      await fs.mkdir(path.join(path.resolve(root), PRIVATE_FOLDER, 'tmp'), { recursive: true, mode: FOLDER_MODE });
      // A link above the root (or the root itself) is the operator's choice; below it, none is followed.
      const realRoot = await fs.realpath(path.resolve(root));
      const privateFolder = path.join(realRoot, PRIVATE_FOLDER);
      const tempFolder = path.join(privateFolder, 'tmp');
      // Older versions created these world-readable; closing them also hides the backups inside.
      const calls: VolumeCalls = { chmod: fs.chmod, rename: fs.rename, ...options.volume };
      const traits = await probeVolume(tempFolder, calls);
      if (traits.modesStick) {
        await closeToOthers(privateFolder, calls);
        await closeToOthers(tempFolder, calls);
        if (options.ownedByService === true) await closeToOthers(realRoot, calls);
      }
      await removeStaleTempFiles(tempFolder);
      return new LocalVolumeFileStore(realRoot, tempFolder, traits, calls);
    } catch (error) {
      throw mapFsError(error, 'open store at', '');
    }
  }

  async read(storePath: string): Promise<Uint8Array | null> {
    const target = this.resolve(storePath);
    const file = await openDescriptorForReading(this.root, target);
    return file === null ? null : readWholeFile(file);
  }

  /** For a worker thread of this process that reads the file itself with readInThread, which checks what it opens. */
  threadReadPath(storePath: string): string | null {
    return threadReadPath(this.root, storePath);
  }

  async readStream(storePath: string): Promise<AsyncIterable<Uint8Array> | null> {
    const target = this.resolve(storePath);
    const file = await openForReading(this.root, target);
    if (file === null) return null;
    // Each read allocates a whole chunk, so a small file gets a chunk of its own size: workspaces
    // are mostly small scripts, and 256 kB per 5 kB script is what the garbage collector then pays.
    const highWaterMark = Math.max(1, Math.min(READ_CHUNK_BYTES, file.stats.size));
    // The stream owns the handle from here: it closes it at the end, on error and when destroyed.
    return releasingChunks(file.handle.createReadStream({ highWaterMark }), (error) =>
      mapFsError(error, 'read', file.relative),
    );
  }

  async stat(storePath: string): Promise<FileEntry | null> {
    const target = this.resolve(storePath);
    const location = await locateOnDisk(this.root, target.relative, { twins: true });
    return location.kind === 'found' ? toEntry(location.relative, location.stats) : null;
  }

  async list(dir: string, options?: { recursive?: boolean }): Promise<FileEntry[]> {
    const folder = this.resolve(dir);
    const location = await locateOnDisk(this.root, folder.relative, { twins: true });
    if (location.kind !== 'found' || !location.stats.isDirectory()) return []; // a link lists as nothing
    const entries: FileEntry[] = [];
    await collectEntries(location.absolute, location.relative, location.stats, options?.recursive === true, entries);
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async write(storePath: string, content: FileContent, options?: WriteOptions): Promise<void> {
    const target = this.resolveNonRoot(storePath, 'write');
    const mode = options?.executable === true ? EXECUTABLE_MODE : FILE_MODE;
    if (options?.scratch === true) return this.scratch.write(target, content, mode);
    const temp = path.join(this.tempFolder, `${randomUUID()}.tmp`);
    const source = content instanceof Uint8Array ? null : new TrackedSource(content);
    try {
      const remakeFolder = (): Promise<void> => this.folders.make(this.tempFolder);
      await createFile(temp, source?.chunks() ?? content, mode, remakeFolder, this.chmodAfterCreate);
      await this.placement.place(target, 'write', true, (destination) => this.calls.rename(temp, destination));
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
    this.scratch.forget();
    const source = this.resolveNonRoot(from, 'rename');
    const target = this.resolveNonRoot(to, 'rename');
    try {
      const location = await locateOnDisk(this.root, source.relative, { twins: true });
      if (location.kind === 'link') throw linkRefused('rename', source.relative, location.relative);
      // A missing source is left to rename(2), whose ENOENT says NotFound.
      const sourceAbsolute = location.kind === 'found' ? location.absolute : source.absolute;
      const movingAFile = location.kind === 'found' && location.stats.isFile();
      // ENOENT means a vanished target folder (worth recreating) or a missing source (NotFound).
      const sourceStillThere = async (): Promise<boolean> =>
        (await fs.lstat(sourceAbsolute).catch(() => null)) !== null;
      await this.placement.place(
        target,
        'rename',
        movingAFile,
        (destination) => this.placement.renameReplacing(sourceAbsolute, destination),
        sourceStillThere,
      );
    } catch (error) {
      throw mapFsError(error, `rename to '${target.relative}' from`, source.relative);
    }
  }

  async moveAll(moves: readonly FileMove[] | FolderMoves, options?: MoveAllOptions): Promise<void> {
    this.scratch.forget();
    await moveAllOnDisk(
      moves,
      {
        root: this.root,
        placement: this.placement,
        renameCall: (from, to) => this.calls.rename(from, to),
        resolveNonRoot: (p, op) => this.resolveNonRoot(p, op),
        rename: (from, to) => this.rename(from, to),
      },
      options,
    );
  }

  async delete(storePath: string): Promise<void> {
    const target = this.resolveNonRoot(storePath, 'delete');
    const location = await locateOnDisk(this.root, target.relative, { twins: true });
    if (location.kind === 'missing') return;
    if (location.kind === 'link') throw linkRefused('delete', target.relative, location.relative);
    try {
      await fs.unlink(location.absolute); // a link at the end is removed itself, never its target
    } catch (error) {
      if (MISSING.has(errnoOf(error) ?? '')) return;
      throw mapFsError(error, 'delete', target.relative);
    }
  }

  async createDirectory(storePath: string): Promise<void> {
    const target = this.resolve(storePath);
    try {
      await this.placement.ensureFolder(target.relative, 'create directory', target.relative);
    } catch (error) {
      throw mapFsError(error, 'create directory', target.relative);
    }
  }

  async deleteTree(storePath: string): Promise<void> {
    this.scratch.forget();
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
        return;
      }
      const location = await locateOnDisk(this.root, target.relative, { twins: true });
      if (location.kind === 'missing') return;
      if (location.kind === 'link') throw linkRefused('delete', target.relative, location.relative);
      // rm removes a link it meets (at the top or inside) as a link: it never descends through one.
      await fs.rm(location.absolute, { recursive: true, force: true });
    } catch (error) {
      if (MISSING.has(errnoOf(error) ?? '')) return;
      throw mapFsError(error, 'delete tree', target.relative);
    }
  }

  async pruneEmptyDirectories(dir: string, stopAt: string): Promise<void> {
    this.scratch.forget();
    const stop = this.resolve(stopAt).relative;
    let current = this.resolve(dir).relative;
    while (isStrictlyInside(current, stop)) {
      const location = await locateOnDisk(this.root, current, { twins: false });
      // Through a link nothing of the store is there: go on with the parents, up to the link itself.
      if (location.kind === 'found') {
        if (!location.stats.isDirectory()) return; // a file or a link: not an empty folder of ours
        try {
          await fs.rmdir(location.absolute); // never follows its last component
        } catch (error) {
          const errno = errnoOf(error);
          if (errno === 'ENOTEMPTY' || errno === 'EEXIST' || errno === 'ENOTDIR') return;
          if (errno !== 'ENOENT') throw mapFsError(error, 'prune', current);
        }
      }
      current = parentOf(current);
    }
  }

  /**
   * Stops the thread that does scratch writes (see ScratchWrites). Not needed before exit (the
   * thread never keeps the process alive and stops when idle); later scratch writes fail.
   */
  close(): Promise<void> {
    return this.scratch.close();
  }

  /** Whether the thread that does scratch writes runs (it starts on the first, stops when idle or closed). */
  get scratchThreadRunning(): boolean {
    return this.scratch.threadRunning;
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
}

function isStrictlyInside(candidate: string, ancestor: string): boolean {
  return ancestor === '' ? candidate !== '' : candidate.startsWith(`${ancestor}/`);
}

function parentOf(relative: string): string {
  const slash = relative.lastIndexOf('/');
  return slash < 0 ? '' : relative.slice(0, slash);
}
