import { promises as fs, constants as fsConstants } from 'node:fs';
import * as path from 'node:path';
import { mayNameATwin } from '../../ports/FileStoreNames';
import type { FolderMaker } from './FolderMaker';
import { linkRefused, locateOnDisk, twinIn } from './locateOnDisk';
import { errnoOf, mapMoveError } from './mapFsError';
import type { ResolvedPath } from './resolveInsideRoot';

/** The one call a test stands in for: a move into place (refused while the file is open elsewhere). */
export interface RenameCall {
  rename(from: string, to: string): Promise<void>;
}

/**
 * Puts entries in place below the store root without following links: folders are made (or
 * found) with every component checked, and moves retry once when a folder vanished meanwhile.
 */
export class DiskPlacement {
  constructor(
    private readonly root: string,
    private readonly calls: RenameCall,
    private readonly folders: FolderMaker,
  ) {}

  /**
   * Creates the folder `relative` (and its parents) unless it is there, refusing to go through or
   * onto a link. A file in the way is left to mkdir, whose EEXIST/ENOTDIR say Conflict. A missing
   * NFC folder stored under a single other spelling is renamed to the NFC name first (see FileStore).
   */
  async ensureFolder(relative: string, operation: string, forPath: string): Promise<void> {
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
  async renameTwinFolders(relative: string): Promise<void> {
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
  async place(
    target: ResolvedPath,
    operation: string,
    mayReplaceTwin: boolean,
    move: (destination: string) => Promise<void>,
    worthRetrying: () => Promise<boolean> = async () => true,
    checkParent?: () => Promise<void>,
  ): Promise<void> {
    const parent = parentOf(target.relative);
    await (checkParent ? checkParent() : this.ensureFolder(parent, operation, target.relative));
    const twin = mayReplaceTwin ? await this.twinFile(target) : null;
    const destination = twin ?? target.absolute;
    const moveInto = async (to: string, moving: () => Promise<void>): Promise<void> => {
      try {
        await moving();
      } catch (error) {
        // Refused on a folder that takes writes: the file is in use (another SMB client has it open).
        const errno = errnoOf(error);
        const writable =
          errno === 'EACCES' || errno === 'EPERM' || errno === 'EBUSY'
            ? await isWritableFolder(path.dirname(to))
            : false;
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
  async renameReplacing(from: string, to: string): Promise<void> {
    try {
      await this.calls.rename(from, to);
    } catch (error) {
      if (errnoOf(error) !== 'EISDIR') throw error;
      await fs.rmdir(to); // fails with ENOTEMPTY (-> Conflict) when the folder holds anything
      await this.calls.rename(from, to);
    }
  }

  /** The file stored under another spelling of `target`'s missing NFC name, if exactly one is. */
  async twinFile(target: ResolvedPath): Promise<string | null> {
    const name = path.basename(target.absolute);
    if (!mayNameATwin(name)) return null;
    if ((await fs.lstat(target.absolute).catch(() => null)) !== null) return null;
    const folder = path.dirname(target.absolute);
    const twin = await twinIn(folder, name, target.relative);
    if (twin === null) return null;
    const stats = await fs.lstat(path.join(folder, twin)).catch(() => null);
    return stats?.isFile() === true ? path.join(folder, twin) : null;
  }
}

/** Whether the process may create and replace entries in `folder` (false on a read-only folder or mount). */
async function isWritableFolder(folder: string): Promise<boolean> {
  return fs.access(folder, fsConstants.W_OK).then(
    () => true,
    () => false,
  );
}

function parentOf(relative: string): string {
  const slash = relative.lastIndexOf('/');
  return slash < 0 ? '' : relative.slice(0, slash);
}
