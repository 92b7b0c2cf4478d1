import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FileStoreError } from '../../ports/FileStore';
import { mayNameATwin } from '../../ports/FileStoreNames';
import { linkRefused } from './locateOnDisk';
import { errnoOf } from './mapFsError';
import { FOLDER_MODE } from './modes';
import { sharedOnce } from './sharedOnce';

/**
 * Folders of one batch of changes (a sync's staging writes, one moveAll) known to be real folders,
 * each looked at once, top-down from the root (which is real): a folder counts once its parent
 * counts and lstat shows a folder, not a link, at its name. A folder made here with mkdir (never
 * recursive: it fails rather than follow a link) needs no look at all. So a path costs one system
 * call per new folder instead of a realpath and an lstat per file.
 *
 * What this saw holds for the batch: a folder swapped for a link afterwards is not seen until the
 * next batch (see locateOnDisk on why Node cannot close that window). `forget` drops everything,
 * for when a folder is found gone.
 */
export class FolderWalk {
  private readonly known = new Map<string, Promise<void>>();

  constructor(private readonly root: string) {}

  /** The folder `relative` exists and is reached through real folders only: else NotFound or SymbolicLink. */
  existing(relative: string, forPath: string, operation: string): Promise<void> {
    return this.walk(relative, forPath, operation, false);
  }

  /** Makes the folder `relative` (and its parents) where missing, through real folders only. */
  ensure(relative: string, forPath: string, operation: string): Promise<void> {
    return this.walk(relative, forPath, operation, true);
  }

  forget(): void {
    this.known.clear();
  }

  /** Whether the walk can stand for `relative`: names that may be stored in another spelling need the store's own lookups. */
  static handles(relative: string): boolean {
    return !relative.split('/').some(mayNameATwin);
  }

  private walk(relative: string, forPath: string, operation: string, make: boolean): Promise<void> {
    if (relative === '') return Promise.resolve();
    return sharedOnce(this.known, relative, async () => {
      const slash = relative.lastIndexOf('/');
      await this.walk(slash < 0 ? '' : relative.slice(0, slash), forPath, operation, make);
      const absolute = path.join(this.root, ...relative.split('/'));
      if (make) {
        try {
          await fs.mkdir(absolute, { mode: FOLDER_MODE });
          return; // made just now, by us: a real folder
        } catch (error) {
          if (errnoOf(error) !== 'EEXIST') throw error;
        }
      }
      const stats = await fs.lstat(absolute).catch((error: unknown) => {
        if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ENOTDIR') return null;
        throw error;
      });
      if (stats?.isSymbolicLink()) throw linkRefused(operation, forPath, relative);
      if (stats === null)
        throw new FileStoreError('NotFound', `${operation} '${forPath}': folder '${relative}' does not exist`);
      // A file in the way: what mkdir of a folder below it would answer.
      if (!stats.isDirectory()) throw Object.assign(new Error(`'${relative}' is not a folder`), { code: 'ENOTDIR' });
    });
  }
}
