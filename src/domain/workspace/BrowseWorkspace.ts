import type { FileEntry, FileStore } from '../../ports/FileStore';
import type { Scope } from '../shared/Scope';
import { contentTag } from './ContentTag';
import { isScopedPath, relativeToFolder, resolveScopedPath } from './WorkspacePaths';
import {
  type FailureCodeOf,
  failed,
  succeeded,
  type WorkspaceErrorCode,
  type WorkspaceResult,
} from './WorkspaceResult';

/** One entry of a workspace listing; `path` is relative to the scope folder. */
export interface WorkspaceEntry {
  readonly path: string;
  readonly kind: 'file' | 'directory';
  readonly size: number;
  readonly lastModified: Date;
  readonly executable: boolean;
}

export interface WorkspaceFile {
  readonly content: Uint8Array;
  readonly size: number;
  readonly lastModified: Date;
  /** Hex SHA-256 of `content`, unquoted. */
  readonly etag: string;
  readonly executable: boolean;
}

/** Every code each read can fail with: its result type and its route's documentation both derive from it. */
export const LIST_WORKSPACE_FAILURES = [
  'InvalidPath',
  'NotFound',
  'NotAFolder',
] as const satisfies readonly WorkspaceErrorCode[];
export const READ_WORKSPACE_FILE_FAILURES = [
  'InvalidPath',
  'NotFound',
  'NotAFile',
] as const satisfies readonly WorkspaceErrorCode[];
const HEAD_WORKSPACE_ENTRY_FAILURES = ['InvalidPath', 'NotFound'] as const satisfies readonly WorkspaceErrorCode[];

export interface BrowseWorkspaceDeps {
  readonly files: FileStore;
}

/**
 * Reads a scope's workspace for the editor. Reads take no lease: the store's writes are atomic, so
 * a read sees a file either before or after an edit or sync, never half of it.
 */
export class BrowseWorkspace {
  constructor(private readonly deps: BrowseWorkspaceDeps) {}

  /** Entries of `dir` ('' = the scope folder; missing = empty), or all below it when `recursive`. */
  async list(
    scope: Scope,
    dir: string,
    options: { readonly recursive?: boolean } = {},
  ): Promise<WorkspaceResult<WorkspaceEntry[], FailureCodeOf<typeof LIST_WORKSPACE_FAILURES>>> {
    const { files } = this.deps;
    const target = resolveScopedPath(files, scope, dir, { allowRoot: true });
    if (!isScopedPath(target)) return target;
    if (target.relative !== '') {
      const entry = await files.stat(target.storePath);
      if (entry === null) return failed('NotFound', `folder '${target.relative}' does not exist`);
      if (entry.kind !== 'directory') return failed('NotAFolder', `'${target.relative}' is a file, not a folder`);
    } else {
      const root = await files.stat(target.storePath);
      if (root !== null && root.kind !== 'directory') return failed('NotAFolder', 'the workspace folder is a file');
    }
    const entries = await files.list(target.storePath, { recursive: options.recursive === true });
    const listed: WorkspaceEntry[] = [];
    for (const entry of entries) {
      const path = relativeToFolder(target.folder, entry.path);
      if (path !== null) listed.push(toWorkspaceEntry(path, entry));
    }
    return succeeded(listed);
  }

  /** A file's bytes with its tag. */
  async read(
    scope: Scope,
    path: string,
  ): Promise<WorkspaceResult<WorkspaceFile, FailureCodeOf<typeof READ_WORKSPACE_FILE_FAILURES>>> {
    const { files } = this.deps;
    const target = resolveScopedPath(files, scope, path);
    if (!isScopedPath(target)) return target;
    const entry = await files.stat(target.storePath);
    if (entry === null) return failed('NotFound', `file '${target.relative}' does not exist`);
    if (entry.kind !== 'file') return failed('NotAFile', `'${target.relative}' is a folder, not a file`);
    const content = await files.read(target.storePath);
    // Deleted or replaced by a folder between the two calls.
    if (content === null) return failed('NotFound', `file '${target.relative}' does not exist`);
    return succeeded({
      content,
      size: content.byteLength,
      lastModified: entry.modifiedAt,
      etag: await contentTag(content),
      executable: entry.executable,
    });
  }

  /** What is at `path` without reading it (no etag: that needs the bytes; use `read`). */
  async head(
    scope: Scope,
    path: string,
  ): Promise<WorkspaceResult<WorkspaceEntry, FailureCodeOf<typeof HEAD_WORKSPACE_ENTRY_FAILURES>>> {
    const { files } = this.deps;
    const target = resolveScopedPath(files, scope, path, { allowRoot: true });
    if (!isScopedPath(target)) return target;
    const entry = await files.stat(target.storePath);
    if (entry === null) return failed('NotFound', `'${target.relative || '.'}' does not exist`);
    return succeeded(toWorkspaceEntry(target.relative, entry));
  }
}

function toWorkspaceEntry(path: string, entry: FileEntry): WorkspaceEntry {
  return { path, kind: entry.kind, size: entry.size, lastModified: entry.modifiedAt, executable: entry.executable };
}
