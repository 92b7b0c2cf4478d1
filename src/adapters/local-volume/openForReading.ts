import { promises as fs, constants as fsConstants, type Stats } from 'node:fs';
import { FileStoreError } from '../../ports/FileStore';
import { locateOnDisk } from './locateOnDisk';
import { errnoOf, mapFsError } from './mapFsError';
import type { ResolvedPath } from './resolveInsideRoot';

const MISSING = new Set(['ENOENT', 'ENOTDIR']);

/** Opens the last component without following it (not defined on Windows, which has no such links). */
const READ_NO_FOLLOW = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0);

/** How often a read re-checks a file that changed between finding and opening it. */
const OPEN_ATTEMPTS = 3;

/** An open regular file of the store, checked to be the entry found without following links. */
export interface OpenedFile {
  readonly handle: fs.FileHandle;
  readonly stats: Stats;
  readonly relative: string;
}

/**
 * Opens the regular file at `target` for reading, or answers null when there is none (missing, a
 * folder, a link, or below a link). The last component is opened with O_NOFOLLOW, and the opened
 * file must be the one the link-free walk found: a folder swapped for a link between the walk and
 * the open leads to another file, which is closed unread and the walk is done again.
 */
export async function openForReading(root: string, target: ResolvedPath): Promise<OpenedFile | null> {
  for (let attempt = 1; ; attempt++) {
    const location = await locateOnDisk(root, target.relative, { twins: true });
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
