/** One folder of the store to put in an archive, and where its contents go inside the archive. */
export interface ArchiveRoot {
  /** Folder in the store ('' = the whole store, without the service's private folder). */
  readonly storePath: string;
  /** Folder inside the archive that receives the folder's contents ('' = the archive's root). */
  readonly nameInArchive: string;
}

/**
 * Packs folders of the workspace into one zip, streamed: the archive is produced while it is read,
 * at the reader's pace, with memory that does not grow with the workspace. A fault while packing
 * (a file vanished, the store failed) makes the iteration throw, so a reader never mistakes a cut
 * archive for a whole one. A missing folder contributes nothing.
 */
export interface WorkspaceArchiver {
  zip(roots: readonly ArchiveRoot[]): AsyncIterable<Uint8Array>;
}
