import { ServiceBusClient } from '@azure/service-bus';
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceBusCommandQueue } from '../../../src/adapters/service-bus/ServiceBusCommandQueue';
import { GLOBAL_SCOPE } from '../../../src/domain/shared/Scope';
import { CommandQueueError } from '../../../src/ports/CommandQueue';
import { ServiceBusPeer } from '../../support/serviceBusPeer';

const QUEUE = { commands: { maxDeliveryCount: 3, duplicateDetectionWindowMs: 600_000, lockDurationMs: 5_000 } };

/** `open` does ahead of time what the first send would do on its way: attach the sender's link. */
describe('ServiceBusCommandQueue.open (AMQP test peer)', () => {
  const closing: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close().catch(() => undefined);
  });

  async function queueOn(peer: ServiceBusPeer): Promise<ServiceBusCommandQueue> {
    const client = new ServiceBusClient(peer.connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 5_000 } });
    const queue = new ServiceBusCommandQueue(client, 'commands');
    closing.push(
      () => client.close(),
      () => queue.close(),
    );
    return queue;
  }

  it('attaches the sender link before any send, which then uses it; nothing is queued by opening', async () => {
    const peer = await ServiceBusPeer.start({ queues: QUEUE });
    closing.push(() => peer.stop());
    const queue = await queueOn(peer);
    expect(peer.sendersAttached('commands')).toBe(0);

    await queue.open();
    expect(peer.sendersAttached('commands')).toBe(1);
    expect(peer.stats('commands').active).toBe(0);

    await queue.send({
      scope: GLOBAL_SCOPE,
      trigger: 'manual',
      deliveryId: 'manual:1',
      requestedAt: new Date(0).toISOString(),
    });
    expect(peer.sendersAttached('commands')).toBe(1);
    expect(peer.stats('commands').active).toBe(1);
  });

  it('fails as CommandQueueError Unavailable when the namespace is not there', async () => {
    const peer = await ServiceBusPeer.start({ queues: QUEUE });
    const queue = await queueOn(peer);
    await peer.stop();
    const error = await queue.open().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CommandQueueError);
    expect(error).toMatchObject({ code: 'Unavailable', retryable: true });
  });
});
