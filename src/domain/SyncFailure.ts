import type { SyncRunError } from './SyncRun';

/** An expected reason a sync cannot proceed, decided by the domain (not a fault of a dependency). */
export type SyncFailureCode =
  | 'TokenMissing'
  | 'BranchNotFound'
  | 'EmptySource'
  | 'LeaseLost';

const PERMANENT_MESSAGES: Record<SyncFailureCode, string> = {
  TokenMissing: 'the connection token is not in the secret store',
  BranchNotFound: 'the branch does not exist on GitHub',
  EmptySource: 'the source tree has no files: refusing to delete the scope folder',
  LeaseLost: 'another worker took over the scope during the run',
};

export class SyncFailure extends Error {
  constructor(
    readonly code: SyncFailureCode,
    message: string = PERMANENT_MESSAGES[code],
    readonly retryable = code === 'LeaseLost',
  ) {
    super(message);
    this.name = 'SyncFailure';
  }
}

/** Turns anything thrown during a run into the run's error record, keeping only safe fields. */
export function describeFailure(error: unknown): SyncRunError & { retryAfterMs?: number } {
  if (error instanceof Error) {
    const coded = error as Error & { code?: unknown; retryable?: unknown; retryAfterMs?: unknown };
    const code = typeof coded.code === 'string' ? coded.code : error.name || 'Error';
    const retryable = typeof coded.retryable === 'boolean' ? coded.retryable : true;
    const retryAfterMs = typeof coded.retryAfterMs === 'number' ? coded.retryAfterMs : undefined;
    return { code, message: error.message, retryable, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  return { code: 'Unknown', message: String(error), retryable: true };
}
