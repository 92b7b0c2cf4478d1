import { randomUUID } from 'node:crypto';
import type { Message } from 'rhea';
import type { SubQueueName } from './entityAddress';
import type { StoredMessage } from './storedMessage';
import { ensureMessageId, messageIdKey, scheduledEnqueueTime, withApplicationProperties } from './storedMessage';

export interface PeerQueueOptions {
  /** Default 30_000 (Service Bus allows up to 5 min). */
  lockDurationMs?: number;
  /** Default 10; past it the message goes to the DLQ with reason MaxDeliveryCountExceeded. */
  maxDeliveryCount?: number;
  /** Default 0 = off; on: a MessageId seen within the window is dropped silently (accepted, not stored). */
  duplicateDetectionWindowMs?: number;
  /** Expired messages (header TTL) go to the DLQ instead of disappearing. */
  deadLetterOnExpiration?: boolean;
}

export interface QueueStats {
  /** Visible in the main queue and not locked. */
  active: number;
  /** Waiting for their scheduled enqueue time. */
  scheduled: number;
  /** When the earliest scheduled message becomes visible (epoch ms), if any. */
  nextScheduledAt?: number;
  /** Locked by a peek-lock receiver (main queue only). */
  locked: number;
  /** Everything in the dead-letter sub-queue, locked or not. */
  deadLettered: number;
}

export type ReceiveMode = 'peekLock' | 'receiveAndDelete';

export type Settlement =
  | { readonly kind: 'complete' }
  | { readonly kind: 'abandon'; readonly propertiesToModify?: Record<string, unknown> }
  | { readonly kind: 'deadLetter'; readonly properties: Record<string, unknown> }
  /** AMQP released: the client gave the message back without trying it; no attempt is counted. */
  | { readonly kind: 'release' };

export interface EnqueueResult {
  readonly sequenceNumber: number;
  /** True when duplicate detection dropped the message. */
  readonly duplicate: boolean;
}

/** Service Bus's own wording for the dead-letter reasons the broker applies by itself. */
const MAX_DELIVERY_REASON = 'MaxDeliveryCountExceeded';
const TTL_EXPIRED_REASON = 'TTLExpiredException';

/**
 * One queue with its dead-letter sub-queue: sequence numbers, peek-lock locks, delivery counts,
 * scheduled messages, duplicate detection and TTL expiry. It knows nothing about AMQP links; it
 * tells listeners when messages may have become available so the links can deliver them.
 */
export class PeerQueue {
  readonly lockDurationMs: number;
  readonly maxDeliveryCount: number;
  readonly duplicateDetectionWindowMs: number;
  readonly deadLetterOnExpiration: boolean;

  private nextSequenceNumber = 1;
  /** Insertion order is sequence order for the main queue; the DLQ keeps arrival order. */
  private readonly stores: Record<SubQueueName, Map<number, StoredMessage>> = {
    main: new Map(),
    deadLetter: new Map(),
  };
  private readonly locks = new Map<string, StoredMessage>();
  private readonly seenMessageIds = new Map<string, { readonly at: number; readonly sequenceNumber: number }>();
  private readonly listeners = new Set<(subQueue: SubQueueName) => void>();

  constructor(
    readonly name: string,
    options: PeerQueueOptions = {},
  ) {
    this.lockDurationMs = options.lockDurationMs ?? 30_000;
    this.maxDeliveryCount = options.maxDeliveryCount ?? 10;
    this.duplicateDetectionWindowMs = options.duplicateDetectionWindowMs ?? 0;
    this.deadLetterOnExpiration = options.deadLetterOnExpiration ?? false;
  }

