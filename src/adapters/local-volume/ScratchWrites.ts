import { promises as fs } from 'node:fs';
import { type FileContent, FileStoreError, isPrivatePath } from '../../ports/FileStore';
import type { DiskPlacement } from './DiskPlacement';
import { FolderWalk } from './FolderWalk';
import { linkRefused } from './locateOnDisk';
import { mapFsError } from './mapFsError';
import { FOLDER_MODE } from './modes';
import type { ResolvedPath } from './resolveInsideRoot';
import { ScratchWriter } from './ScratchWriter';
import { createFile, TrackedSource } from './writeNewFile';

/** A mode change after create, or null where the mode given at create already sticks (or none does). */
type Chmod = ((absolute: string, mode: number) => Promise<void>) | null;

/**
 * Scratch writes (a sync's staging, under the private folder, see WriteOptions.scratch): each file
 * is created in place, in folders checked or made once each, and removed when its write fails.
 * Whole files go to a thread of their own (ScratchWriter), which makes the folders and writes with
 * synchronous calls while the caller goes on; streams, and paths whose names may be stored in
 * another spelling (which need the store's own lookups), are written here.
 */
export class ScratchWrites {
  /**
   * Folders already checked or made, so each is looked at once, not once per file. Forgotten
   * whenever folders may go away or move (deleteTree, prune, rename, moveAll); a folder found gone
   * is looked at again.
   */
  private readonly folders: FolderWalk;
  private readonly writer: ScratchWriter;

  constructor(
    root: string,
    private readonly placement: DiskPlacement,
    private readonly chmod: Chmod,
  ) {
    this.folders = new FolderWalk(root);
    this.writer = new ScratchWriter({ root, folderMode: FOLDER_MODE, chmod: chmod !== null });
  }

  async write(target: ResolvedPath, content: FileContent, mode: number): Promise<void> {
    if (!isPrivatePath(target.relative)) {
      throw new FileStoreError(
        'Conflict',
        `write '${target.relative}': a scratch write must stay in the private folder`,
      );
    }
    const folder = parentOf(target.relative);
    if (content instanceof Uint8Array && FolderWalk.handles(folder)) {
      const name = target.relative.slice(folder === '' ? 0 : folder.length + 1);
      const outcome = await this.writer.write(folder, name, content, mode);
      if (outcome === null) return;
      if (outcome.link !== undefined) throw linkRefused('write', target.relative, outcome.link);
      throw mapFsError(Object.assign(new Error(outcome.errno), { code: outcome.errno }), 'write', target.relative);
    }
    const source = content instanceof Uint8Array ? null : new TrackedSource(content);
    const checkFolder = (): Promise<void> =>
      FolderWalk.handles(folder)
        ? this.folders.ensure(folder, target.relative, 'write')
        : this.placement.ensureFolder(folder, 'write', target.relative);
    try {
      await checkFolder();
      const remakeFolder = async (): Promise<void> => {
        this.forget(); // deleted since it was checked: look again
        await checkFolder();
      };
      await createFile(target.absolute, source?.chunks() ?? content, mode, remakeFolder, this.chmod);
    } catch (error) {
      await fs.rm(target.absolute, { force: true }).catch(() => undefined);
      if (source?.failed) throw source.error;
      throw mapFsError(error, 'write', target.relative);
    }
  }

  /** Folders may have gone or moved: look at each again. */
  forget(): void {
    this.folders.forget();
    this.writer.forget();
  }

  /** Stops the writing thread. */
  close(): Promise<void> {
    return this.writer.close();
  }

  /** Whether the writing thread runs (for tests). */
  get threadRunning(): boolean {
    return this.writer.running;
  }
}

function parentOf(relative: string): string {
  const slash = relative.lastIndexOf('/');
  return slash < 0 ? '' : relative.slice(0, slash);
}
