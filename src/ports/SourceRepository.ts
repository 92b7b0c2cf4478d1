import { Fault } from './Fault';

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
  /** SHA of the tree object the entries are relative to: the root tree, or the sub-path's folder. */
  readonly treeSha?: string;
  readonly entries: readonly SourceTreeEntry[];
}

/**
 * A tree read before (by any commit, repository or sub-path), with the SHAs of its folders. Git
 * names trees by content, so a folder whose SHA did not change holds exactly what it held then:
 * an adapter may take its entries from here instead of listing it again.
 */
export interface KnownTree {
  readonly treeSha: string;
  /** Every entry, folders ('tree' entries with their SHAs) included, paths relative to the tree. */
  readonly entries: readonly SourceTreeEntry[];
}

/**
 * Bytes of one object, as a stream of chunks. It is checked as it passes: when the bytes are not
 * what was asked for, iteration fails instead of ending, so a consumer that keeps content only
 * once the stream ended (FileStore.write is atomic) never keeps unverified bytes. Chunks are
 * handed over: the source never writes into one again, so a consumer may keep it without a copy.
 * Read it to the end, or stop early (break/return) to release it.
 */
export type SourceBytes = AsyncIterable<Uint8Array>;

/** One regular file out of a commit archive; paths are relative to the repository root. */
export interface ArchiveFile {
  readonly path: string;
  readonly executable: boolean;
  /** Bytes the archive says the entry holds; `content` yields exactly that many or fails. */
  readonly size: number;
  /**
   * The entry's bytes, hashed as git hashes a blob while they pass. When they do not hash to the
   * blob SHA the caller expects for this path, the stream fails with `ArchiveMismatch` after its
   * last chunk: GitHub's archives are `git archive` output, where `export-subst`, `.gitattributes`
   * filters and LFS change bytes. Read it before pulling the next file; pulling the next file
   * skips whatever was not read.
   */
  readonly content: SourceBytes;
}

/**
 * An archive entry whose bytes are not the tree's blob: expected for some files (see ArchiveFile),
 * so the caller fetches that blob instead. Not a fault of the run.
 */
export class ArchiveMismatch extends Fault<'ArchiveMismatch'> {
  constructor(
    readonly path: string,
    readonly expectedSha: string,
    readonly actualSha: string,
  ) {
    super(
      'ArchiveMismatch',
      `archive entry '${path}' hashes to ${actualSha.slice(0, 7)}, not to its blob ${expectedSha.slice(0, 7)} (export-subst, a filter or LFS changed it)`,
      {
        retryable: false,
      },
    );
    this.name = 'ArchiveMismatch';
  }
}

export type SourceErrorCode =
  | 'Unauthorized' // token missing, revoked or lacking access: permanent
  | 'NotFound' // repository, branch or object gone: permanent
  | 'RateLimited' // primary or secondary rate limit: retryable, see retryAfterMs
  | 'TreeIncomplete' // truncated tree that could not be walked: retryable
  | 'Unavailable'; // 5xx, network failure, reset: retryable

/** A fault talking to the source. `retryable` tells the worker whether to try again later. */
export class SourceError extends Fault<SourceErrorCode> {
  constructor(code: SourceErrorCode, message: string, retryAfterMs?: number) {
    const retryable = code === 'RateLimited' || code === 'TreeIncomplete' || code === 'Unavailable';
    super(code, message, { retryable, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
    this.name = 'SourceError';
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
   * given. Never returns a partial tree. With `known`, the same entries (in any order), read by
   * listing only the folders whose SHA differs from `known`'s (an adapter may ignore it).
   */
  tree(commitSha: string, subPath?: string, known?: KnownTree): Promise<SourceTree>;
  /**
   * Raw bytes of a blob of `size` bytes (as its tree lists it), streamed: the request is answered
   * (or rejected: NotFound...) before this resolves; bytes that do not hash to `sha` or are not
   * `size` long fail the stream with a retryable `Unavailable`. A transfer that breaks is resumed
   * where the adapter can, else fails the stream the same way.
   */
  blob(sha: string, size: number): Promise<SourceBytes>;
  /**
   * The regular files of the commit's archive whose repository path `expected` names, one at a
   * time, in archive order (one request), each checked against the blob SHA `expected` gives it
   * (see ArchiveFile). Other entries are skipped unread.
   */
  archive(commitSha: string, expected: ExpectedBlobs): AsyncIterable<ArchiveFile>;
}

/**
 * Repository path -> blob SHA, looked up once per archive entry, when the entry is reached. A Map
 * serves; the sync passes a view of the writes it still wants instead of a copy of them (issue #10:
 * a 50,000-entry Map less in a 50,000-file sync).
 */
export type ExpectedBlobs = Pick<ReadonlyMap<string, string>, 'get'>;

/** Opens a SourceRepository for a location; adapters may cache clients per token. */
export interface SourceRepositoryFactory {
  open(location: SourceLocation): SourceRepository;
}
