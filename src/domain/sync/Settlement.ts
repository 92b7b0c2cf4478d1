import type { SyncCommand } from './SyncCommand';

/**
 * What to do with a delivered command once the worker is done with it. Queue adapters apply it:
 * `retry` sends `command` again (a new message under `commandMessageId(command)`, distinct per
 * attempt, due at `notBefore`) and completes the delivery;
 * `dead-letter` moves the delivery to the dead-letter queue with a reason a person can read.
 */
export type Settlement =
  | { readonly kind: 'complete' }
  | { readonly kind: 'retry'; readonly command: SyncCommand; readonly notBefore: Date; readonly reason: string }
  | { readonly kind: 'dead-letter'; readonly reason: DeadLetterReason; readonly description: string };

/**
 * `SyncRetriesExhausted`: a retryable fault persisted through every attempt. `MalformedCommand`: the
 * body is not a sync command. `UnexpectedError`: something that is not a Fault was thrown (a bug),
 * never retried. Other reasons name the permanent fault (`Unauthorized`, `NotFound`,
 * `BranchNotFound`, `TokenMissing`, `EmptySource`, `UnknownScope`).
 */
type DeadLetterReason = 'SyncRetriesExhausted' | 'MalformedCommand' | 'UnknownScope' | (string & {});
