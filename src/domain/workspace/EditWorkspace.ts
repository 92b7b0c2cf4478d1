import type { Clock } from '../../ports/Clock';
import type { ConnectionRepo } from '../../ports/ConnectionRepo';
import { type FileEntry, type FileStore, FileStoreError } from '../../ports/FileStore';
import type { IdGenerator } from '../../ports/IdGenerator';
import type { LeaseRepo } from '../../ports/LeaseRepo';
import type { Logger } from '../../ports/Logger';
import type { ManifestRepo } from '../../ports/ManifestRepo';
import type { Scope } from '../shared/Scope';
import { contentTag, tagMatches } from './ContentTag';
import type {
  CREATE_FOLDER_FAILURES,
  DELETE_FILE_FAILURES,
  DELETE_FOLDER_FAILURES,
  MOVE_FAILURES,
  SAVE_FILE_FAILURES,
  WriteFrameCode,
} from './EditFailures';
import { isInside, joinScopePath } from './PathPolicy';
import { ScopeEditLock } from './ScopeEditLock';
import { isScopedPath, resolveScopedPath, type ScopedPath } from './WorkspacePaths';
import { type FailureCodeOf, failed, succeeded, type WorkspaceFailure, type WorkspaceResult } from './WorkspaceResult';

export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

export interface EditWorkspaceSettings {
  /** Identifies this process in scope leases. */
  readonly holderId: string;
  readonly leaseTtlMs: number;
  /** Largest file a save accepts; default 10 MiB. */
  readonly maxFileBytes?: number;
  /** How long an edit waits for the scope lease before `ScopeBusy`; default 2 s. */
  readonly lockWaitMs?: number;
}

export interface EditWorkspaceDeps {
  readonly files: FileStore;
  readonly metadata: ConnectionRepo & ManifestRepo & LeaseRepo;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly settings: EditWorkspaceSettings;
  /** Waits between lease attempts; defaults to the clock's sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly logger?: Logger;
}

export interface SaveOptions {
  /** Tag the caller last read; the save is refused unless the file still has it ('*' = any existing file). */
  readonly ifMatch?: string;
  /** '*': create only, refuse when a file is already there. */
  readonly ifNoneMatch?: '*';
  /** Unset keeps the current file's bit (a new file is not executable). */
  readonly executable?: boolean;
}

export interface SavedFile {
  readonly created: boolean;
  readonly etag: string;
  readonly size: number;
  readonly lastModified: Date;
}

export interface MoveOptions {
  /** Replace what is at the target (a file by a file, a folder by a folder). */
  readonly overwrite?: boolean;
  /** Tag the moved file must still have. */
  readonly ifMatch?: string;
}

export interface MovedEntry {
  readonly kind: 'file' | 'directory';
  /** Whether something at the target was replaced. */
  readonly replaced: boolean;
}

/**
 * Manual edits of a scope's workspace (docs/design.md §1, manual mode). Every write holds the scope lease,
 * is refused while the scope is connected to GitHub, checks its precondition against the current
 * bytes under that lease, and flags the scope's manifest so the next sync looks at the folder
 * instead of trusting what it last wrote.
 */
export class EditWorkspace {
  private readonly lock: ScopeEditLock;

  constructor(private readonly deps: EditWorkspaceDeps) {
    this.lock = new ScopeEditLock(deps);
  }

  async save(
    scope: Scope,
    path: string,
    content: Uint8Array,
    options: SaveOptions = {},
  ): Promise<WorkspaceResult<SavedFile, FailureCodeOf<typeof SAVE_FILE_FAILURES>>> {
    const { files } = this.deps;
    const target = resolveScopedPath(files, scope, path);
    if (!isScopedPath(target)) return target;
    const maxBytes = this.deps.settings.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    if (content.byteLength > maxBytes) {
      return failed(
        'PayloadTooLarge',
        `'${target.relative}' is ${content.byteLength} bytes; files of at most ${maxBytes} bytes can be saved`,
      );
    }
    return this.write(scope, async () => {
      const existing = await files.stat(target.storePath);
      if (existing?.kind === 'directory') return failed('NotAFile', `'${target.relative}' is a folder, not a file`);
      if (existing === null) {
        if (options.ifMatch !== undefined)
          return failed('PreconditionFailed', `'${target.relative}' does not exist any more`);
        const blocked = await this.fileInTheWay(target);
        if (blocked) return blocked;
      } else {
        if (options.ifNoneMatch === '*') return failed('PreconditionFailed', `'${target.relative}' already exists`);
        const stale = await this.checkTag(target, options.ifMatch);
        if (stale) return stale;
      }
      const executable = files.capabilities.executableBit && (options.executable ?? existing?.executable ?? false);
      const etag = await contentTag(content);
      await this.deps.metadata.markManifestDirty(scope);
      await files.write(target.storePath, content, { executable });
      const written = await files.stat(target.storePath);
      return succeeded({
        created: existing === null,
        etag,
        size: content.byteLength,
        lastModified: written?.modifiedAt ?? this.deps.clock.now(),
      });
    });
  }

