import { randomUUID } from 'node:crypto';
import type { Message } from 'rhea';
import { types as amqpTypes } from 'rhea';
import type { SubQueueName } from './entityAddress';

/** Message annotations Service Bus stamps on what it hands out (names from the service's AMQP guide). */
const annotations = {
  sequenceNumber: 'x-opt-sequence-number',
  enqueueSequenceNumber: 'x-opt-enqueue-sequence-number',
  enqueuedTime: 'x-opt-enqueued-time',
  lockedUntil: 'x-opt-locked-until',
  scheduledEnqueueTime: 'x-opt-scheduled-enqueue-time',
  messageState: 'x-opt-message-state',
} as const;

/** `x-opt-message-state` values: the SDK maps 1 to deferred and 2 to scheduled. */
const messageStates = { active: 0, scheduled: 2 } as const;

interface MessageLock {
  readonly token: string;
  lockedUntil: number;
  timer: NodeJS.Timeout;
}

/** One message held by a queue, in its main queue or its dead-letter sub-queue. */
export interface StoredMessage {
  readonly sequenceNumber: number;
  /** The AMQP message as the sender sent it (plus an assigned message-id); settlements may add application properties. */
  message: Message;
  location: SubQueueName;
  enqueuedAt: number;
  /** Set while the message waits for its scheduled enqueue time. */
  scheduled: { readonly at: number; readonly timer: NodeJS.Timeout } | undefined;
  /** Failed delivery attempts so far (abandon or lock expiry); sent in the header's delivery-count. */
  deliveryCount: number;
  lock: MessageLock | undefined;
}

/** The service assigns a Guid in "N" format when the sender gave no message-id. */
export function ensureMessageId(message: Message): Message {
  if (message.message_id !== undefined && message.message_id !== null) return message;
  return { ...message, message_id: randomUUID().replace(/-/g, '') };
}

/** Duplicate detection compares MessageIds; ids may be strings, numbers, uuids or binary. */
export function messageIdKey(message: Message): string {
  const id: unknown = message.message_id;
  if (Buffer.isBuffer(id)) return `b:${id.toString('hex')}`;
  return `s:${String(id)}`;
}

/** The scheduled enqueue time a sender put on the message, if any (a Date or epoch milliseconds). */
export function scheduledEnqueueTime(message: Message): number | undefined {
  const raw: unknown = (message.message_annotations as Record<string, unknown> | undefined)?.[
    annotations.scheduledEnqueueTime
  ];
  if (raw instanceof Date) return raw.getTime();
  if (typeof raw === 'number') return raw;
  return undefined;
}

/** Adds properties to the message's application properties, skipping empty values (null/undefined). */
export function withApplicationProperties(message: Message, extra: Record<string, unknown>): Message {
  const merged: Record<string, unknown> = {
    ...(message.application_properties as Record<string, unknown> | undefined),
  };
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined && value !== null) merged[key] = value;
  }
  return { ...message, application_properties: merged };
}

/**
 * The message as the service hands it out: the sender's message with the delivery count in the
 * header and the service's annotations (sequence number, enqueued time, lock expiry, state).
 */
export function toOutgoingMessage(stored: StoredMessage): Message {
  const messageAnnotations: Record<string, unknown> = {
    ...(stored.message.message_annotations as Record<string, unknown> | undefined),
    [annotations.sequenceNumber]: amqpTypes.wrap_long(stored.sequenceNumber),
    [annotations.enqueueSequenceNumber]: amqpTypes.wrap_long(stored.sequenceNumber),
    [annotations.enqueuedTime]: new Date(stored.enqueuedAt),
    [annotations.messageState]: amqpTypes.wrap_int(
      stored.scheduled === undefined ? messageStates.active : messageStates.scheduled,
    ),
  };
  if (stored.lock !== undefined) {
    messageAnnotations[annotations.lockedUntil] = new Date(stored.lock.lockedUntil);
  }
  return { ...stored.message, delivery_count: stored.deliveryCount, message_annotations: messageAnnotations };
}
