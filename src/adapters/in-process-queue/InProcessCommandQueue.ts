import { randomUUID } from 'node:crypto';
import type { Settlement } from '../../domain/sync/Settlement';
import { commandMessageId, readSyncCommand, replayCommand, type SyncCommand } from '../../domain/sync/SyncCommand';
import type {
  CommandConsumer,
  CommandHandler,
  CommandQueue,
  DeadLetter,
  DeadLetterSelection,
  ReceivedCommand,
  ReplayResult,
  SendOptions,
} from '../../ports/CommandQueue';

export interface InProcessQueueOptions {
  /** A message id seen within this window is dropped on send (Service Bus duplicate detection). */
  readonly duplicateWindowMs: number;
  /** Deliveries before a failing message is dead-lettered (Service Bus MaxDeliveryCount). */
  readonly maxDeliveryCount: number;
  /** First redelivery delay; doubles per delivery, with jitter. */
  readonly retryBaseMs: number;
  readonly now?: () => number;
}

interface QueuedMessage {
  readonly messageId: string;
  readonly body: unknown;
  readonly enqueuedAt: Date;
  visibleAt: number;
  deliveryCount: number;
}

/**
 * The embedded queue for one-process mode: Service Bus semantics that matter to the worker (message
 * ids with duplicate detection, scheduled delivery, delivery counts, abandon with back-off,
 * dead-lettering past the max delivery count), in memory. Messages do not survive a restart; the
 * start-up reconcile covers what was lost.
 */
