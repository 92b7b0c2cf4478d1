import { promises as fs, constants as fsConstants, type Stats } from 'node:fs';
import { FileStoreError } from '../../ports/FileStore';
import * as calls from './fsCallbacks';
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

/** The same, as a bare file descriptor: cheaper to open and close when the file is read whole at once. */
export interface OpenedDescriptor {
  readonly fd: number;
  readonly stats: Stats;
  readonly relative: string;
}

/** How a file is opened (without following its last component), looked at and closed. */
interface Opener<Opened> {
  open(absolute: string): Promise<Opened>;
  stat(opened: Opened): Promise<Stats>;
  close(opened: Opened): Promise<void>;
}

const HANDLES: Opener<fs.FileHandle> = {
  open: (absolute) => fs.open(absolute, READ_NO_FOLLOW),
  stat: (handle) => handle.stat(),
  close: (handle) => handle.close(),
};

const DESCRIPTORS: Opener<number> = {
  open: (absolute) => calls.open(absolute, READ_NO_FOLLOW),
  stat: (fd) => calls.fstat(fd),
  close: (fd) => calls.close(fd),
};

/**
 * Opens the regular file at `target` for reading, or answers null when there is none (missing, a
 * folder, a link, or below a link). The last component is opened with O_NOFOLLOW, and the opened
 * file must be the one the link-free walk found: a folder swapped for a link between the walk and
 * the open leads to another file, which is closed unread and the walk is done again.
 */
export async function openForReading(root: string, target: ResolvedPath): Promise<OpenedFile | null> {
  const file = await openChecked(root, target, HANDLES);
  return file === null ? null : { handle: file.opened, stats: file.stats, relative: file.relative };
}

/** As openForReading, with a file descriptor the caller must close (see fsCallbacks.close). */
export async function openDescriptorForReading(root: string, target: ResolvedPath): Promise<OpenedDescriptor | null> {
  const file = await openChecked(root, target, DESCRIPTORS);
  return file === null ? null : { fd: file.opened, stats: file.stats, relative: file.relative };
}

async function openChecked<Opened>(
  root: string,
  target: ResolvedPath,
  opener: Opener<Opened>,
): Promise<{ opened: Opened; stats: Stats; relative: string } | null> {
  for (let attempt = 1; ; attempt++) {
    const location = await locateOnDisk(root, target.relative, { twins: true });
    if (location.kind !== 'found' || !location.stats.isFile()) return null;
    let opened: Opened;
    try {
      opened = await opener.open(location.absolute);
    } catch (error) {
      const errno = errnoOf(error);
      // Gone, or replaced by a folder or a link (ELOOP) since the walk: look again.
      const changed = errno === 'ELOOP' || errno === 'EISDIR' || (errno !== undefined && MISSING.has(errno));
      if (changed && attempt < OPEN_ATTEMPTS) continue;
      if (changed) return null;
      throw mapFsError(error, 'read', location.relative);
    }
    let stats: Stats;
    try {
      stats = await opener.stat(opened);
    } catch (error) {
      await opener.close(opened).catch(() => undefined);
      throw mapFsError(error, 'read', location.relative);
    }
    if (stats.isFile() && stats.ino === location.stats.ino && stats.dev === location.stats.dev) {
      return { opened, stats, relative: location.relative };
    }
    await opener.close(opened).catch(() => undefined);
    if (attempt >= OPEN_ATTEMPTS) {
      throw new FileStoreError('Unavailable', `read '${target.relative}' failed: it kept changing while it was opened`);
    }
  }
}
