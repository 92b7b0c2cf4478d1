import { Fault } from './Fault';
import type { FileMove, FolderMoves } from './FileMoves';

/** What a store can and cannot represent; the planner and editors adapt to it. */
export interface FileStoreCapabilities {
  /** Whether the executable bit survives a write. */
  readonly executableBit: boolean;
  /** Whether `A.txt` and `a.txt` are two files. */
  readonly caseSensitive: boolean;
  /** Longest path, in characters, from the store root. */
  readonly maxPathLength: number;
}

export interface FileEntry {
  /** Store-relative POSIX path, no leading or trailing slash. */
  readonly path: string;
  readonly kind: 'file' | 'directory';
  readonly size: number;
  readonly modifiedAt: Date;
  readonly executable: boolean;
}

export type FileContent = Uint8Array | AsyncIterable<Uint8Array>;

export interface WriteOptions {
  readonly executable?: boolean;
  /**
   * A scratch write: a new file that the caller stages under PRIVATE_FOLDER (a sync's staging
   * folder), that nobody reads until the caller moves it into place, and that the caller discards
   * when anything fails. The store may then write in place, without the temp file and rename that
   * make `write` atomic, and check each folder on the way once rather than once per file. A scratch
   * write anywhere else is refused (Conflict): workspace content is always replaced atomically.
   */
  readonly scratch?: boolean;
}

export interface MoveAllOptions {
  readonly beforeEach?: () => Promise<void>;
}

export type { FileMove } from './FileMoves';

/**
 * A tree of files addressed by store-relative POSIX paths (`orgs/42/a/b.py`). Callers pass paths the
 * path policy has accepted. Parent folders are created on write and rename. Faults are thrown as
 * `FileStoreError`.
 *
 * Names in another Unicode normalisation form: a name may be stored in a form other than NFC (macOS
 * tools write NFD), while callers pass NFC paths. When no entry has a segment's exact name and the
 * segment is in NFC, the single entry whose name normalises to it (if exactly one does) stands for
 * it: in reads, stat, list, delete, deleteTree and the source of rename, and entries report the stored
 * name. Writing by the NFC path (write, rename's target, createDirectory) lands in those entries and
 * gives them the NFC name: a single file of another spelling is replaced by the new one, a folder of
 * another spelling on the way is renamed. A segment not in NFC only ever names its exact entry, so a
 * sync that writes the NFC name and then deletes the listed NFD name deletes only the old entry.
 */
export interface FileStore {
  readonly capabilities: FileStoreCapabilities;
  /** Bytes of a file, or null when there is no file at `path`. */
  read(path: string): Promise<Uint8Array | null>;
  /**
   * The bytes of a file as a stream of chunks, or null when there is no file at `path`. The file is
   * opened before this resolves, so the stream shows the content as of that moment even if the file
   * is replaced meanwhile. Iterate it to the end or stop early (break/return) to release it.
   */
  readStream(path: string): Promise<AsyncIterable<Uint8Array> | null>;
  stat(path: string): Promise<FileEntry | null>;
  /** Entries under `dir` ('' = root): direct children, or all descendants when `recursive`. Missing dir = []. */
  list(dir: string, options?: { recursive?: boolean }): Promise<FileEntry[]>;
  /** Atomic: a reader sees the old content or the new, never a mix; on failure the old stays. */
  write(path: string, content: FileContent, options?: WriteOptions): Promise<void>;
  /** Moves a file into place, replacing any file at `to` atomically. */
  rename(from: string, to: string): Promise<void>;
  /**
   * Moves each file as `rename` does (each move atomic, links on the way refused), several at a
   * time, looking at each folder on the way once for the batch instead of once per file. Not
   * atomic as a whole: when it fails, some moves may have happened. No two moves share a target.
   * `beforeEach` runs before each move starts (a lease check); when it throws, no further move
   * starts, and the moves already running finish before `moveAll` fails with that error.
   * The batch is a list of moves, or the same paths moved from one folder to another (FolderMoves).
   */
  moveAll(moves: readonly FileMove[] | FolderMoves, options?: MoveAllOptions): Promise<void>;
  /** Deletes a file; a missing file is not an error. */
  delete(path: string): Promise<void>;
  createDirectory(path: string): Promise<void>;
  /** Deletes a folder and everything in it; missing is not an error. */
  deleteTree(path: string): Promise<void>;
  /** Removes `dir` if it is empty, then each parent up to (excluding) `stopAt` while empty. */
  pruneEmptyDirectories(dir: string, stopAt: string): Promise<void>;
}

/**
 * The service's own folder at the store root (temp files, staging, backups). It is never workspace
 * content: whole-store listings of the local volume hide it, and archives of the whole store skip it.
 */
export const PRIVATE_FOLDER = '.workspace-sync';

/** Whether a store path lies inside PRIVATE_FOLDER (compared case-insensitively, as on SMB). */
export function isPrivatePath(storePath: string): boolean {
  const segments = storePath.split('/').filter((segment) => segment !== '' && segment !== '.');
  const [first, ...rest] = segments;
  return rest.length > 0 && first?.toLowerCase() === PRIVATE_FOLDER && !segments.includes('..');
}

/**
 * `SymbolicLink`: the path runs through a symbolic link (or, for createDirectory, names one) on a
 * store that has them. Links are never followed: lookups treat a path through one as missing, and
 * changes through one are refused with this code, so a planted link cannot lead outside a scope.
 */
export type FileStoreErrorCode = 'NotFound' | 'Conflict' | 'ReadOnly' | 'Unavailable' | 'SymbolicLink';

/** A file store fault; only `Unavailable` is retryable. */
export class FileStoreError extends Fault<FileStoreErrorCode> {
  constructor(code: FileStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, { retryable: code === 'Unavailable', cause: options?.cause });
    this.name = 'FileStoreError';
  }
}
