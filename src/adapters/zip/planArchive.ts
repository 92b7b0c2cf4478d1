import { type FileEntry, type FileStore, PRIVATE_FOLDER } from '../../ports/FileStore';
import type { ArchiveRoot } from '../../ports/WorkspaceArchiver';

export interface PlannedEntry {
  readonly name: string;
  readonly entry: FileEntry;
}

/**
 * Every entry of an archive of `roots`, named and in order (metadata only); refuses two entries
 * with the same name. The whole store is archived without the service's private folder.
 */
export async function planArchive(store: FileStore, roots: readonly ArchiveRoot[]): Promise<PlannedEntry[]> {
  const planned: PlannedEntry[] = [];
  const names = new Set<string>();
  const add = (name: string, entry: FileEntry): void => {
    if (names.has(name)) throw new Error(`'${name}' would be in the archive twice`);
    names.add(name);
    planned.push({ name, entry });
  };
  for (const root of roots) {
    const storePath = trimSlashes(root.storePath);
    const prefix = trimSlashes(root.nameInArchive);
    if (prefix !== '') {
      // The root's own folder, so an empty one still shows in the archive.
      const folder = await store.stat(storePath);
      if (folder?.kind === 'directory') add(prefix, folder);
    }
    for (const entry of await store.list(storePath, { recursive: true })) {
      const relative = storePath === '' ? entry.path : entry.path.slice(storePath.length + 1);
      if (storePath === '' && isInPrivateFolder(relative)) continue;
      add(prefix === '' ? relative : `${prefix}/${relative}`, entry);
    }
  }
  return planned;
}

function trimSlashes(value: string): string {
  return value.replace(/^\/+|\/+$/g, '');
}

/** Compared case-insensitively: on a case-insensitive volume '.Workspace-Sync' is the same folder. */
function isInPrivateFolder(relative: string): boolean {
  const first = relative.split('/', 1)[0] ?? '';
  return first.toLowerCase() === PRIVATE_FOLDER;
}
