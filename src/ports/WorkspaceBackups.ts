import type { Scope } from '../domain/shared/Scope';

export interface BackupInfo {
  /** Opaque; only letters, digits, '.', '-' and '_', so it fits a URL path segment and a file name. */
  readonly id: string;
  readonly scope: Scope;
  readonly createdAt: Date;
  /** Why it was taken, as the caller said (free text). */
  readonly reason: string;
  /** Bytes of the archive. */
  readonly size: number;
}

export interface OpenedBackup {
  readonly info: BackupInfo;
  /** The archive (a zip of the scope's folder, its contents at the root). Read it once. */
  readonly content: AsyncIterable<Uint8Array>;
}

/**
 * Point-in-time copies of a scope's folder. A backup is listed only once it is whole: a create that
 * fails or is cut short leaves nothing visible. Faults are thrown.
 */
export interface WorkspaceBackups {
  /** Archives the scope's folder as it is now and keeps the archive; a missing folder gives an empty one. */
  create(scope: Scope, reason: string): Promise<BackupInfo>;
  /** Every backup (of `scope` when given), newest first. */
  list(scope?: Scope): Promise<BackupInfo[]>;
  /** A backup and its archive, or null when there is none with that id (a malformed id included). */
  open(id: string): Promise<OpenedBackup | null>;
}