  /** Called whenever messages of a sub-queue may have become deliverable. */
  onAvailable(listener: (subQueue: SubQueueName) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Stores a sent message, or schedules it when it carries a future `x-opt-scheduled-enqueue-time`
   * (or when `scheduleAt` is given, as `$management` schedule-message does).
   */
  enqueue(sent: Message, now: number, scheduleAt?: number): EnqueueResult {
    const message = ensureMessageId(sent);
    const duplicateOf = this.recordMessageId(message, now);
    if (duplicateOf !== undefined) return { sequenceNumber: duplicateOf, duplicate: true };
    const sequenceNumber = this.nextSequenceNumber++;
    const visibleAt = scheduleAt ?? scheduledEnqueueTime(message) ?? now;
    const stored: StoredMessage = {
      sequenceNumber,
      message,
      location: 'main',
      enqueuedAt: Math.max(now, visibleAt),
      scheduled: undefined,
      deliveryCount: 0,
      lock: undefined,
    };
    if (visibleAt > now) {
      const timer = setTimeout(() => this.activateScheduled(stored), visibleAt - now);
      timer.unref();
      stored.scheduled = { at: visibleAt, timer };
    }
    this.stores.main.set(sequenceNumber, stored);
    if (this.duplicateDetectionWindowMs > 0) {
      // Deleted first, so that an id seen again goes to the end: the sweep relies on that order.
      const key = messageIdKey(message);
      this.seenMessageIds.delete(key);
      this.seenMessageIds.set(key, { at: now, sequenceNumber });
    }
    if (stored.scheduled === undefined) this.notify('main');
    return { sequenceNumber, duplicate: false };
  }

  /** Removes a message that still waits for its scheduled time; false when there is none. */
  cancelScheduled(sequenceNumber: number): boolean {
    const stored = this.stores.main.get(sequenceNumber);
    if (stored?.scheduled === undefined) return false;
    clearTimeout(stored.scheduled.timer);
    this.stores.main.delete(sequenceNumber);
    return true;
  }

  /**
   * Hands out the next deliverable message of a sub-queue: locked for peek-lock, removed for
   * receive-and-delete. Undefined when nothing is deliverable now.
   */
  acquire(subQueue: SubQueueName, mode: ReceiveMode, now: number): StoredMessage | undefined {
    this.expireMessages(now);
    for (const stored of this.stores[subQueue].values()) {
      if (stored.lock !== undefined || stored.scheduled !== undefined) continue;
      if (mode === 'receiveAndDelete') {
        this.stores[subQueue].delete(stored.sequenceNumber);
      } else {
        this.lock(stored, now);
      }
      return stored;
    }
    return undefined;
  }

  /** Applies a settlement to a locked message; `lockLost` when the lock expired or is unknown. */
  settle(lockToken: string, settlement: Settlement, now: number): 'settled' | 'lockLost' {
    const stored = this.liveLock(lockToken, now);
    if (stored === undefined) return 'lockLost';
    this.unlock(stored);
    switch (settlement.kind) {
      case 'complete':
        this.stores[stored.location].delete(stored.sequenceNumber);
        break;
      case 'abandon':
        if (settlement.propertiesToModify !== undefined) {
          stored.message = withApplicationProperties(stored.message, settlement.propertiesToModify);
        }
        this.returnAfterFailedAttempt(stored);
        break;
      case 'deadLetter':
        if (stored.location === 'deadLetter') {
          // The service does not dead-letter twice; the message stays where it is.
          stored.message = withApplicationProperties(stored.message, settlement.properties);
          this.notify('deadLetter');
        } else {
          this.moveToDeadLetter(stored, settlement.properties);
        }
        break;
      case 'release':
        this.notify(stored.location);
        break;
    }
    return 'settled';
  }

  /** Extends a live lock by the lock duration; undefined when the lock is lost. */
  renewLock(lockToken: string, now: number): number | undefined {
    const stored = this.liveLock(lockToken, now);
    if (stored?.lock === undefined) return undefined;
    clearTimeout(stored.lock.timer);
    stored.lock.lockedUntil = now + this.lockDurationMs;
    stored.lock.timer = this.lockExpiryTimer(stored, this.lockDurationMs);
    return stored.lock.lockedUntil;
  }

  /** Messages from a sequence number on, in sequence order, without locking (scheduled ones included). */
  peek(subQueue: SubQueueName, fromSequenceNumber: number, count: number, now: number): StoredMessage[] {
    this.expireMessages(now);
    return [...this.stores[subQueue].values()]
      .filter((stored) => stored.sequenceNumber >= fromSequenceNumber)
      .sort((a, b) => a.sequenceNumber - b.sequenceNumber)
      .slice(0, count);
  }

  stats(now: number): QueueStats {
    this.expireMessages(now);
    const stats: QueueStats = { active: 0, scheduled: 0, locked: 0, deadLettered: this.stores.deadLetter.size };
    for (const stored of this.stores.main.values()) {
      if (stored.scheduled !== undefined) {
        stats.scheduled++;
        stats.nextScheduledAt = Math.min(stats.nextScheduledAt ?? Infinity, stored.scheduled.at);
      } else if (stored.lock !== undefined) stats.locked++;
      else stats.active++;
    }
    return stats;
  }

  /** Clears every timer (scheduled messages and locks) so a stopped peer leaves nothing running. */
  dispose(): void {
    for (const store of Object.values(this.stores)) {
      for (const stored of store.values()) {
        if (stored.scheduled !== undefined) clearTimeout(stored.scheduled.timer);
        if (stored.lock !== undefined) clearTimeout(stored.lock.timer);
      }
      store.clear();
    }
    this.locks.clear();
    this.listeners.clear();
  }

  /**
   * Makes a scheduled message visible, with every other one due by now, so messages scheduled for
   * the same instant are delivered in sequence order whichever timer fires first.
   */
  private activateScheduled(fired: StoredMessage): void {
    // Timers may fire a millisecond before the wall clock reaches their time; the fired one's time counts as now.
    const now = Math.max(Date.now(), fired.scheduled?.at ?? 0);
    for (const stored of this.stores.main.values()) {
      if (stored.scheduled === undefined || stored.scheduled.at > now) continue;
      clearTimeout(stored.scheduled.timer);
      stored.scheduled = undefined;
    }
    this.notify('main');
  }

  /** Returns the sequence number of the original when the MessageId was seen within the window. */
  private recordMessageId(message: Message, now: number): number | undefined {
    const window = this.duplicateDetectionWindowMs;
    if (window <= 0) return undefined;
    // Ids are kept in the order they were seen, so the expired ones lead: the sweep stops at the
    // first live one (a full pass per message made a burst of sends quadratic).
    for (const [key, seen] of this.seenMessageIds) {
      if (now - seen.at < window) break;
      this.seenMessageIds.delete(key);
    }
    const seen = this.seenMessageIds.get(messageIdKey(message));
    // Checked again: were the clock to step back, a later entry could have expired before an earlier one.
    return seen !== undefined && now - seen.at < window ? seen.sequenceNumber : undefined;
  }

  private lock(stored: StoredMessage, now: number): void {
    const token = randomUUID();
    stored.lock = {
      token,
      lockedUntil: now + this.lockDurationMs,
      timer: this.lockExpiryTimer(stored, this.lockDurationMs),
    };
    this.locks.set(token, stored);
  }

  private lockExpiryTimer(stored: StoredMessage, delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.expireLock(stored), delayMs);
    timer.unref();
    return timer;
  }

