import { randomUUID } from 'node:crypto';
import type {
  ServiceBusClient,
  ServiceBusReceivedMessage,
  ServiceBusReceiver,
  ServiceBusSender,
} from '@azure/service-bus';
import Long from 'long';
import type { SyncCommand } from '../../domain/sync/SyncCommand';
import { commandMessageId, readSyncCommand, replayCommand } from '../../domain/sync/SyncCommand';
import type {
  CommandQueue,
  DeadLetter,
  DeadLetterSelection,
  ReplayResult,
  SendOptions,
} from '../../ports/CommandQueue';
import { CoalescingSender } from './CoalescingSender';
import { toDeadLetter, toMessage } from './commandMessages';
import { queueCall } from './serviceBusFault';

/** How long a dead-letter sweep waits for the next message before it calls the queue drained. */
const SWEEP_WAIT_MS = 500;
const BATCH = 100;

/**
 * Sync commands on an Azure Service Bus queue; sends that come together go together
 * (CoalescingSender). Duplicate detection is the queue's (MessageId = `commandMessageId`: scope +
 * delivery id), so `send` cannot tell a dropped duplicate and answers true. Dead letters live in
 * `<queue>/$DeadLetterQueue`: listed by peeking, replayed by sending a copy under a new id
 * and completing the original, purged by receive-and-delete. Failures are CommandQueueErrors
 * (`Unavailable`, retryable, when the namespace is down or busy).
 */
export class ServiceBusCommandQueue implements CommandQueue {
  private readonly sender: ServiceBusSender;
  private readonly coalescing: CoalescingSender;

  constructor(
    private readonly client: ServiceBusClient,
    private readonly queueName: string,
  ) {
    this.sender = client.createSender(queueName);
    this.coalescing = new CoalescingSender(this.sender);
  }

  async send(command: SyncCommand, options: SendOptions = {}): Promise<boolean> {
    const message = await toMessage(command, options);
    await queueCall('send', () => this.coalescing.send(message));
    return true;
  }

  async open(): Promise<void> {
    // Making a batch opens the sender's link (the SDK sizes batches by the link's maximum message size).
    await queueCall('open', () => this.sender.createMessageBatch());
  }

  async probe(): Promise<void> {
    // A peek is a management round trip that neither locks nor consumes a message.
    await queueCall('probe', async () => {
      const receiver = this.client.createReceiver(this.queueName);
      try {
        await receiver.peekMessages(1, { fromSequenceNumber: Long.ZERO });
      } finally {
        await receiver.close();
      }
    });
  }

  async listDeadLetters(): Promise<DeadLetter[]> {
    return queueCall('listing dead letters', () => this.peekDeadLetters());
  }

  private async peekDeadLetters(): Promise<DeadLetter[]> {
    const receiver = this.client.createReceiver(this.queueName, { subQueueType: 'deadLetter' });
    try {
      const letters: DeadLetter[] = [];
      // Always from an explicit sequence number: the SDK shares its peek cursor between receivers.
      let from = Long.ZERO;
      for (;;) {
        const batch = await receiver.peekMessages(BATCH, { fromSequenceNumber: from });
        if (batch.length === 0) return letters;
        letters.push(...batch.map(toDeadLetter));
        const last = batch.at(-1)?.sequenceNumber;
        if (!last) return letters;
        from = last.add(1);
      }
    } finally {
      await receiver.close();
    }
  }

  async replayDeadLetters(selection: DeadLetterSelection): Promise<ReplayResult> {
    return queueCall('replaying dead letters', () => this.replay(selection));
  }

  private async replay(selection: DeadLetterSelection): Promise<ReplayResult> {
    const wanted = selection === 'all' ? null : new Set(selection.messageIds);
    const replayed: Array<{ messageId: string; newMessageId: string }> = [];
    const notReplayable: string[] = [];
    await this.sweepDeadLetters('peekLock', async (message, receiver) => {
      const messageId = String(message.messageId ?? '');
      const command = readSyncCommand(message.body);
      if ((wanted && !wanted.has(messageId)) || !command) {
        if (command === null && (!wanted || wanted.has(messageId))) notReplayable.push(messageId);
        wanted?.delete(messageId);
        await receiver.abandonMessage(message);
        return;
      }
      wanted?.delete(messageId);
      const replay = replayCommand(command, randomUUID());
      await this.send(replay, { replayOf: messageId });
      const newMessageId = await commandMessageId(replay);
      await receiver.completeMessage(message);
      replayed.push({ messageId, newMessageId });
    });
    return { replayed, notFound: wanted ? [...wanted] : [], notReplayable };
  }

  async purgeDeadLetters(): Promise<number> {
    let purged = 0;
    await queueCall('purging dead letters', () =>
      this.sweepDeadLetters('receiveAndDelete', async () => {
        purged++;
      }),
    );
    return purged;
  }

  async close(): Promise<void> {
    await this.sender.close();
  }

  /** Visits each dead letter once (abandoned ones come back: a repeat ends the sweep). */
  private async sweepDeadLetters(
    receiveMode: 'peekLock' | 'receiveAndDelete',
    visit: (message: ServiceBusReceivedMessage, receiver: ServiceBusReceiver) => Promise<void>,
  ): Promise<void> {
    const receiver = this.client.createReceiver(this.queueName, { subQueueType: 'deadLetter', receiveMode });
    const seen = new Set<string>();
    try {
      for (;;) {
        const batch = await receiver.receiveMessages(BATCH, { maxWaitTimeInMs: SWEEP_WAIT_MS });
        if (batch.length === 0) return;
        let fresh = 0;
        for (const message of batch) {
          const key = String(message.sequenceNumber ?? message.messageId);
          if (seen.has(key)) {
            if (receiveMode === 'peekLock') await receiver.abandonMessage(message);
            continue;
          }
          seen.add(key);
          fresh++;
          await visit(message, receiver);
        }
        if (fresh === 0) return;
      }
    } finally {
      await receiver.close();
    }
  }
}
