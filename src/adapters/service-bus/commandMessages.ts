import type { ServiceBusMessage, ServiceBusReceivedMessage } from '@azure/service-bus';
import { SYNC_TRIGGERS, type SyncCommand, type SyncTrigger } from '../../domain/SyncCommand';
import type { DeadLetter, SendOptions } from '../../ports/CommandQueue';

/** A command as a Service Bus message: JSON body, id for duplicate detection, routing facts as properties. */
export function toMessage(command: SyncCommand, options: SendOptions = {}): ServiceBusMessage {
  return {
    body: command,
    contentType: 'application/json',
    messageId: options.messageId ?? command.deliveryId,
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

/** The command in a received body, when it has a command's shape (the worker validates fully). */
export function commandOf(body: unknown): SyncCommand | null {
  let value = body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    try {
      value = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
    } catch {
      return null;
    }
  }
  if (typeof value !== 'object' || value === null) return null;
  const { scope, trigger, deliveryId } = value as Record<string, unknown>;
  return typeof scope === 'string' && typeof deliveryId === 'string' && SYNC_TRIGGERS.includes(trigger as SyncTrigger) ? (value as SyncCommand) : null;
}

export function toDeadLetter(message: ServiceBusReceivedMessage): DeadLetter {
  return {
    messageId: String(message.messageId ?? ''),
    reason: message.deadLetterReason ?? 'Unknown',
    description: message.deadLetterErrorDescription ?? '',
    enqueuedAt: message.enqueuedTimeUtc ?? new Date(0),
    deliveryCount: message.deliveryCount ?? 0,
    command: commandOf(message.body),
  };
}
