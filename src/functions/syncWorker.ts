import type { InvocationContext } from '@azure/functions';
import type { ProcessSyncCommand } from '../domain/sync/ProcessSyncCommand';
import type { Settlement } from '../domain/sync/Settlement';
import { parseSyncCommand } from '../domain/sync/SyncCommand';
import { TYPES } from '../host/identifiers';
import type { CommandQueue } from '../ports/CommandQueue';
import type { Logger } from '../ports/Logger';
import type { QueueFunctionDefinition } from './definitions';

/**
 * Validates one queue message and decides its fate through ProcessSyncCommand. The settlement is
 * applied by whoever delivered the message (the in-process queue, the Service Bus consumer of the
 * local host, or `settleInFunctionsHost` under the Functions host).
 */
export function makeSyncWorkerHandler(deps: { process: ProcessSyncCommand; logger: Logger }) {
  return async (message: unknown, context: InvocationContext): Promise<Settlement> => {
    const metadata = context.triggerMetadata ?? {};
    const log = deps.logger.child({
      invocationId: context.invocationId,
      messageId: metadata.messageId,
      deliveryCount: metadata.deliveryCount,
    });
    const parsed = parseSyncCommand(message);
    if (!parsed.ok) {
      log.error({ problems: parsed.problems }, 'malformed sync command: dead-lettered');
      return { kind: 'dead-letter', reason: 'MalformedCommand', description: parsed.problems.slice(0, 1000) };
    }
    const command = parsed.command;
    const delivery =
      typeof metadata.messageId === 'string'
        ? { messageId: metadata.messageId, deliveryCount: Number(metadata.deliveryCount ?? 1) }
        : undefined;
    const settlement = await deps.process.execute(command, delivery);
    const fields = {
      scope: command.scope,
      trigger: command.trigger,
      deliveryId: command.deliveryId,
      attempt: command.attempt ?? 1,
    };
    if (settlement.kind === 'complete') log.info(fields, 'sync command done');
    else if (settlement.kind === 'retry')
      log.warn(
        { ...fields, reason: settlement.reason, retryAt: settlement.notBefore.toISOString() },
        'sync failed: retry scheduled',
      );
    else
      log.error(
        { ...fields, reason: settlement.reason, description: settlement.description },
        'sync command dead-lettered',
      );
    return settlement;
  };
}

/**
 * Under the Functions host the trigger completes a message when the handler returns and abandons
 * it when it throws. A retry is a new scheduled message, so returning completes the original; a
 * dead-letter with our own reason needs message settlement from the function (see README), so
 * until that binding is in place the handler throws and Service Bus dead-letters the message past
 * MaxDeliveryCount, with our reason in the exception logged by the host. Each of those immediate
 * redeliveries finds the decision ProcessSyncCommand recorded and throws again without a sync.
 */
async function settleInFunctionsHost(settlement: Settlement, queue: CommandQueue): Promise<void> {
  switch (settlement.kind) {
    case 'complete':
      return;
    case 'retry':
      await queue.send(settlement.command, { scheduledAt: settlement.notBefore });
      return;
    case 'dead-letter':
      throw new Error(`${settlement.reason}: ${settlement.description}`);
  }
}

/** The worker as the Functions host runs it, on the queue SYNC_QUEUE_NAME names (bound in src/host/functionsApp.ts). */
export const syncWorkerFunction: QueueFunctionDefinition = {
  name: 'syncWorker',
  build: (container) => {
    const handle = makeSyncWorkerHandler({
      process: container.get(TYPES.ProcessSyncCommand),
      logger: container.get(TYPES.Logger),
    });
    const queue = container.get(TYPES.CommandQueue);
    return async (message, context) => {
      const settlement = await handle(message, context);
      await settleInFunctionsHost(settlement, queue);
    };
  },
};
