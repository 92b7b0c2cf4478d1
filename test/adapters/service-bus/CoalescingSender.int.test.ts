import { ServiceBusClient, type ServiceBusMessage, type ServiceBusSender } from '@azure/service-bus';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoalescingSender } from '../../../src/adapters/service-bus/CoalescingSender';
import { ServiceBusPeer } from '../../support/serviceBusPeer';

const QUEUE = 'commands';

let peer: ServiceBusPeer;
let client: ServiceBusClient;
let sender: ServiceBusSender;
/** What each round trip carried: 1 for a message sent alone, n for a batch of n. */
let sends: number[];

beforeEach(async () => {
  peer = await ServiceBusPeer.start({ queues: { [QUEUE]: { duplicateDetectionWindowMs: 600_000 } } });
  client = new ServiceBusClient(peer.connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 5_000 } });
  sender = client.createSender(QUEUE);
  sends = [];
  // The real SDK sender, counted on the way: which sends it was asked for.
  const sendMessages = sender.sendMessages.bind(sender);
  sender.sendMessages = (payload, options) => {
    sends.push(Array.isArray(payload) ? payload.length : 'count' in payload ? payload.count : 1);
    return sendMessages(payload, options);
  };
});

afterEach(async () => {
  await sender.close().catch(() => undefined);
  await client.close().catch(() => undefined);
  await peer.stop();
});

const message = (id: number, bytes = 10): ServiceBusMessage => ({ messageId: `m-${id}`, body: 'x'.repeat(bytes) });

async function receivedIds(count: number): Promise<string[]> {
  const receiver = client.createReceiver(QUEUE, { receiveMode: 'receiveAndDelete' });
  try {
    const ids: string[] = [];
    while (ids.length < count) {
      const batch = await receiver.receiveMessages(count - ids.length, { maxWaitTimeInMs: 1_000 });
      if (batch.length === 0) break;
      ids.push(...batch.map((received) => String(received.messageId)));
    }
    return ids.sort();
  } finally {
    await receiver.close();
  }
}

describe('CoalescingSender (real SDK, AMQP test peer)', () => {
  it('sends a message alone when nothing else is out', async () => {
    await new CoalescingSender(sender).send(message(1));
    expect(sends).toEqual([1]);
    expect(peer.stats(QUEUE).active).toBe(1);
  });

  it('puts what comes while a send is out into batches: every message arrives once, in far fewer round trips', async () => {
    const coalescing = new CoalescingSender(sender);
    const ids = Array.from({ length: 200 }, (_, i) => i);
    await Promise.all(ids.map((id) => coalescing.send(message(id))));
    expect(sends.reduce((sum, count) => sum + count, 0)).toBe(200);
    expect(sends[0]).toBe(1);
    expect(sends.length).toBeLessThan(20);
    expect(await receivedIds(200)).toEqual(ids.map((id) => `m-${id}`).sort());
  });

  it('keeps duplicate detection per message inside a batch', async () => {
    const coalescing = new CoalescingSender(sender);
    await Promise.all([0, 1, 2, 1, 2, 3].map((id) => coalescing.send(message(id))));
    expect(sends.length).toBeLessThan(6);
    expect(await receivedIds(6)).toEqual(['m-0', 'm-1', 'm-2', 'm-3']);
  });

  it('fails only the message no batch takes; the others in its burst arrive', async () => {
    const coalescing = new CoalescingSender(sender);
    const outcomes = await Promise.allSettled([
      coalescing.send(message(0)),
      coalescing.send(message(1)),
      coalescing.send(message(2, 400 * 1024)), // over Standard's 256 KB
      coalescing.send(message(3)),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(await receivedIds(3)).toEqual(['m-0', 'm-1', 'm-3']);
  });

  it('fails every message of a send that fails, and is not stuck after it', async () => {
    const coalescing = new CoalescingSender(sender);
    await coalescing.send(message(0));
    await peer.stop();
    const outcomes = await Promise.allSettled([1, 2, 3].map((id) => coalescing.send(message(id))));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    await expect(coalescing.send(message(4))).rejects.toBeDefined();
  });
});
