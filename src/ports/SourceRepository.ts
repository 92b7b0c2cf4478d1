/** Git modes as GitHub reports them in trees. */
export type GitMode = '100644' | '100755' | '120000' | '160000' | '040000';

/** One entry of a commit's tree, path relative to the tree root (or to the requested sub-path). */
export interface SourceTreeEntry {
  readonly path: string;
  readonly mode: GitMode;
  readonly type: 'blob' | 'tree' | 'commit';
  /** git object SHA (blob SHA for files, commit SHA for submodules). */
  readonly sha: string;
  /** Size in bytes; blobs only. */
  readonly size?: number;
}

/** A complete tree: adapters walk truncated trees or throw `SourceError('TreeIncomplete')`. */
export interface SourceTree {
  readonly commitSha: string;
  readonly entries: readonly SourceTreeEntry[];
}

/** One regular file out of a commit archive; paths are relative to the repository root. */
export interface ArchiveFile {
  readonly path: string;
  readonly executable: boolean;
  readonly content: Uint8Array;
}

export type SourceErrorCode =
  | 'Unauthorized' // token missing, revoked or lacking access: permanent
  | 'NotFound' // repository, branch or object gone: permanent
  | 'RateLimited' // primary or secondary rate limit: retryable, see retryAfterMs
  | 'TreeIncomplete' // truncated tree that could not be walked: retryable
  | 'Unavailable'; // 5xx, network failure, reset: retryable

/** A fault talking to the source. `retryable` tells the worker whether to try again later. */
export class SourceError extends Error {
  readonly retryable: boolean;
  constructor(
    readonly code: SourceErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'SourceError';
    this.retryable = code === 'RateLimited' || code === 'TreeIncomplete' || code === 'Unavailable';
  }
}

/** Where to read from: `owner/name` and the credential to use. */
export interface SourceLocation {
  readonly repository: string;
  readonly token: string;
}

/** Read-only view of one GitHub repository. */
export interface SourceRepository {
  /** GitHub API requests made through this object so far (redirect hops not counted). */
  readonly requestCount: number;
  /** Commit SHA at the head of `branch`, or null when the branch does not exist. */
  branchHead(branch: string): Promise<string | null>;
  /**
   * Full recursive tree of `commitSha`, restricted to `subPath` (entries re-rooted under it) when
   * given. Never returns a partial tree.
   */
  tree(commitSha: string, subPath?: string): Promise<SourceTree>;
  /** Raw bytes of a blob. */
  blob(sha: string): Promise<Uint8Array>;
  /** Regular files of the commit's archive, one at a time, in archive order (one request). */
  archive(commitSha: string): AsyncIterable<ArchiveFile>;
}

/** Opens a SourceRepository for a location; adapters may cache clients per token. */
export interface SourceRepositoryFactory {
  open(location: SourceLocation): SourceRepository;
}
