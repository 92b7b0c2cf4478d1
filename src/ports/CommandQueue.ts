import type { SyncCommand } from '../domain/SyncCommand';

export interface SendOptions {
  /** Deduplication key (the GitHub delivery id for pushes). Defaults to the command's deliveryId. */
  readonly messageId?: string;
  /** Deliver no earlier than this. */
  readonly scheduledAt?: Date;
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

/**
 * Where sync commands wait for the worker. Sends with a message id already seen within the queue's
 * duplicate-detection window are dropped (returns false).
 */
export interface CommandQueue {
  send(command: SyncCommand, options?: SendOptions): Promise<boolean>;
  listDeadLetters(): Promise<DeadLetter[]>;
}