  /** The locked message when its lock is still valid; an overdue lock whose timer has not fired yet expires now. */
  private liveLock(lockToken: string, now: number): StoredMessage | undefined {
    const stored = this.locks.get(lockToken);
    if (stored?.lock === undefined) return undefined;
    if (stored.lock.lockedUntil <= now) {
      this.expireLock(stored);
      return undefined;
    }
    return stored;
  }

  private expireLock(stored: StoredMessage): void {
    if (stored.lock === undefined) return;
    this.unlock(stored);
    this.returnAfterFailedAttempt(stored);
  }

  private unlock(stored: StoredMessage): void {
    if (stored.lock === undefined) return;
    clearTimeout(stored.lock.timer);
    this.locks.delete(stored.lock.token);
    stored.lock = undefined;
  }

  /** An abandoned or timed-out delivery counts as an attempt; too many attempts dead-letter the message. */
  private returnAfterFailedAttempt(stored: StoredMessage): void {
    stored.deliveryCount++;
    if (stored.location === 'main' && stored.deliveryCount >= this.maxDeliveryCount) {
      this.moveToDeadLetter(stored, {
        DeadLetterReason: MAX_DELIVERY_REASON,
        DeadLetterErrorDescription: `Message could not be consumed after ${this.maxDeliveryCount} delivery attempts.`,
      });
      return;
    }
    this.notify(stored.location);
  }

  /** Dead-lettered messages keep their sequence number; the reason travels as application properties. */
  private moveToDeadLetter(stored: StoredMessage, properties: Record<string, unknown>): void {
    this.unlock(stored);
    this.stores.main.delete(stored.sequenceNumber);
    stored.message = withApplicationProperties(stored.message, properties);
    stored.location = 'deadLetter';
    this.stores.deadLetter.set(stored.sequenceNumber, stored);
    this.notify('deadLetter');
  }

  /** Header TTL, checked lazily: visible, unlocked messages past enqueued time + TTL expire. */
  private expireMessages(now: number): void {
    for (const stored of this.stores.main.values()) {
      const ttl: unknown = stored.message.ttl;
      if (typeof ttl !== 'number' || stored.lock !== undefined || stored.scheduled !== undefined) continue;
      if (stored.enqueuedAt + ttl > now) continue;
      if (this.deadLetterOnExpiration) {
        this.moveToDeadLetter(stored, {
          DeadLetterReason: TTL_EXPIRED_REASON,
          DeadLetterErrorDescription: 'The message expired and was dead lettered.',
        });
      } else {
        this.stores.main.delete(stored.sequenceNumber);
      }
    }
  }

  private notify(subQueue: SubQueueName): void {
    for (const listener of [...this.listeners]) listener(subQueue);
  }
}