export class InProcessCommandQueue implements CommandQueue, CommandConsumer {
  private readonly ready: QueuedMessage[] = [];
  private readonly deadLetters: DeadLetter[] = [];
  private readonly seenIds = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private handler: CommandHandler | undefined;
  private concurrency = 1;
  private wakeTimer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];
  private readonly now: () => number;

  constructor(private readonly options: InProcessQueueOptions) {
    this.now = options.now ?? Date.now;
  }

  async send(command: SyncCommand, options: SendOptions = {}): Promise<boolean> {
    return this.sendRaw(JSON.parse(JSON.stringify(command)), await commandMessageId(command), options.scheduledAt);
  }

  async replayDeadLetters(selection: DeadLetterSelection): Promise<ReplayResult> {
    const wanted = selection === 'all' ? null : new Set(selection.messageIds);
    const replayed: Array<{ messageId: string; newMessageId: string }> = [];
    const notReplayable: string[] = [];
    for (const letter of [...this.deadLetters]) {
      if (wanted && !wanted.has(letter.messageId)) continue;
      wanted?.delete(letter.messageId);
      if (!letter.command) {
        notReplayable.push(letter.messageId);
        continue;
      }
      const replay = replayCommand(letter.command, randomUUID());
      await this.send(replay, { replayOf: letter.messageId });
      const newMessageId = await commandMessageId(replay);
      this.deadLetters.splice(this.deadLetters.indexOf(letter), 1);
      replayed.push({ messageId: letter.messageId, newMessageId });
    }
    return { replayed, notFound: wanted ? [...wanted] : [], notReplayable };
  }

  async purgeDeadLetters(): Promise<number> {
    return this.deadLetters.splice(0).length;
  }

  /** Enqueues any body, as a foreign producer could; the worker must validate it. */
  async sendRaw(body: unknown, messageId: string, scheduledAt?: Date): Promise<boolean> {
    const now = this.now();
    this.forgetOldIds(now);
    if (this.seenIds.has(messageId)) return false;
    this.seenIds.set(messageId, now);
    this.ready.push({
      messageId,
      body,
      enqueuedAt: new Date(now),
      visibleAt: scheduledAt?.getTime() ?? now,
      deliveryCount: 0,
    });
    this.pump();
    return true;
  }

  async probe(): Promise<void> {
    // In this process: reachable whenever the process runs.
  }

  async open(): Promise<void> {
    // Nothing to connect to.
  }

  async listDeadLetters(): Promise<DeadLetter[]> {
    return [...this.deadLetters];
  }

  /** Messages waiting (scheduled ones included) and being handled. */
  get depth(): number {
    return this.ready.length + this.inFlight.size;
  }

  /** Starts handing messages to `handler`, at most `concurrency` at a time. */
  async start(handler: CommandHandler, options: { readonly concurrency: number }): Promise<void> {
    this.handler = handler;
    this.concurrency = options.concurrency;
    this.pump();
  }

  /** Stops intake and waits for the messages being handled; waiting ones stay queued. */
  async stop(): Promise<void> {
    this.handler = undefined;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    await Promise.allSettled([...this.inFlight]);
  }

  /** Resolves once nothing is in flight and nothing is due within `horizonMs`. */
  async idle(horizonMs = 0): Promise<void> {
    const isIdle = () => this.inFlight.size === 0 && !this.ready.some((m) => m.visibleAt <= this.now() + horizonMs);
    while (!isIdle()) {
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        setTimeout(resolve, 50); // re-check scheduled messages coming due
      });
    }
  }

  private pump(): void {
    if (!this.handler) return;
    const now = this.now();
    while (this.inFlight.size < this.concurrency) {
      const index = this.ready.findIndex((message) => message.visibleAt <= now);
      if (index < 0) break;
      const [message] = this.ready.splice(index, 1);
      if (message === undefined) break; // not reached: findIndex found it
      this.deliver(message, this.handler);
    }
    this.scheduleWake();
    if (this.inFlight.size === 0) this.notifyIdle();
  }

  private deliver(message: QueuedMessage, handler: CommandHandler): void {
    message.deliveryCount++;
    const received: ReceivedCommand = {
      messageId: message.messageId,
      body: message.body,
      deliveryCount: message.deliveryCount,
      enqueuedAt: message.enqueuedAt,
    };
    const delivery = handler(received).then(
      (settlement) => this.settle(message, settlement),
      (error: unknown) => this.abandon(message, error),
    );
    const tracked = delivery.finally(() => {
      this.inFlight.delete(tracked);
      this.pump();
    });
    this.inFlight.add(tracked);
  }

  private async settle(message: QueuedMessage, settlement: Settlement): Promise<void> {
    switch (settlement.kind) {
      case 'complete':
        return;
      case 'retry':
        // A new message (its id names the attempt, so duplicate detection keeps it), then the delivery completes.
        await this.send(settlement.command, { scheduledAt: settlement.notBefore });
        return;
      case 'dead-letter':
        this.deadLetter(message, settlement.reason, settlement.description);
        return;
    }
  }

  private deadLetter(message: QueuedMessage, reason: string, description: string): void {
    this.deadLetters.push({
      messageId: message.messageId,
      reason,
      description,
      enqueuedAt: message.enqueuedAt,
      deliveryCount: message.deliveryCount,
      command: readSyncCommand(message.body),
    });
  }

  private abandon(message: QueuedMessage, error: unknown): void {
    const description = error instanceof Error ? error.message : String(error);
    if (message.deliveryCount >= this.options.maxDeliveryCount) {
      this.deadLetter(message, 'MaxDeliveryCountExceeded', description);
      return;
    }
    const backoff = this.options.retryBaseMs * 2 ** (message.deliveryCount - 1);
    message.visibleAt = this.now() + backoff * (0.8 + Math.random() * 0.4);
    this.ready.push(message);
  }

  private scheduleWake(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    if (!this.handler || this.ready.length === 0) return;
    const next = Math.min(...this.ready.map((message) => message.visibleAt));
    this.wakeTimer = setTimeout(() => this.pump(), Math.max(0, next - this.now()));
    this.wakeTimer.unref();
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private forgetOldIds(now: number): void {
    for (const [id, seenAt] of this.seenIds) {
      if (now - seenAt < this.options.duplicateWindowMs) break; // insertion order = time order
      this.seenIds.delete(id);
    }
  }
}
