import type { Clock } from '../../ports/Clock';
import type { DeliveryRepo } from '../../ports/DeliveryRepo';
import type { Logger } from '../../ports/Logger';
import type { SyncRunRepo } from '../../ports/SyncRunRepo';
import { type RetrySettings, retryDelayMs } from './RetryPolicy';
import type { Settlement } from './Settlement';
import type { SyncCommand } from './SyncCommand';
import { describeFailure } from './SyncFailure';
import type { QueueOutcome, SyncRun } from './SyncRun';
import type { SyncWorkspace, SyncWorkspaceResult } from './SyncWorkspace';

/** The queue's facts about one delivery of a command. */
export interface CommandDelivery {
  readonly messageId: string;
  /** 1 for the first delivery; more when the queue handed the same message out again. */
  readonly deliveryCount: number;
}

/**
 * The worker's decision for one delivered command: run the sync, then complete, retry later with
 * back-off, or dead-letter with a reason; the decision is written on the run record. A dead-letter
 * decision is also recorded under the message id: a host that can only abandon (the Functions
 * trigger) gets the message back at once, and that redelivery is settled from the record, without
 * another sync.
 */
export class ProcessSyncCommand {
  constructor(
    private readonly deps: {
      readonly sync: SyncWorkspace;
      readonly metadata: SyncRunRepo & DeliveryRepo;
      readonly clock: Clock;
      readonly logger: Logger;
      readonly retry: RetrySettings;
      readonly random?: () => number;
    },
  ) {}

  async execute(command: SyncCommand, delivery?: CommandDelivery): Promise<Settlement> {
    const earlier = delivery && delivery.deliveryCount > 1 ? await this.earlierDeadLetter(delivery.messageId) : null;
    if (earlier) return earlier;
    let result: SyncWorkspaceResult;
    try {
      result = await this.deps.sync.execute(command);
    } catch (error) {
      // Thrown before a run could record it (storage down at the lease, or a bug): decided the same
      // way, so a bug is dead-lettered at once rather than redelivered until MaxDeliveryCount.
      const failure = describeFailure(error);
      this.deps.logger.error(
        { scope: command.scope, code: failure.code, error: failure.message },
        'sync could not run',
      );
      result = { kind: 'failed', runs: [], error: failure };
    }
    const settlement = this.decide(command, result);
    if (result.kind === 'failed' && settlement.kind !== 'complete') {
      await this.recordOutcome(result.runs.at(-1), command, settlement);
    }
    if (delivery && settlement.kind === 'dead-letter') await this.recordDeadLetter(delivery.messageId, settlement);
    return settlement;
  }

  /** The dead-letter decision an earlier delivery of this message reached, if any. */
  private async earlierDeadLetter(messageId: string): Promise<Settlement | null> {
    try {
      const decision = await this.deps.metadata.getDeadLetterDecision(messageId);
      if (!decision) return null;
      this.deps.logger.info(
        { messageId, reason: decision.reason },
        'redelivered message was already dead-lettered: settled again without a sync',
      );
      return { kind: 'dead-letter', reason: decision.reason, description: decision.description };
    } catch (error) {
      // Not knowing is no reason to fail the delivery: sync as for a first delivery.
      this.deps.logger.warn(
        { messageId, error: errorText(error) },
        'could not read the dead-letter decision of a redelivered message',
      );
      return null;
    }
  }

  private async recordDeadLetter(
    messageId: string,
    settlement: Extract<Settlement, { kind: 'dead-letter' }>,
  ): Promise<void> {
    try {
      await this.deps.metadata.recordDeadLetterDecision(messageId, {
        reason: settlement.reason,
        description: settlement.description,
        at: this.deps.clock.now(),
      });
    } catch (error) {
      // Without the record a redelivery syncs once more and decides again: log and go on.
      this.deps.logger.warn({ messageId, error: errorText(error) }, 'could not record the dead-letter decision');
    }
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
          return {
            kind: 'dead-letter',
            reason: 'SyncRetriesExhausted',
            description: `after ${attempt} attempts, last error ${description}`,
          };
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

  private async recordOutcome(
    run: SyncRun | undefined,
    command: SyncCommand,
    settlement: Exclude<Settlement, { kind: 'complete' }>,
  ): Promise<void> {
    if (!run) return;
    const queueOutcome: QueueOutcome =
      settlement.kind === 'retry'
        ? {
            action: 'retry-scheduled',
            attempt: command.attempt ?? 1,
            reason: settlement.reason,
            retryAt: settlement.notBefore.toISOString(),
          }
        : { action: 'dead-lettered', attempt: command.attempt ?? 1, reason: settlement.reason };
    try {
      await this.deps.metadata.saveRun({ ...run, queueOutcome });
    } catch (error) {
      // The settlement matters more than its note on the run: log and go on.
      this.deps.logger.warn(
        { runId: run.id, error: errorText(error) },
        'could not record the queue outcome on the run',
      );
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
