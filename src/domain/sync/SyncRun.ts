import type { Scope } from '../shared/Scope';
import type { SyncTrigger } from './SyncCommand';

export type SyncRunStatus = 'running' | 'succeeded' | 'noop' | 'failed';

/** A tree entry the sync did not write as a regular file, and why. */
export interface SkippedEntry {
  readonly path: string;
  readonly reason: string;
}

export interface SyncRunCounts {
  readonly written: number;
  readonly deleted: number;
  readonly unchanged: number;
  readonly skipped: number;
  readonly bytesWritten: number;
  /**
   * Set when the run read the commit's archive: how many files there were not their blob
   * (export-subst, a filter, LFS) and were fetched one by one through the blob API instead.
   */
  readonly archiveFallbacks?: number;
}

export interface SyncRunError {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
}

/** One attempt at bringing a scope up to date. */
export interface SyncRun {
  readonly id: string;
  readonly scope: Scope;
  readonly trigger: SyncTrigger;
  readonly deliveryId: string;
  readonly status: SyncRunStatus;
  readonly startedAt: Date;
  readonly finishedAt?: Date;
  /** Commit the folder was at before the run, when known. */
  readonly fromCommit?: string;
  /** Commit the run synced to. */
  readonly commitSha?: string;
  readonly counts: SyncRunCounts;
  readonly skipped: readonly SkippedEntry[];
  /** Git LFS pointer files written as they are (the content lives in LFS storage). */
  readonly lfsPointers: readonly string[];
  /** GitHub requests the run made (head, tree, blobs, archive). */
  readonly sourceRequests: number;
  readonly error?: SyncRunError;
  /** What the worker did with the command after a failed run (retry later, or dead-letter). */
  readonly queueOutcome?: QueueOutcome;
  /** Backup of the scope taken before this run replaced or deleted files edited by hand. */
  readonly backupId?: string;
}

export interface QueueOutcome {
  readonly action: 'retry-scheduled' | 'dead-lettered';
  /** The attempt this run was (1 = first delivery). */
  readonly attempt: number;
  /** Dead-letter reason, or why a retry was scheduled. */
  readonly reason: string;
  /** When the retry is due. */
  readonly retryAt?: string;
}

export const ZERO_COUNTS: SyncRunCounts = { written: 0, deleted: 0, unchanged: 0, skipped: 0, bytesWritten: 0 };
