import type { FileEntry, FileStore } from '../../ports/FileStore';
import { type Scope, scopeFolder } from '../shared/Scope';

/** Recursive listing of the scope's folder with scope-relative paths, as a sync compares it. */
export async function listScopeFolder(files: FileStore, scope: Scope): Promise<FileEntry[]> {
  const folder = scopeFolder(scope);
  const prefix = `${folder}/`;
  const entries = await files.list(folder, { recursive: true });
  return entries.map((entry) => ({
    ...entry,
    path: entry.path.startsWith(prefix) ? entry.path.slice(prefix.length) : entry.path,
  }));
}