  async deleteFile(
    scope: Scope,
    path: string,
    options: { readonly ifMatch?: string } = {},
  ): Promise<WorkspaceResult<void, FailureCodeOf<typeof DELETE_FILE_FAILURES>>> {
    const { files } = this.deps;
    const target = resolveScopedPath(files, scope, path);
    if (!isScopedPath(target)) return target;
    return this.write(scope, async () => {
      const existing = await files.stat(target.storePath);
      if (existing === null) return failed('NotFound', `file '${target.relative}' does not exist`);
      if (existing.kind !== 'file')
        return failed('NotAFile', `'${target.relative}' is a folder; delete it as a folder`);
      const stale = await this.checkTag(target, options.ifMatch);
      if (stale) return stale;
      await this.deps.metadata.markManifestDirty(scope);
      await files.delete(target.storePath);
      return succeeded(undefined);
    });
  }

  /** Creates a folder and its parents; an existing folder is fine (`created: false`). */
  async createFolder(
    scope: Scope,
    path: string,
  ): Promise<WorkspaceResult<{ readonly created: boolean }, FailureCodeOf<typeof CREATE_FOLDER_FAILURES>>> {
    const { files } = this.deps;
    const target = resolveScopedPath(files, scope, path);
    if (!isScopedPath(target)) return target;
    return this.write(scope, async () => {
      const existing = await files.stat(target.storePath);
      if (existing?.kind === 'directory') return succeeded({ created: false });
      if (existing !== null) return failed('AlreadyExists', `a file named '${target.relative}' already exists`);
      const blocked = await this.fileInTheWay(target);
      if (blocked) return blocked;
      await this.deps.metadata.markManifestDirty(scope);
      await files.createDirectory(target.storePath);
      return succeeded({ created: true });
    });
  }

  /** Deletes a folder; one with content only when `recursive`. The scope folder itself cannot go. */
  async deleteFolder(
    scope: Scope,
    path: string,
    options: { readonly recursive?: boolean } = {},
  ): Promise<WorkspaceResult<{ readonly removedFiles: number }, FailureCodeOf<typeof DELETE_FOLDER_FAILURES>>> {
    const { files } = this.deps;
    const target = resolveScopedPath(files, scope, path);
    if (!isScopedPath(target)) {
      return target.reason === 'Empty'
        ? failed('InvalidPath', 'the workspace folder itself cannot be deleted', target.reason)
        : target;
    }
    return this.write(scope, async () => {
      const existing = await files.stat(target.storePath);
      if (existing === null) return failed('NotFound', `folder '${target.relative}' does not exist`);
      if (existing.kind !== 'directory')
        return failed('NotAFolder', `'${target.relative}' is a file; delete it as a file`);
      const inside = await files.list(target.storePath, { recursive: options.recursive === true });
      if (inside.length > 0 && options.recursive !== true) {
        return failed(
          'FolderNotEmpty',
          `folder '${target.relative}' is not empty; delete it recursively to remove its content`,
        );
      }
      await this.deps.metadata.markManifestDirty(scope);
      await files.deleteTree(target.storePath);
      return succeeded({ removedFiles: inside.filter((entry) => entry.kind === 'file').length });
    });
  }

  /** Moves or renames a file or folder inside the scope. */
  async move(
    scope: Scope,
    from: string,
    to: string,
    options: MoveOptions = {},
  ): Promise<WorkspaceResult<MovedEntry, FailureCodeOf<typeof MOVE_FAILURES>>> {
    const { files } = this.deps;
    const source = resolveScopedPath(files, scope, from);
    if (!isScopedPath(source)) return source;
    const target = resolveScopedPath(files, scope, to);
    if (!isScopedPath(target)) return target;
    if (isInside(target.storePath, source.storePath)) {
      return failed(
        'InvalidPath',
        `'${target.relative}' contains '${source.relative}'; nothing can be moved onto a folder it is in`,
      );
    }
    // On a case-insensitive store 'a.txt' -> 'A.txt' is a rename of one entry, not a collision.
    const sameEntry = files.capabilities.caseSensitive
      ? source.storePath === target.storePath
      : source.storePath.toLowerCase() === target.storePath.toLowerCase();
    return this.write(scope, async () => {
      const moving = await files.stat(source.storePath);
      if (moving === null) return failed('NotFound', `'${source.relative}' does not exist`);
      if (isInside(source.storePath, target.storePath)) {
        return moving.kind === 'directory'
          ? failed('InvalidPath', `folder '${source.relative}' cannot be moved into itself ('${target.relative}')`)
          : failed('NotAFolder', `'${source.relative}' is a file, so '${target.relative}' cannot be inside it`);
      }
      if (options.ifMatch !== undefined && moving.kind !== 'file') {
        return failed('PreconditionFailed', `'${source.relative}' is a folder, which has no tag to match`);
      }
      const stale = await this.checkTag(source, options.ifMatch);
      if (stale) return stale;
      if (source.storePath === target.storePath) return succeeded({ kind: moving.kind, replaced: false });

      const replacing = sameEntry ? null : await files.stat(target.storePath);
      if (replacing !== null) {
        if (options.overwrite !== true) return failed('AlreadyExists', `'${target.relative}' already exists`);
        const refusal = kindMismatch(moving, replacing, target.relative);
        if (refusal) return refusal;
      } else {
        const blocked = await this.fileInTheWay(target);
        if (blocked) return blocked;
      }
      await this.deps.metadata.markManifestDirty(scope);
      // A file replaces a file atomically; a folder is replaced by clearing the old one first.
      if (replacing?.kind === 'directory') await files.deleteTree(target.storePath);
      await files.rename(source.storePath, target.storePath);
      return succeeded({ kind: moving.kind, replaced: replacing !== null });
    });
  }

