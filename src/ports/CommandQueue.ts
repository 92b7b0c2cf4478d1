import type { Settlement } from '../domain/sync/Settlement';
import type { SyncCommand } from '../domain/sync/SyncCommand';
import { Fault } from './Fault';

/** The message id is always `commandMessageId(command)`: one rule for every sender. */
export interface SendOptions {
  /** Deliver no earlier than this. */
  readonly scheduledAt?: Date;
  /** Message id of the dead-lettered message this one replays. */
  readonly replayOf?: string;
}

export interface DeadLetter {
  readonly messageId: string;
  readonly reason: string;
  readonly description: string;
  readonly enqueuedAt: Date;
  readonly deliveryCount: number;
  /** The command, or null when the body could not be parsed as one. */
  readonly command: SyncCommand | null;
}

export type DeadLetterSelection = { readonly messageIds: readonly string[] } | 'all';

export interface ReplayResult {
  /** Replayed messages and the new message id each was sent under. */
  readonly replayed: ReadonlyArray<{ readonly messageId: string; readonly newMessageId: string }>;
  /** Requested ids not in the dead-letter queue. */
  readonly notFound: readonly string[];
  /** Dead letters that cannot be replayed (their body is not a command); they stay. */
  readonly notReplayable: readonly string[];
}

/**
 * Where sync commands wait for the worker, each under `commandMessageId(command)`. Sends with a
 * message id already seen within the queue's duplicate-detection window are dropped (returns false;
 * adapters that cannot tell return true).
 */
export interface CommandQueue {
  send(command: SyncCommand, options?: SendOptions): Promise<boolean>;
  listDeadLetters(): Promise<DeadLetter[]>;
  /**
   * Sends a copy of each selected dead letter as `replayCommand` makes it (trigger `replay`, attempt
   * 1, a fresh replay id and so a new message id) with `replayOf` set, then removes the original. A crash between the two leaves a harmless
   * duplicate: syncs are idempotent by commit.
   */
  replayDeadLetters(selection: DeadLetterSelection): Promise<ReplayResult>;
  /** Removes every dead letter; returns how many. */
  purgeDeadLetters(): Promise<number>;
  /** One cheap round trip to the queue, for readiness checks; throws when it cannot be reached. */
  probe(): Promise<void>;
  /**
   * Opens now what the first send would open on its way (for Service Bus: the connection, its token
   * and the sender's link), so that a new instance's first webhooks do not wait for it; sends nothing.
   * Throws when the queue cannot be reached: the first send then tries again.
   */
  open(): Promise<void>;
}

/** One delivery handed to the worker. */
export interface ReceivedCommand {
  readonly messageId: string;
  readonly body: unknown;
  readonly deliveryCount: number;
  readonly enqueuedAt: Date;
}

/** Decides a delivery's fate; throwing abandons it (redelivered, and dead-lettered past the max). */
export type CommandHandler = (message: ReceivedCommand) => Promise<Settlement>;

/** Feeds deliveries to a handler and applies the settlement it returns. */
export interface CommandConsumer {
  start(handler: CommandHandler, options: { readonly concurrency: number }): Promise<void>;
  /** Stops intake and waits for the deliveries being handled. */
  stop(): Promise<void>;
}

/**
 * `Unavailable`: the queue did not answer, timed out or was busy (retryable). `Rejected`: it refused
 * what was asked (no such queue, access denied, message too large): retrying unchanged cannot help.
 */
export type CommandQueueErrorCode = 'Unavailable' | 'Rejected';

/** A command queue fault; only `Unavailable` is retryable. */
export class CommandQueueError extends Fault<CommandQueueErrorCode> {
  constructor(code: CommandQueueErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, { retryable: code === 'Unavailable', cause: options?.cause });
    this.name = 'CommandQueueError';
  }
}
