import type { Clock } from '../ports/Clock';
import type { Logger } from '../ports/Logger';
import type { MetadataRepo } from '../ports/MetadataRepo';
import { retryDelayMs, type RetrySettings } from './RetryPolicy';
import type { Settlement } from './Settlement';
import type { SyncCommand } from './SyncCommand';
import type { QueueOutcome, SyncRun } from './SyncRun';
import type { SyncWorkspace, SyncWorkspaceResult } from './SyncWorkspace';

/**
 * The worker's decision for one delivered command: run the sync, then complete, retry later with
 * back-off, or dead-letter with a reason; the decision is written on the run record.
 */
export class ProcessSyncCommand {
  constructor(
    private readonly deps: {
      readonly sync: SyncWorkspace;
      readonly metadata: MetadataRepo;
      readonly clock: Clock;
      readonly logger: Logger;
      readonly retry: RetrySettings;
      readonly random?: () => number;
    },
  ) {}

  async execute(command: SyncCommand): Promise<Settlement> {
    const result = await this.deps.sync.execute(command);
    const settlement = this.decide(command, result);
    if (result.kind === 'failed' && settlement.kind !== 'complete') {
      await this.recordOutcome(result.runs.at(-1), command, settlement);
    }
    return settlement;
  }

  private decide(command: SyncCommand, result: SyncWorkspaceResult): Settlement {
    switch (result.kind) {
      case 'completed':
      case 'coalesced':
        return { kind: 'complete' };
      case 'skipped':
        return result.reason === 'NoConnection'
          ? { kind: 'dead-letter', reason: 'UnknownScope', description: `no connection for scope ${command.scope}` }
          : { kind: 'complete' }; // a disabled connection asked for nothing
      case 'failed': {
        const { error } = result;
        const description = `${error.code}: ${error.message}`;
        if (!error.retryable) return { kind: 'dead-letter', reason: error.code, description };
        const attempt = command.attempt ?? 1;
        if (attempt >= this.deps.retry.maxAttempts) {
          return { kind: 'dead-letter', reason: 'SyncRetriesExhausted', description: `after ${attempt} attempts, last error ${description}` };
        }
        const delay = retryDelayMs(attempt, this.deps.retry, error.retryAfterMs, this.deps.random);
        return {
          kind: 'retry',
          command: { ...command, attempt: attempt + 1 },
          notBefore: new Date(this.deps.clock.now().getTime() + delay),
          reason: error.code,
        };
      }
    }
  }

  private async recordOutcome(run: SyncRun | undefined, command: SyncCommand, settlement: Exclude<Settlement, { kind: 'complete' }>): Promise<void> {
    if (!run) return;
    const queueOutcome: QueueOutcome =
      settlement.kind === 'retry'
        ? { action: 'retry-scheduled', attempt: command.attempt ?? 1, reason: settlement.reason, retryAt: settlement.notBefore.toISOString() }
        : { action: 'dead-lettered', attempt: command.attempt ?? 1, reason: settlement.reason };
    try {
      await this.deps.metadata.saveRun({ ...run, queueOutcome });
    } catch (error) {
      // The settlement matters more than its note on the run: log and go on.
      this.deps.logger.warn({ runId: run.id, error: error instanceof Error ? error.message : String(error) }, 'could not record the queue outcome on the run');
    }
  }
}
