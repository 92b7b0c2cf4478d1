import type { ServiceBusMessage, ServiceBusReceivedMessage } from '@azure/service-bus';
import { commandMessageId, readSyncCommand, type SyncCommand } from '../../domain/sync/SyncCommand';
import type { DeadLetter, SendOptions } from '../../ports/CommandQueue';

/** A command as a Service Bus message: JSON body, id for duplicate detection, routing facts as properties. */
export async function toMessage(command: SyncCommand, options: SendOptions = {}): Promise<ServiceBusMessage> {
  return {
    body: command,
    contentType: 'application/json',
    messageId: await commandMessageId(command),
    subject: `sync:${command.scope}`,
    applicationProperties: {
      scope: command.scope,
      trigger: command.trigger,
      attempt: command.attempt ?? 1,
      ...(options.replayOf ? { replayOf: options.replayOf } : {}),
    },
    ...(options.scheduledAt ? { scheduledEnqueueTimeUtc: options.scheduledAt } : {}),
  };
}

export function toDeadLetter(message: ServiceBusReceivedMessage): DeadLetter {
  return {
    messageId: String(message.messageId ?? ''),
    reason: message.deadLetterReason ?? 'Unknown',
    description: message.deadLetterErrorDescription ?? '',
    enqueuedAt: message.enqueuedTimeUtc ?? new Date(0),
    deliveryCount: message.deliveryCount ?? 0,
    command: readSyncCommand(message.body),
  };
}
