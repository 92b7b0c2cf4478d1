import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import { isServiceBusError, ServiceBusClient } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeerQueueOptions } from '../support/serviceBusPeer';
import { ServiceBusPeer } from '../support/serviceBusPeer';

/** Less travelled paths of the peer, still driven only through @azure/service-bus. */
describe('ServiceBusPeer edge cases through @azure/service-bus', () => {
  let peer: ServiceBusPeer;
  let client: ServiceBusClient;

  beforeAll(async () => {
    peer = await ServiceBusPeer.start();
    client = new ServiceBusClient(peer.connectionString, {
      retryOptions: { maxRetries: 2, retryDelayInMs: 50, timeoutInMs: 3_000 },
    });
  });

  afterAll(async () => {
    await client?.close();
    await peer?.stop();
  });

  function newQueue(options?: PeerQueueOptions): string {
    const name = `edge-${randomUUID().slice(0, 8)}`;
    peer.createQueue(name, options);
    return name;
  }

  async function send(queue: string, ...bodies: unknown[]): Promise<void> {
    const sender = client.createSender(queue);
    await sender.sendMessages(bodies.map((body) => ({ body })));
    await sender.close();
  }

  async function failure(promise: Promise<unknown>): Promise<unknown> {
    return promise.then(
      () => undefined,
      (e: unknown) => e,
    );
  }

  it('settles through $management when the receive link is gone, because locks outlive links', async () => {
    const queue = newQueue();
    await send(queue, 'survives a reconnect');
    const receiver = client.createReceiver(queue, { maxAutoLockRenewalDurationInMs: 0 });
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 3_000 });
    expect(message).toBeDefined();
    peer.dropConnections();
    await sleep(100);
    expect(peer.stats(queue)).toMatchObject({ locked: 1 });
    await receiver.completeMessage(message as ServiceBusReceivedMessage);
    expect(peer.stats(queue)).toEqual({ active: 0, scheduled: 0, locked: 0, deadLettered: 0 });
    await receiver.close();
  });

  it('expires messages by their header TTL: dropped, or dead-lettered when the queue says so', async () => {
    const dropping = newQueue();
    const deadLettering = newQueue({ deadLetterOnExpiration: true });
    for (const queue of [dropping, deadLettering]) {
      const sender = client.createSender(queue);
      await sender.sendMessages({ body: 'short-lived', timeToLive: 150 });
      await sender.close();
    }
    await sleep(250);
    expect(peer.stats(dropping)).toEqual({ active: 0, scheduled: 0, locked: 0, deadLettered: 0 });
    expect(peer.stats(deadLettering)).toMatchObject({ active: 0, deadLettered: 1 });

    const deadLetters = client.createReceiver(deadLettering, {
      subQueueType: 'deadLetter',
      receiveMode: 'receiveAndDelete',
    });
    const [dead] = await deadLetters.receiveMessages(1, { maxWaitTimeInMs: 3_000 });
    expect(dead?.deadLetterReason).toBe('TTLExpiredException');
    await deadLetters.close();
  });

  it('reports MessageNotFound when cancelling a sequence number that is not scheduled', async () => {
    const queue = newQueue();
    const sender = client.createSender(queue);
    const [sequenceNumber] = await sender.scheduleMessages({ body: 'once' }, new Date(Date.now() + 60_000));
    await sender.cancelScheduledMessages(sequenceNumber!);
    const error = await failure(sender.cancelScheduledMessages(sequenceNumber!));
    expect(isServiceBusError(error) && error.code).toBe('MessageNotFound');
    await sender.close();
  });

  it('treats entity names case-insensitively and peeks an empty queue as empty', async () => {
    const queue = newQueue();
    await send(queue.toUpperCase(), 'shouted');
    const receiver = client.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 3_000 });
    expect(message?.body).toBe('shouted');
    expect(await receiver.peekMessages(5)).toEqual([]);
    await receiver.close();
  });

  it('keeps sequence numbers per queue', async () => {
    const first = newQueue();
    const second = newQueue();
    await send(first, 'a', 'b');
    await send(second, 'c');
    const peekFirst = client.createReceiver(first);
    const peekSecond = client.createReceiver(second);
    expect((await peekFirst.peekMessages(5)).map((m) => m.sequenceNumber?.toNumber())).toEqual([1, 2]);
    expect((await peekSecond.peekMessages(5)).map((m) => m.sequenceNumber?.toNumber())).toEqual([1]);
    await Promise.all([peekFirst.close(), peekSecond.close()]);
  });
});
