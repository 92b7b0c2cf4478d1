import type { InvocationContext } from '@azure/functions';
import type { SyncWorkspace } from '../domain/SyncWorkspace';
import type { Logger } from '../ports/Logger';
import { loadConfig } from '../host/config';
import { TYPES } from '../host/identifiers';
import { registerServiceBusQueueFunction } from './definitions';
import { parseSyncCommand } from './syncCommandSchema';

/** Thrown so the queue redelivers the message later (the Functions host abandons on throw). */
export class RetryableSyncError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RetryableSyncError';
  }
}

export function makeSyncWorkerHandler(deps: { sync: SyncWorkspace; logger: Logger }) {
  return async (message: unknown, context: InvocationContext): Promise<void> => {
    const metadata = context.triggerMetadata ?? {};
    const log = deps.logger.child({ invocationId: context.invocationId, messageId: metadata.messageId, deliveryCount: metadata.deliveryCount });
    const parsed = parseSyncCommand(message);
    if (!parsed.ok) {
      // Redelivering cannot fix a malformed body: log it and let the message complete.
      log.error({ problems: parsed.problems }, 'malformed sync command dropped');
      return;
    }
    const command = parsed.command;
    const result = await deps.sync.execute(command);
    const fields = { scope: command.scope, trigger: command.trigger, deliveryId: command.deliveryId };
    switch (result.kind) {
      case 'completed':
        log.info({ ...fields, runs: result.runs.map((run) => ({ id: run.id, status: run.status, commitSha: run.commitSha })) }, 'sync completed');
        return;
      case 'coalesced':
        log.info({ ...fields, holder: result.holder }, 'scope busy: trigger coalesced into the running sync');
        return;
      case 'skipped':
        log.warn({ ...fields, reason: result.reason }, 'sync skipped');
        return;
      case 'failed':
        if (result.error.retryable) {
          throw new RetryableSyncError(`${result.error.code}: ${result.error.message}`, result.error.code, result.error.retryAfterMs);
        }
        log.error({ ...fields, error: result.error }, 'sync failed permanently; not retried');
        return;
    }
  };
}

export const syncWorkerFunction = registerServiceBusQueueFunction(
  {
    name: 'syncWorker',
    build: (container) => makeSyncWorkerHandler({ sync: container.get(TYPES.SyncWorkspace), logger: container.get(TYPES.Logger) }),
  },
  () => {
    const config = loadConfig();
    return { queueName: config.SYNC_QUEUE_NAME, connection: config.SERVICEBUS_CONNECTION_SETTING };
  },
);
