import pLimit from 'p-limit';
import { FileStoreError } from '../../ports/FileStore';
import { mayNameATwin, singleTwin } from '../../ports/FileStoreNames';
import { errorCodeOf, isMissing } from './mapShareError';
import { type ShareTree, TREE_CONCURRENCY } from './ShareTree';
import { settleAll } from './settleAll';
import { joinSegments, sameName } from './sharePaths';

/**
 * Making and removing folders on a share, where Create Directory needs its parent to exist and
 * Delete Directory takes only an empty folder.
 */
export class ShareFolders {
  constructor(private readonly tree: ShareTree) {}

  /** Creates the folder and any missing parents; a file in the way is a Conflict. */
  async ensure(segments: readonly string[], forPath: string): Promise<void> {
    if (segments.length === 0) return;
    if ((await this.createOnce(segments, forPath)) !== 'parent missing') return;
    await this.ensure(segments.slice(0, -1), forPath);
    if ((await this.createOnce(segments, forPath)) === 'parent missing') {
      throw new FileStoreError('Unavailable', `'${forPath}': a folder on the way was deleted meanwhile`);
    }
  }

  /**
   * Gives the NFC name to each folder on the way that is missing under it but stored under one other
   * spelling; stops at the first folder missing outright (the rest is created) or at anything else.
   */
  async renameTwinFolders(segments: readonly string[]): Promise<void> {
    for (const [i, segment] of segments.entries()) {
      if (!mayNameATwin(segment)) continue;
      const here = segments.slice(0, i + 1);
      if (await this.tree.isDirectory(here)) continue;
      const siblings = await this.tree.children(segments.slice(0, i));
      if (siblings === null || siblings.some((child) => sameName(child.name, segment))) return;
      const twin = singleTwin(
        siblings.map((child) => child.name),
        segment,
      );
      if (twin === null || siblings.find((child) => child.name === twin)?.kind !== 'directory') return;
      await this.tree.directory([...segments.slice(0, i), twin]).rename(joinSegments(here));
    }
  }

  /** Deletes a file, or a folder with everything in it (the REST API deletes only empty folders). */
  async removeTree(segments: readonly string[], kind: 'file' | 'directory'): Promise<void> {
    if (kind === 'file') {
      await this.tree.file(segments).deleteIfExists();
      return;
    }
    const children = await this.tree.children(segments);
    if (children === null) return;
    const below = await this.tree.walk([...segments], children, true);
    const limit = pLimit(TREE_CONCURRENCY);
    await settleAll(
      below
        .filter((item) => item.entry.kind === 'file')
        .map((item) => limit(() => this.tree.file(item.segments).deleteIfExists())),
    );
    // Deepest folders first: each is empty once those below it are gone.
    const folders = below
      .filter((item) => item.entry.kind === 'directory')
      .sort((a, b) => b.segments.length - a.segments.length);
    for (const depth of [...new Set(folders.map((item) => item.segments.length))]) {
      await settleAll(
        folders
          .filter((item) => item.segments.length === depth)
          .map((item) => limit(() => this.deleteIfExists(item.segments))),
      );
    }
    await this.deleteIfExists(segments);
  }

  /** Removes an empty folder standing where something is to be placed; a non-empty one is a Conflict. */
  async removeEmpty(segments: readonly string[], operation: string): Promise<void> {
    try {
      await this.tree.directory(segments).delete();
    } catch (error) {
      if (errorCodeOf(error) === 'DirectoryNotEmpty') {
        throw new FileStoreError(
          'Conflict',
          `${operation} to '${joinSegments(segments)}': a non-empty folder is there`,
        );
      }
      if (!isMissing(error)) throw error;
    }
  }

  private async deleteIfExists(segments: readonly string[]): Promise<void> {
    try {
      await this.tree.directory(segments).delete();
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  private async createOnce(segments: readonly string[], forPath: string): Promise<'done' | 'parent missing'> {
    try {
      await this.tree.directory(segments).create();
      return 'done';
    } catch (error) {
      const code = errorCodeOf(error);
      if (code === 'ParentNotFound') return 'parent missing';
      if (code === 'ResourceAlreadyExists' || code === 'ResourceTypeMismatch') {
        if (await this.tree.isDirectory(segments)) return 'done';
        throw new FileStoreError('Conflict', `'${forPath}': '${joinSegments(segments)}' is a file, not a folder`);
      }
      throw error;
    }
  }
}
