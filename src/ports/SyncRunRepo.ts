import type { Scope } from '../domain/shared/Scope';
import type { SyncRun, SyncRunStatus } from '../domain/sync/SyncRun';
import { Fault } from './Fault';

export interface RunQuery {
  readonly scope?: Scope;
  readonly status?: SyncRunStatus;
  /** 1..100. */
  readonly limit: number;
  /** Opaque token from a previous page; one the store did not give out throws InvalidContinuationTokenError. */
  readonly continuationToken?: string;
}

export interface RunPage {
  /** Newest first. */
  readonly runs: SyncRun[];
  readonly continuationToken?: string;
}

/** Durable sync runs: the history the status and sync-job routes show. */
export interface SyncRunRepo {
  /** Inserts or replaces a run by id. */
  saveRun(run: SyncRun): Promise<void>;
  getRun(id: string): Promise<SyncRun | null>;
  listRuns(query: RunQuery): Promise<RunPage>;
  /**
   * Retention: deletes runs started before `before`, except the newest `keepNewestPerScope` runs of
   * each scope whatever their age (a quiet scope keeps its last syncs). Works in batches; answers how
   * many runs were deleted.
   */
  deleteRunsBefore(before: Date, options: { readonly keepNewestPerScope: number }): Promise<number>;
}

/** `listRuns` was handed a continuation token the store never gave out: the caller's mistake, not retryable. */
export class InvalidContinuationTokenError extends Fault<'InvalidContinuationToken'> {
  constructor() {
    super('InvalidContinuationToken', 'the continuation token is not one this store gave out', { retryable: false });
    this.name = 'InvalidContinuationTokenError';
  }
}
