import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceBusReceivedMessage, ServiceBusReceiver, ServiceBusSender } from '@azure/service-bus';
import { isServiceBusError, ServiceBusClient } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeerQueueOptions } from '../support/serviceBusPeer';
import { ServiceBusPeer } from '../support/serviceBusPeer';

/**
 * The peer is driven only through the real @azure/service-bus SDK, as production code would use
 * Service Bus. Every receive is bounded by maxWaitTimeInMs; asking for exactly the expected count
 * lets peek-lock receives return without the SDK's one-second wait after the first message.
 */
describe('ServiceBusPeer through @azure/service-bus', () => {
  let peer: ServiceBusPeer;
  let client: ServiceBusClient;

  beforeAll(async () => {
    peer = await ServiceBusPeer.start();
    client = new ServiceBusClient(peer.connectionString, { retryOptions: { maxRetries: 1, retryDelayInMs: 50 } });
  });

  afterAll(async () => {
    await client?.close();
    await peer?.stop();
  });

  function newQueue(options?: PeerQueueOptions): string {
    const name = `q-${randomUUID().slice(0, 8)}`;
    peer.createQueue(name, options);
    return name;
  }

  /** A peek-lock receiver without automatic lock renewal, so lock expiry is observable. */
  function peekLockReceiver(queue: string, subQueueType?: 'deadLetter'): ServiceBusReceiver {
    return client.createReceiver(queue, {
      maxAutoLockRenewalDurationInMs: 0,
      ...(subQueueType ? { subQueueType } : {}),
    });
  }

  async function receiveExactly(receiver: ServiceBusReceiver, count: number): Promise<ServiceBusReceivedMessage[]> {
    const received = await receiver.receiveMessages(count, { maxWaitTimeInMs: 3_000 });
    expect(received).toHaveLength(count);
    return received;
  }

  async function withSender<T>(queue: string, use: (sender: ServiceBusSender) => Promise<T>): Promise<T> {
    const sender = client.createSender(queue);
    try {
      return await use(sender);
    } finally {
      await sender.close();
    }
  }

  it('sends, receives with Service Bus annotations, completes, and assigns a message-id when none is given', async () => {
    const queue = newQueue({ lockDurationMs: 20_000 });
    await withSender(queue, (sender) =>
      sender.sendMessages([
        { body: { hello: 'world' }, messageId: 'first', applicationProperties: { kind: 'greeting' } },
        { body: 'no id' },
      ]),
    );
    expect(peer.stats(queue)).toEqual({ active: 2, scheduled: 0, locked: 0, deadLettered: 0 });

    const receiver = peekLockReceiver(queue);
    const before = Date.now();
    const [first, second] = await receiveExactly(receiver, 2);
    expect(first?.body).toEqual({ hello: 'world' });
    expect(first?.messageId).toBe('first');
    expect(first?.applicationProperties).toEqual({ kind: 'greeting' });
    expect(first?.deliveryCount).toBe(0);
    expect(first?.sequenceNumber?.toNumber()).toBe(1);
    expect(second?.sequenceNumber?.toNumber()).toBe(2);
    expect(second?.messageId).toMatch(/^[0-9a-f]{32}$/);
    expect(first?.enqueuedTimeUtc?.getTime()).toBeLessThanOrEqual(Date.now());
    expect(first?.lockedUntilUtc?.getTime()).toBeGreaterThanOrEqual(before + 19_000);
    expect(first?.lockToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(peer.stats(queue)).toMatchObject({ active: 0, locked: 2 });

    await receiver.completeMessage(first!);
    await receiver.completeMessage(second!);
    expect(peer.stats(queue)).toEqual({ active: 0, scheduled: 0, locked: 0, deadLettered: 0 });
    await receiver.close();
  });

  it('delivers a batch as separate messages with increasing sequence numbers', async () => {
    const queue = newQueue();
    await withSender(queue, async (sender) => {
      const batch = await sender.createMessageBatch();
      for (const n of [1, 2, 3]) expect(batch.tryAddMessage({ body: { n } })).toBe(true);
      await sender.sendMessages(batch);
    });
    const receiver = peekLockReceiver(queue);
    const received = await receiveExactly(receiver, 3);
    expect(received.map((m) => m.body)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(received.map((m) => m.sequenceNumber?.toNumber())).toEqual([1, 2, 3]);
    for (const message of received) await receiver.completeMessage(message);
    expect(peer.stats(queue).active).toBe(0);
    await receiver.close();
  });

  it('hands out no more messages than the credit asked for', async () => {
    const queue = newQueue();
    await withSender(queue, (sender) => sender.sendMessages([1, 2, 3, 4, 5].map((n) => ({ body: n }))));
    const receiver = peekLockReceiver(queue);
    await receiveExactly(receiver, 2);
    expect(peer.stats(queue)).toMatchObject({ active: 3, locked: 2 });
    await receiver.close();
  });

  it('returns an empty receive within the wait time on an empty queue and keeps credit consistent', async () => {
    const queue = newQueue();
    const receiver = peekLockReceiver(queue);
    for (let attempt = 0; attempt < 2; attempt++) {
      // Returning at all is the point (a receive waiting for messages would hit the test's timeout);
      // a bound on how soon would be one a busy machine breaks.
      const received = await receiver.receiveMessages(10, { maxWaitTimeInMs: 300 });
      expect(received).toEqual([]);
    }
    // Credit stays consistent after drains: a message sent now is still delivered.
    await withSender(queue, (sender) => sender.sendMessages({ body: 'late' }));
    const [late] = await receiveExactly(receiver, 1);
    expect(late?.body).toBe('late');
    await receiver.close();
  });

  it('redelivers an abandoned message at once with deliveryCount 1', async () => {
    const queue = newQueue();
    await withSender(queue, (sender) => sender.sendMessages({ body: 'again', messageId: 'm-abandon' }));
    const receiver = peekLockReceiver(queue);
    const [first] = await receiveExactly(receiver, 1);
    await receiver.abandonMessage(first!, { reason: 'try later' });
    const [second] = await receiveExactly(receiver, 1);
    expect(second?.messageId).toBe('m-abandon');
    expect(second?.deliveryCount).toBe(1);
    expect(second?.applicationProperties).toMatchObject({ reason: 'try later' });
    await receiver.completeMessage(second!);
    await receiver.close();
  });

  it('dead-letters past maxDeliveryCount with MaxDeliveryCountExceeded, visible on the DLQ and by peek', async () => {
    const queue = newQueue({ maxDeliveryCount: 2 });
    await withSender(queue, (sender) => sender.sendMessages({ body: 'poison', messageId: 'm-poison' }));
    const receiver = peekLockReceiver(queue);
    for (let attempt = 0; attempt < 2; attempt++) {
      const [message] = await receiveExactly(receiver, 1);
      await receiver.abandonMessage(message!);
    }
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 200 })).toEqual([]);
    expect(peer.stats(queue)).toEqual({ active: 0, scheduled: 0, locked: 0, deadLettered: 1 });

    const deadLetters = peekLockReceiver(queue, 'deadLetter');
    const [peeked] = await deadLetters.peekMessages(5);
    expect(peeked?.messageId).toBe('m-poison');
    expect(peeked?.deadLetterReason).toBe('MaxDeliveryCountExceeded');
    expect(peer.stats(queue).deadLettered).toBe(1);

    const [dead] = await receiveExactly(deadLetters, 1);
    expect(dead?.deadLetterReason).toBe('MaxDeliveryCountExceeded');
    expect(dead?.deadLetterErrorDescription).toBe('Message could not be consumed after 2 delivery attempts.');
    expect(dead?.sequenceNumber?.toNumber()).toBe(1);
    await deadLetters.completeMessage(dead!);
    expect(peer.stats(queue).deadLettered).toBe(0);
    await Promise.all([receiver.close(), deadLetters.close()]);
  });

  it('keeps the reason and description of an explicit dead-letter', async () => {
    const queue = newQueue();
    await withSender(queue, (sender) => sender.sendMessages({ body: 'bad', messageId: 'm-bad' }));
    const receiver = peekLockReceiver(queue);
    const [message] = await receiveExactly(receiver, 1);
    await receiver.deadLetterMessage(message!, {
      deadLetterReason: 'InvalidScope',
      deadLetterErrorDescription: 'scope x is unknown',
    });
    expect(await receiver.peekMessages(5)).toEqual([]);

    const deadLetters = client.createReceiver(`${queue}/$deadletterqueue`);
    const [dead] = await receiveExactly(deadLetters, 1);
    expect(dead?.messageId).toBe('m-bad');
    expect(dead?.deadLetterReason).toBe('InvalidScope');
    expect(dead?.deadLetterErrorDescription).toBe('scope x is unknown');
    // As the service does, the reason travels as application properties of the dead-lettered message.
    expect(dead?.applicationProperties).toMatchObject({
      DeadLetterReason: 'InvalidScope',
      DeadLetterErrorDescription: 'scope x is unknown',
    });
    await deadLetters.completeMessage(dead!);
    await Promise.all([receiver.close(), deadLetters.close()]);
  });

  it('redelivers after the lock expires, and completing with the lost lock fails with MessageLockLost', async () => {
    const queue = newQueue({ lockDurationMs: 500 });
    await withSender(queue, (sender) => sender.sendMessages({ body: 'slow', messageId: 'm-slow' }));
    const receiver = peekLockReceiver(queue);
    const [first] = await receiveExactly(receiver, 1);
    await sleep(700);
    expect(peer.stats(queue)).toMatchObject({ active: 1, locked: 0 });

    const error: unknown = await receiver.completeMessage(first!).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isServiceBusError(error) && error.code).toBe('MessageLockLost');

    const [again] = await receiveExactly(receiver, 1);
    expect(again?.messageId).toBe('m-slow');
    expect(again?.deliveryCount).toBe(1);
    await receiver.completeMessage(again!);
    await receiver.close();
  });

  it('extends a lock with renewMessageLock', async () => {
    const queue = newQueue({ lockDurationMs: 1_000 });
    await withSender(queue, (sender) => sender.sendMessages({ body: 'long job' }));
    const receiver = peekLockReceiver(queue);
    const [message] = await receiveExactly(receiver, 1);
    const firstExpiry = message!.lockedUntilUtc!.getTime();
    await sleep(600);
    const renewed = await receiver.renewMessageLock(message!);
    expect(renewed.getTime()).toBeGreaterThan(firstExpiry);
    await sleep(600); // past the original expiry, within the renewed one
    expect(peer.stats(queue)).toMatchObject({ locked: 1, active: 0 });
    await receiver.completeMessage(message!);
    expect(peer.stats(queue).locked).toBe(0);

    const error: unknown = await receiver.renewMessageLock(message!).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isServiceBusError(error) && error.code).toBe('MessageLockLost');
    await receiver.close();
  });

  it('drops a repeated MessageId inside the duplicate-detection window and accepts it after', async () => {
    const queue = newQueue({ duplicateDetectionWindowMs: 1_000 });
    await withSender(queue, async (sender) => {
      await sender.sendMessages({ body: 1, messageId: 'dup' });
      await sender.sendMessages({ body: 2, messageId: 'dup' });
      await sender.scheduleMessages({ body: 3, messageId: 'dup' }, new Date(Date.now() + 60_000));
      expect(peer.stats(queue)).toMatchObject({ active: 1, scheduled: 0 });
      await sleep(1_100);
      await sender.sendMessages({ body: 4, messageId: 'dup' });
    });
    expect(peer.stats(queue).active).toBe(2);
    const receiver = client.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
    const received = await receiver.receiveMessages(2, { maxWaitTimeInMs: 3_000 });
    expect(received.map((m) => m.body)).toEqual([1, 4]);
    expect(received[0]?.lockToken).toBeUndefined();
    expect(peer.stats(queue).active).toBe(0);
    await receiver.close();
  });

  it('schedules messages (both ways), peeks them as scheduled, cancels one, and delivers the rest on time', async () => {
    const queue = newQueue();
    const at = new Date(Date.now() + 600);
    const [kept, cancelled] = await withSender(queue, async (sender) => {
      const numbers = await sender.scheduleMessages([{ body: 'kept' }, { body: 'cancelled' }], at);
      await sender.sendMessages({ body: 'by annotation', scheduledEnqueueTimeUtc: at });
      return numbers;
    });
    expect(peer.stats(queue)).toMatchObject({ scheduled: 3, active: 0 });

    const receiver = peekLockReceiver(queue);
    const peeked = await receiver.peekMessages(10, { fromSequenceNumber: kept! });
    expect(peeked.map((m) => [m.body, m.state])).toEqual([
      ['kept', 'scheduled'],
      ['cancelled', 'scheduled'],
      ['by annotation', 'scheduled'],
    ]);

    await withSender(queue, (sender) => sender.cancelScheduledMessages(cancelled!));
    expect(peer.stats(queue).scheduled).toBe(2);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 200 })).toEqual([]);

    const received = await receiveExactly(receiver, 2);
    // Not before the scheduled time (a few ms of timer versus wall-clock rounding allowed).
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime() - 5);
    expect(received.map((m) => m.body)).toEqual(['kept', 'by annotation']);
    expect(received[0]?.scheduledEnqueueTimeUtc?.getTime()).toBe(at.getTime());
    for (const message of received) await receiver.completeMessage(message);
    await receiver.close();
  });

  it('peeks from a sequence number without locking', async () => {
    const queue = newQueue();
    await withSender(queue, (sender) => sender.sendMessages(['a', 'b', 'c'].map((body) => ({ body }))));
    const receiver = peekLockReceiver(queue);
    const peeked = await receiver.peekMessages(2, {
      fromSequenceNumber: (await receiver.peekMessages(1))[0]!.sequenceNumber!.add(1),
    });
    expect(peeked.map((m) => m.body)).toEqual(['b', 'c']);
    expect(peer.stats(queue)).toMatchObject({ active: 3, locked: 0 });
    await receiver.close();
  });

  it('serves subscribe() with explicit settlement', async () => {
    const queue = newQueue();
    await withSender(queue, (sender) => sender.sendMessages(['x', 'y', 'z'].map((body) => ({ body }))));
    const receiver = client.createReceiver(queue);
    const seen: unknown[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const subscription = receiver.subscribe(
        {
          processMessage: async (message) => {
            if (message.body === 'y') {
              await receiver.deadLetterMessage(message, {
                deadLetterReason: 'NotWanted',
                deadLetterErrorDescription: 'y is skipped',
              });
            } else {
              await receiver.completeMessage(message);
            }
            seen.push(message.body);
            if (seen.length === 3) void subscription.close().then(resolve, reject);
          },
          processError: async (args) => reject(args.error),
        },
        { autoCompleteMessages: false, maxConcurrentCalls: 1 },
      );
    });
    await Promise.race([done, sleep(5_000).then(() => Promise.reject(new Error('subscribe timed out')))]);
    expect(seen).toEqual(['x', 'y', 'z']);
    expect(peer.stats(queue)).toEqual({ active: 0, scheduled: 0, locked: 0, deadLettered: 1 });
    await receiver.close();
  });

  it('refuses unknown entities with MessagingEntityNotFound', async () => {
    const sender = client.createSender('no-such-queue');
    const sendError: unknown = await sender.sendMessages({ body: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isServiceBusError(sendError) && sendError.code).toBe('MessagingEntityNotFound');
    await sender.close();

    const receiver = client.createReceiver('no-such-queue');
    const receiveError: unknown = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isServiceBusError(receiveError) && receiveError.code).toBe('MessagingEntityNotFound');
    await receiver.close();
  });

  it('lets the SDK recover after dropConnections', async () => {
    const queue = newQueue();
    // A send already on the wire when the socket dies waits for its operation timeout, as with the
    // real service; keep that short so a lost message would show up as a slow retry, not a hang.
    const ownClient = new ServiceBusClient(peer.connectionString, {
      retryOptions: { retryDelayInMs: 100, timeoutInMs: 3_000 },
    });
    try {
      const sender = ownClient.createSender(queue);
      await sender.sendMessages({ body: 'before' });
      peer.dropConnections();
      await sleep(100); // let the client see the disconnect, as it would before its next operation
      await sender.sendMessages({ body: 'after' });
      const receiver = ownClient.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
      const received = await receiver.receiveMessages(2, { maxWaitTimeInMs: 3_000 });
      expect(received.map((m) => m.body)).toEqual(['before', 'after']);
    } finally {
      await ownClient.close();
    }
  });
});
