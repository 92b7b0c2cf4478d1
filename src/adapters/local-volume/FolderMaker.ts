import { promises as fs } from 'node:fs';
import { FOLDER_MODE } from './modes';

/**
 * Creates folders (with their parents, mode FOLDER_MODE), sharing one mkdir among concurrent
 * requests for the same folder, so 16 writers into one new folder cost one mkdir, not 16. It
 * remembers nothing once a mkdir settles: the store checks each path on disk before every change
 * (links may have been planted, folders deleted), and calls this only for a folder found missing.
 */
export class FolderMaker {
  private readonly inFlight = new Map<string, Promise<void>>();

  /** Creates the folder (absolute path) and any missing parents; an existing folder is fine. */
  make(absoluteFolder: string): Promise<void> {
    const running = this.inFlight.get(absoluteFolder);
    if (running !== undefined) return running;
    const making = fs
      .mkdir(absoluteFolder, { recursive: true, mode: FOLDER_MODE })
      .then(() => undefined)
      .finally(() => this.inFlight.delete(absoluteFolder));
    this.inFlight.set(absoluteFolder, making);
    return making;
  }
}
