import { Fault } from '../../ports/Fault';
import type { SyncRunError } from './SyncRun';

/** An expected reason a sync cannot proceed, decided by the domain (not a fault of a dependency). */
export type SyncFailureCode = 'TokenMissing' | 'BranchNotFound' | 'EmptySource' | 'LeaseLost';

const PERMANENT_MESSAGES: Record<SyncFailureCode, string> = {
  TokenMissing: 'the connection token is not in the secret store',
  BranchNotFound: 'the branch does not exist on GitHub',
  EmptySource: 'the source tree has no files: refusing to delete the scope folder',
  LeaseLost: 'another worker took over the scope during the run',
};

export class SyncFailure extends Fault<SyncFailureCode> {
  constructor(code: SyncFailureCode, message: string = PERMANENT_MESSAGES[code], retryable = code === 'LeaseLost') {
    super(code, message, { retryable });
    this.name = 'SyncFailure';
  }
}

/** The code of anything thrown that is not a Fault: a bug, which no retry can mend. */
const UNEXPECTED_ERROR = 'UnexpectedError';

/**
 * Turns anything thrown during a run into the run's error record, keeping only safe fields. Faults
 * say whether they are retryable; anything else is a bug and is not retried, so it reaches a dead
 * letter at once, named as unexpected, instead of running the same bug five times.
 */
export function describeFailure(error: unknown): SyncRunError & { retryAfterMs?: number } {
  if (error instanceof Fault) {
    const { code, message, retryable, retryAfterMs } = error;
    return { code, message, retryable, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { code: UNEXPECTED_ERROR, message: `unexpected error (a bug, not retried): ${message}`, retryable: false };
}
