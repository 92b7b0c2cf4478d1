import { randomUUID } from 'node:crypto';
import { constants as fsConstants, promises as fs, type Stats } from 'node:fs';
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
import { mayNameATwin } from '../../ports/FileStoreNames';
import { FolderMaker } from './FolderMaker';
import { linkRefused, locateOnDisk, twinIn } from './locateOnDisk';
import { errnoOf, mapFsError, mapMoveError } from './mapFsError';
import { EXECUTABLE_MODE, FILE_MODE, FOLDER_MODE } from './modes';
import { probeVolume, type ModeCalls, type VolumeTraits } from './probeVolume';
import { PRIVATE_FOLDER, resolveInsideRoot, type ResolvedPath } from './resolveInsideRoot';
import { releasingChunks } from '../streams/releasingChunks';

/** Temp files older than this are leftovers of a crashed writer; younger ones may be in flight. */
const STALE_TEMP_AGE_MS = 60 * 60 * 1000;

const MISSING = new Set(['ENOENT', 'ENOTDIR']);

/** Read size for streamed reads: large enough for few round trips on an SMB mount, small enough to hold. */
const READ_CHUNK_BYTES = 256 * 1024;

/** Opens the last component without following it (not defined on Windows, which has no such links). */
const READ_NO_FOLLOW = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0);

/** How often a read re-checks a file that changed between finding and opening it. */
const OPEN_ATTEMPTS = 3;

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

/** An open regular file of the store, checked to be the entry found without following links. */
interface OpenedFile {
  readonly handle: fs.FileHandle;
  readonly stats: Stats;
  readonly relative: string;
}

