import type { Message } from 'rhea';
import { message as amqpMessage, types as amqpTypes } from 'rhea';
import type { SubQueueName } from './entityAddress';
import { decodeMessage } from './incomingTransfers';
import { lockTokenFromUuid } from './lockTokens';
import type { PeerQueue, Settlement } from './peerQueue';
import type { AmqpErrorFields } from './rheaInternals';
import { conditions, lockLost, scheduledMessageNotFound } from './serviceErrors';
import { scheduledEnqueueTime, toOutgoingMessage } from './storedMessage';

/** Operation names and body keys of the Service Bus `$management` node (its AMQP request/response guide). */
const operations = {
  renewLock: 'com.microsoft:renew-lock',
  peekMessage: 'com.microsoft:peek-message',
  scheduleMessage: 'com.microsoft:schedule-message',
  cancelScheduledMessage: 'com.microsoft:cancel-scheduled-message',
  updateDisposition: 'com.microsoft:update-disposition',
} as const;

const AMQP_LONG = 0x81;
const AMQP_TIMESTAMP = 0x83;

export interface ManagementReply {
  readonly statusCode: number;
  readonly statusDescription: string;
  readonly errorCondition?: string;
  readonly body?: unknown;
}

export interface ManagementScope {
  readonly queue: PeerQueue;
  readonly subQueue: SubQueueName;
  /** `host:port`, for error texts worded like the service's. */
  readonly host: string;
  readonly path: string;
  readonly now: number;
}

type Body = Record<string, unknown>;

/** Answers one request sent to `<entity>/$management`. */
export function answerManagementRequest(request: Message, scope: ManagementScope): ManagementReply {
  const operation: unknown = (request.application_properties as Body | undefined)?.operation;
  const body = (request.body ?? {}) as Body;
  switch (operation) {
    case operations.renewLock:
      return renewLocks(body, scope);
    case operations.peekMessage:
      return peekMessages(body, scope);
    case operations.scheduleMessage:
      return scheduleMessages(body, scope);
    case operations.cancelScheduledMessage:
      return cancelScheduledMessages(body, scope);
    case operations.updateDisposition:
      return updateDisposition(body, scope);
    default:
      return failure(501, {
        condition: conditions.notImplemented,
        description: `The operation '${String(operation)}' is not supported by the Service Bus test peer.`,
      });
  }
}

function renewLocks(body: Body, scope: ManagementScope): ManagementReply {
  const expirations: number[] = [];
  for (const token of lockTokens(body)) {
    const lockedUntil = scope.queue.renewLock(token, scope.now);
    if (lockedUntil === undefined) return failure(410, lockLost(scope.host, scope.path));
    expirations.push(lockedUntil);
  }
  return ok({ expirations: amqpTypes.wrap_array(expirations, AMQP_TIMESTAMP, undefined) });
}

function peekMessages(body: Body, scope: ManagementScope): ManagementReply {
  const from = toNumber(body['from-sequence-number']) ?? 1;
  const count = toNumber(body['message-count']) ?? 1;
  const peeked = scope.queue.peek(scope.subQueue, from, count, scope.now);
  if (peeked.length === 0) return { statusCode: 204, statusDescription: 'No messages to peek.' };
  return ok({ messages: peeked.map((stored) => ({ message: amqpMessage.encode(toOutgoingMessage(stored)) })) });
}

function scheduleMessages(body: Body, scope: ManagementScope): ManagementReply {
  const entries = Array.isArray(body.messages) ? (body.messages as Body[]) : [];
  const sequenceNumbers: number[] = [];
  for (const entry of entries) {
    if (!Buffer.isBuffer(entry.message)) {
      return failure(400, { condition: conditions.invalidField, description: 'Each scheduled entry needs a message.' });
    }
    const message = decodeMessage(entry.message);
    const at = scheduledEnqueueTime(message) ?? scope.now;
    sequenceNumbers.push(scope.queue.enqueue(message, scope.now, at).sequenceNumber);
  }
  return ok({ 'sequence-numbers': amqpTypes.wrap_array(sequenceNumbers, AMQP_LONG, undefined) });
}

function cancelScheduledMessages(body: Body, scope: ManagementScope): ManagementReply {
  const raw = body['sequence-numbers'];
  for (const item of Array.isArray(raw) ? (raw as unknown[]) : []) {
    const sequenceNumber = toNumber(item);
    if (sequenceNumber === undefined || !scope.queue.cancelScheduled(sequenceNumber)) {
      return failure(404, scheduledMessageNotFound(scope.host, scope.path, sequenceNumber ?? -1));
    }
  }
  return ok(undefined);
}

/** Settlement through the management link, which the SDK uses when the receive link has gone. */
function updateDisposition(body: Body, scope: ManagementScope): ManagementReply {
  const status = body['disposition-status'];
  const propertiesToModify = (body['properties-to-modify'] ?? undefined) as Body | undefined;
  let settlement: Settlement;
  if (status === 'completed') settlement = { kind: 'complete' };
  else if (status === 'abandoned')
    settlement = propertiesToModify ? { kind: 'abandon', propertiesToModify } : { kind: 'abandon' };
  else if (status === 'suspended') {
    settlement = {
      kind: 'deadLetter',
      properties: {
        ...propertiesToModify,
        DeadLetterReason: body['deadletter-reason'],
        DeadLetterErrorDescription: body['deadletter-description'],
      },
    };
  } else {
    return failure(501, {
      condition: conditions.notImplemented,
      description: `The disposition status '${String(status)}' is not supported by the Service Bus test peer.`,
    });
  }
  for (const token of lockTokens(body)) {
    if (scope.queue.settle(token, settlement, scope.now) === 'lockLost') {
      return failure(410, lockLost(scope.host, scope.path));
    }
  }
  return ok(undefined);
}

function lockTokens(body: Body): string[] {
  const raw = body['lock-tokens'];
  return (Array.isArray(raw) ? (raw as unknown[]) : [])
    .filter(Buffer.isBuffer)
    .map((bytes) => lockTokenFromUuid(bytes));
}

/** AMQP longs arrive as numbers when they fit 53 bits, else as 8 big-endian bytes. */
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (Buffer.isBuffer(value) && value.length === 8) return Number(value.readBigInt64BE(0));
  return undefined;
}

function ok(body: unknown): ManagementReply {
  return { statusCode: 200, statusDescription: 'OK', body };
}

function failure(statusCode: number, error: AmqpErrorFields): ManagementReply {
  return { statusCode, statusDescription: error.description, errorCondition: error.condition };
}
