import type { FileStore } from '../../ports/FileStore';

/**
 * A store whose files the archiver's threads may read themselves (a local volume), checking what
 * they open as the store would (see local-volume/readInThread.ts). The main thread then makes no
 * file calls for a small file at all: the listing is all it does.
 */
export interface ThreadReadable {
  /** What a thread opens for the store file `storePath`, or null when only the store's own read may read it. */
  threadReadPath(storePath: string): string | null;
}

export function isThreadReadable(store: FileStore): store is FileStore & ThreadReadable {
  return typeof (store as Partial<ThreadReadable>).threadReadPath === 'function';
}