/**
 * A FileStore on a local (or mounted) folder. Writes go to a temp file in the root's private
 * `.workspace-sync/tmp/` folder (same volume, so the final rename is atomic, and outside every
 * scope folder, so a reader listing a scope never sees half-written files), then are renamed over
 * the target. Readers therefore see the old or the new content, never a mix.
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

  private constructor(
    private readonly root: string,
    private readonly tempFolder: string,
    private readonly traits: VolumeTraits,
    private readonly calls: VolumeCalls,
  ) {
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
    const file = await this.openFile(target);
    if (file === null) return null;
    try {
      const bytes = await file.handle.readFile();
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (error) {
      throw mapFsError(error, 'read', file.relative);
    } finally {
      await file.handle.close().catch(() => undefined);
    }
  }

  async readStream(storePath: string): Promise<AsyncIterable<Uint8Array> | null> {
    const target = this.resolve(storePath);
    const file = await this.openFile(target);
    if (file === null) return null;
    // Each read allocates a whole chunk, so a small file gets a chunk of its own size: workspaces
    // are mostly small scripts, and 256 kB per 5 kB script is what the garbage collector then pays.
    const highWaterMark = Math.max(1, Math.min(READ_CHUNK_BYTES, file.stats.size));
    // The stream owns the handle from here: it closes it at the end, on error and when destroyed.
    return releasingChunks(file.handle.createReadStream({ highWaterMark }), (error) => mapFsError(error, 'read', file.relative));
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
    await this.collect(location.absolute, location.relative, location.stats, options?.recursive === true, entries);
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async write(storePath: string, content: FileContent, options?: WriteOptions): Promise<void> {
    const target = this.resolveNonRoot(storePath, 'write');
    const mode = options?.executable === true ? EXECUTABLE_MODE : FILE_MODE;
    const temp = path.join(this.tempFolder, `${randomUUID()}.tmp`);
    const source = content instanceof Uint8Array ? null : new TrackedSource(content);
    try {
      if (content instanceof Uint8Array) await this.writeBytesToTemp(temp, content, mode);
      else if (source !== null) await this.streamToTemp(temp, source, mode);
      // The mode is set at create; a chmod only where umask took bits off and a mode change sticks.
      if (!this.traits.createModeIsExact && this.traits.modesStick) await this.calls.chmod(temp, mode);
      await this.place(target, 'write', true, (destination) => this.calls.rename(temp, destination));
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
    try {
      const location = await locateOnDisk(this.root, source.relative, { twins: true });
      if (location.kind === 'link') throw linkRefused('rename', source.relative, location.relative);
      // A missing source is left to rename(2), whose ENOENT says NotFound.
      const sourceAbsolute = location.kind === 'found' ? location.absolute : source.absolute;
      const movingAFile = location.kind === 'found' && location.stats.isFile();
      // ENOENT means a vanished target folder (worth recreating) or a missing source (NotFound).
      const sourceStillThere = async (): Promise<boolean> => (await fs.lstat(sourceAbsolute).catch(() => null)) !== null;
      await this.place(target, 'rename', movingAFile, (destination) => this.renameReplacing(sourceAbsolute, destination), sourceStillThere);
    } catch (error) {
      throw mapFsError(error, `rename to '${target.relative}' from`, source.relative);
    }
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
      await this.ensureFolder(target.relative, 'create directory', target.relative);
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
   * Opens the regular file at `target` for reading, or answers null when there is none (missing, a
   * folder, a link, or below a link). The last component is opened with O_NOFOLLOW, and the opened
   * file must be the one the link-free walk found: a folder swapped for a link between the walk and
   * the open leads to another file, which is closed unread and the walk is done again.
   */
  private async openFile(target: ResolvedPath): Promise<OpenedFile | null> {
    for (let attempt = 1; ; attempt++) {
      const location = await locateOnDisk(this.root, target.relative, { twins: true });
      if (location.kind !== 'found' || !location.stats.isFile()) return null;
      let handle: fs.FileHandle;
      try {
        handle = await fs.open(location.absolute, READ_NO_FOLLOW);
      } catch (error) {
        const errno = errnoOf(error);
        // Gone, or replaced by a folder or a link (ELOOP) since the walk: look again.
        const changed = errno === 'ELOOP' || errno === 'EISDIR' || (errno !== undefined && MISSING.has(errno));
        if (changed && attempt < OPEN_ATTEMPTS) continue;
        if (changed) return null;
        throw mapFsError(error, 'read', location.relative);
      }
      let opened: Stats;
      try {
        opened = await handle.stat();
      } catch (error) {
        await handle.close().catch(() => undefined);
        throw mapFsError(error, 'read', location.relative);
      }
      if (opened.isFile() && opened.ino === location.stats.ino && opened.dev === location.stats.dev) {
        return { handle, stats: opened, relative: location.relative };
      }
      await handle.close().catch(() => undefined);
      if (attempt >= OPEN_ATTEMPTS) {
        throw new FileStoreError('Unavailable', `read '${target.relative}' failed: it kept changing while it was opened`);
      }
    }
  }

  /**
   * Creates the folder `relative` (and its parents) unless it is there, refusing to go through or
   * onto a link. A file in the way is left to mkdir, whose EEXIST/ENOTDIR say Conflict. A missing
   * NFC folder stored under a single other spelling is renamed to the NFC name first (see FileStore).
   */
  private async ensureFolder(relative: string, operation: string, forPath: string): Promise<void> {
    let location = await locateOnDisk(this.root, relative, { twins: false });
    if (location.kind === 'missing' && relative.split('/').some(mayNameATwin)) {
      await this.renameTwinFolders(relative);
      location = await locateOnDisk(this.root, relative, { twins: false });
    }
    if (location.kind === 'link') throw linkRefused(operation, forPath, location.relative);
    if (location.kind === 'found') {
      if (location.stats.isDirectory()) return;
      if (location.stats.isSymbolicLink()) throw linkRefused(operation, forPath, location.relative);
    }
    await this.folders.make(relative === '' ? this.root : path.join(this.root, ...relative.split('/')));
  }

  /**
   * Gives the NFC name to each folder on the way to `relative` that is missing under it but stored
   * under one other spelling, so writing by the NFC path lands in the folder a listing showed. It
   * stops at the first folder that is missing outright (mkdir makes the rest), or at anything else.
   */
  private async renameTwinFolders(relative: string): Promise<void> {
    let folder = this.root;
    for (const segment of relative.split('/')) {
      const exact = path.join(folder, segment);
      const stats = await fs.lstat(exact).catch(() => null);
      if (stats === null) {
        const twin = mayNameATwin(segment) ? await twinIn(folder, segment, relative) : null;
        const twinStats = twin === null ? null : await fs.lstat(path.join(folder, twin)).catch(() => null);
        if (twin === null || twinStats?.isDirectory() !== true) return;
        await fs.rename(path.join(folder, twin), exact);
      } else if (!stats.isDirectory()) {
        return;
      }
      folder = exact;
    }
  }

  /**
   * Moves something to `target` with `move`, after making sure its folder exists and leads through
   * no link. A folder can vanish between the check and the move (a sync or another process deleted
   * it), so on ENOENT we recreate it once and retry. When `mayReplaceTwin` and the target's NFC name
   * is missing but a single file is stored under another spelling of it, that file is replaced and
   * the result then takes the requested name (see FileStore).
   */
  private async place(
    target: ResolvedPath,
    operation: string,
    mayReplaceTwin: boolean,
    move: (destination: string) => Promise<void>,
    worthRetrying: () => Promise<boolean> = async () => true,
  ): Promise<void> {
    const parent = parentOf(target.relative);
    await this.ensureFolder(parent, operation, target.relative);
    const twin = mayReplaceTwin ? await this.twinFile(target) : null;
    const destination = twin ?? target.absolute;
    const moveInto = async (to: string, moving: () => Promise<void>): Promise<void> => {
      try {
        await moving();
      } catch (error) {
        // Refused on a folder that takes writes: the file is in use (another SMB client has it open).
        const errno = errnoOf(error);
        const writable = errno === 'EACCES' || errno === 'EPERM' || errno === 'EBUSY' ? await isWritableFolder(path.dirname(to)) : false;
        throw writable ? mapMoveError(error, operation, target.relative, true) : error;
      }
    };
    try {
      await moveInto(destination, () => move(destination));
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT' || !(await worthRetrying())) throw error;
      await this.ensureFolder(parent, operation, target.relative);
      await moveInto(destination, () => move(destination));
    }
    if (twin !== null) await moveInto(target.absolute, () => this.calls.rename(twin, target.absolute));
  }

  /** rename(2) that also replaces an empty folder at the target (Linux answers EISDIR there). */
  private async renameReplacing(from: string, to: string): Promise<void> {
    try {
      await this.calls.rename(from, to);
    } catch (error) {
      if (errnoOf(error) !== 'EISDIR') throw error;
      await fs.rmdir(to); // fails with ENOTEMPTY (-> Conflict) when the folder holds anything
      await this.calls.rename(from, to);
    }
  }

  /** The file stored under another spelling of `target`'s missing NFC name, if exactly one is. */
  private async twinFile(target: ResolvedPath): Promise<string | null> {
    const name = path.basename(target.absolute);
    if (!mayNameATwin(name)) return null;
    if ((await fs.lstat(target.absolute).catch(() => null)) !== null) return null;
    const folder = path.dirname(target.absolute);
    const twin = await twinIn(folder, name, target.relative);
    if (twin === null) return null;
    const stats = await fs.lstat(path.join(folder, twin)).catch(() => null);
    return stats?.isFile() === true ? path.join(folder, twin) : null;
  }

  private async writeBytesToTemp(temp: string, bytes: Uint8Array, mode: number): Promise<void> {
    try {
      await fs.writeFile(temp, bytes, { flag: 'wx', mode });
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT') throw error;
      await this.folders.make(this.tempFolder); // someone removed our temp folder
      await fs.writeFile(temp, bytes, { flag: 'wx', mode });
    }
  }

  private async streamToTemp(temp: string, source: TrackedSource, mode: number): Promise<void> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(temp, 'wx', mode);
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT') throw error;
      await this.folders.make(this.tempFolder);
      handle = await fs.open(temp, 'wx', mode);
    }
    // The write stream owns the handle from here and closes it on finish and on error.
    await pipeline(source.chunks(), handle.createWriteStream());
  }

  /**
   * Adds the entries below the folder `absolute` (whose lstat was `folderStats`). Links are neither
   * listed nor entered. readdir follows a folder swapped for a link after its lstat, so the folder
   * is checked again afterwards and its names dropped if it changed; a swap that is undone between
   * the two checks can still show names (never contents: reads check what they open).
   */
  private async collect(
    absolute: string,
    relative: string,
    folderStats: Stats,
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
    const after = await fs.lstat(absolute).catch(() => null);
    if (after === null || !after.isDirectory() || after.ino !== folderStats.ino || after.dev !== folderStats.dev) return;
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
          await this.collect(childAbsolute, childRelative, stats, true, into);
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

/** Whether the process may create and replace entries in `folder` (false on a read-only folder or mount). */
async function isWritableFolder(folder: string): Promise<boolean> {
  return fs.access(folder, fsConstants.W_OK).then(
    () => true,
    () => false,
  );
}

/** Takes group and world access away from a folder the service owns; best effort. */
async function closeToOthers(folder: string, calls: VolumeCalls): Promise<void> {
  await calls.chmod(folder, FOLDER_MODE).catch(() => undefined);
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
