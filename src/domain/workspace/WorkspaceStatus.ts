import type { FileEntry } from '../../ports/FileStore';
import type { Connection } from '../connections/Connection';

export interface WorkspaceStatus {
  /** github-sync: the folder mirrors a branch and is read-only; manual-edit: people edit it here. */
  readonly mode: 'github-sync' | 'manual-edit';
  readonly readOnly: boolean;
  readonly files: number;
  readonly folders: number;
  readonly totalBytes: number;
  readonly lastModified: Date | null;
}

/** Sums up a scope folder's listing; a connection (enabled or paused) makes the scope GitHub-managed. */
export function workspaceStatus(connection: Connection | null, entries: readonly FileEntry[]): WorkspaceStatus {
  let files = 0;
  let folders = 0;
  let totalBytes = 0;
  let lastModified: Date | null = null;
  for (const entry of entries) {
    if (entry.kind === 'directory') folders++;
    else {
      files++;
      totalBytes += entry.size;
    }
    if (!lastModified || entry.modifiedAt > lastModified) lastModified = entry.modifiedAt;
  }
  const managed = connection !== null;
  return { mode: managed ? 'github-sync' : 'manual-edit', readOnly: managed, files, folders, totalBytes, lastModified };
}
