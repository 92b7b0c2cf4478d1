import { randomUUID } from 'node:crypto';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const LOCK_FILE = 'workspace-sync.pid';

/** Another live process holds the folder: two Azurites on one database overwrite each other's data. */
export class FolderLockedError extends Error {
  constructor(
    readonly folder: string,
    readonly holderPid: number,
    readonly lockFile: string,
  ) {
    super(`${folder} is in use by process ${holderPid}`);
    this.name = 'FolderLockedError';
  }
}

export interface FolderLock {
  release(): Promise<void>;
}

/** Folders this process holds: a second start inside one process is refused too. */
const heldHere = new Set<string>();

/**
 * Claims `folder` for this process with a lock file holding its pid, created exclusively. A lock
 * whose process is gone (a crash, a killed container) is taken over; so is one naming this very pid
 * without this process holding it (a container restarted with the same pid).
 */
export async function lockFolder(folder: string): Promise<FolderLock> {
  const lockFile = join(folder, LOCK_FILE);
  if (heldHere.has(folder)) throw new FolderLockedError(folder, process.pid, lockFile);
  for (let attempt = 0; ; attempt++) {
    try {
      // The pid is written first and the lock file appears whole (a hard link fails if it exists):
      // a second start never reads an empty lock file and takes it for a stale one.
      const claim = `${lockFile}.${randomUUID()}`;
      await writeFile(claim, `${process.pid}\n`, { mode: 0o600 });
      try {
        await link(claim, lockFile);
      } finally {
        await rm(claim, { force: true });
      }
      heldHere.add(folder);
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          heldHere.delete(folder);
          await rm(lockFile, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
    }
    const holder = Number.parseInt(await readFile(lockFile, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder))
      throw new FolderLockedError(folder, holder, lockFile);
    await rm(lockFile, { force: true }); // stale: its process is gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0 only checks
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}