  /**
   * The common frame of every write: refuse a GitHub-managed scope early (so a waiting edit does
   * not keep a running sync busy), take the lease, and check again under it, because a connect
   * that happened meanwhile must win over the edit.
   */
  private async write<R extends WorkspaceResult<unknown>>(
    scope: Scope,
    work: () => Promise<R>,
  ): Promise<R | WorkspaceFailure<WriteFrameCode>> {
    const managed = await this.managedByGitHub(scope);
    if (managed) return managed;
    return this.lock.run(scope, async () => (await this.managedByGitHub(scope)) ?? refusingLinks(work));
  }

  private async managedByGitHub(scope: Scope): Promise<WorkspaceFailure<'GitHubSyncEnabled'> | null> {
    const connection = await this.deps.metadata.getConnection(scope);
    if (connection === null) return null;
    return failed(
      'GitHubSyncEnabled',
      `scope ${scope} is synced from GitHub (${connection.repository}, branch ${connection.branch}); ` +
        'change its files there, or disconnect it to edit them here',
    );
  }

  /** `PreconditionFailed` unless the file at `path` still has the tag the caller sent. */
  private async checkTag(
    path: ScopedPath,
    ifMatch: string | undefined,
  ): Promise<WorkspaceFailure<'PreconditionFailed'> | null> {
    if (ifMatch === undefined || ifMatch.trim() === '*') {
      return null;
    }
    const current = await this.deps.files.read(path.storePath);
    if (current === null) return failed('PreconditionFailed', `'${path.relative}' does not exist any more`);
    if (tagMatches(ifMatch, await contentTag(current))) return null;
    return failed(
      'PreconditionFailed',
      `'${path.relative}' was changed since it was read; reload it and apply the change again`,
    );
  }

  /**
   * `NotAFolder` when a file sits where a parent folder of `path` would have to be. Walks up from
   * the parent only until something exists, and never above the scope folder.
   */
  private async fileInTheWay(path: ScopedPath): Promise<WorkspaceFailure<'NotAFolder'> | null> {
    const segments = path.relative.split('/');
    for (let depth = segments.length - 1; depth >= 0; depth -= 1) {
      const ancestor = segments.slice(0, depth).join('/');
      const entry = await this.deps.files.stat(joinScopePath(path.folder, ancestor));
      if (entry === null) continue;
      if (entry.kind === 'directory') return null;
      return failed(
        'NotAFolder',
        ancestor === ''
          ? 'the workspace folder is a file'
          : `'${ancestor}' is a file, so '${path.relative}' cannot be inside it`,
      );
    }
    return null;
  }
}

/**
 * A symbolic link planted on the volume is never followed: the store refuses a change through one.
 * For the editor that is a folder that is not a folder (links are invisible in listings).
 */
async function refusingLinks<R extends WorkspaceResult<unknown>>(
  work: () => Promise<R>,
): Promise<R | WorkspaceFailure<'NotAFolder'>> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof FileStoreError && error.code === 'SymbolicLink') return failed('NotAFolder', error.message);
    throw error;
  }
}

function kindMismatch(
  moving: FileEntry,
  replacing: FileEntry,
  target: string,
): WorkspaceFailure<'NotAFile' | 'NotAFolder'> | null {
  if (moving.kind === replacing.kind) return null;
  return replacing.kind === 'directory'
    ? failed('NotAFile', `'${target}' is a folder; a file cannot replace it`)
    : failed('NotAFolder', `'${target}' is a file; a folder cannot replace it`);
}
