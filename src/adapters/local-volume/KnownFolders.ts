import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * Remembers which folders this process has already created, so writing 10,000 files into 100
 * folders costs 100 mkdir calls, not 10,000. Concurrent requests for the same folder share one
 * mkdir. The memory can go stale (another process deletes a folder); callers then `forget` and
 * retry, which the store does when an fs call answers ENOENT.
 */
export class KnownFolders {
  private readonly pending = new Map<string, Promise<void>>();

  /** Ensures the folder (absolute path) exists, creating parents as needed. */
  ensure(absoluteFolder: string): Promise<void> {
    const known = this.pending.get(absoluteFolder);
    if (known) return known;
    const creating = fs.mkdir(absoluteFolder, { recursive: true }).then(() => undefined);
    this.pending.set(absoluteFolder, creating);
    creating.catch(() => this.pending.delete(absoluteFolder));
    return creating;
  }

  /** Forgets a folder and everything below it (it was deleted or moved). */
  forget(absoluteFolder: string): void {
    const prefix = absoluteFolder.endsWith(path.sep) ? absoluteFolder : `${absoluteFolder}${path.sep}`;
    for (const folder of this.pending.keys()) {
      if (folder === absoluteFolder || folder.startsWith(prefix)) this.pending.delete(folder);
    }
  }

  /** Forgets everything (used when the whole tree may have changed under us). */
  clear(): void {
    this.pending.clear();
  }
}
