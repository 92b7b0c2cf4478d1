import { randomUUID } from 'node:crypto';
import type { AmqpErrorFields } from './rheaInternals';

/**
 * AMQP error conditions and descriptions worded like Azure Service Bus, so the SDK maps them to
 * the same `ServiceBusError` codes (MessagingEntityNotFound, MessageLockLost, MessageNotFound).
 */
export const conditions = {
  notFound: 'amqp:not-found',
  notAllowed: 'amqp:not-allowed',
  notImplemented: 'amqp:not-implemented',
  invalidField: 'amqp:invalid-field',
  lockLost: 'com.microsoft:message-lock-lost',
  messageNotFound: 'com.microsoft:message-not-found',
  deadLetter: 'com.microsoft:dead-letter',
  messageSizeExceeded: 'amqp:link:message-size-exceeded',
} as const;

function trackingSuffix(host: string, path: string): string {
  const timestamp = new Date().toISOString().slice(0, 19);
  return `TrackingId:${randomUUID()}_G0, SystemTracker:${host}:Queue:${path}, Timestamp:${timestamp}`;
}

export function entityNotFound(host: string, path: string): AmqpErrorFields {
  return {
    condition: conditions.notFound,
    description:
      `The messaging entity 'sb://${host}/${path}' could not be found. ` +
      `To know more visit https://aka.ms/sbResourceMgrExceptions.  ${trackingSuffix(host, path)}`,
  };
}

export function lockLost(host: string, path: string): AmqpErrorFields {
  return {
    condition: conditions.lockLost,
    description:
      'The lock supplied is invalid. Either the lock expired, or the message has already been removed ' +
      'from the queue. For more information please see https://aka.ms/ServiceBusExceptions . ' +
      `Reference:${randomUUID()}, ${trackingSuffix(host, path)}`,
  };
}

export function sendToDeadLetterNotAllowed(host: string, path: string): AmqpErrorFields {
  return {
    condition: conditions.notAllowed,
    description: `Cannot send to the dead-letter queue '${path}'. ${trackingSuffix(host, path)}`,
  };
}

export function scheduledMessageNotFound(host: string, path: string, sequenceNumber: number): AmqpErrorFields {
  return {
    condition: conditions.messageNotFound,
    description: `The scheduled message with sequence number ${sequenceNumber} was not found. ${trackingSuffix(host, path)}`,
  };
}

export function messageSizeExceeded(host: string, path: string, size: number, limit: number): AmqpErrorFields {
  return {
    condition: conditions.messageSizeExceeded,
    description:
      `The received message (delivery-id:0, size:${size} bytes) exceeds the limit (${limit} bytes) currently ` +
      `allowed on the link. ${trackingSuffix(host, path)}`,
  };
}
