import { ServiceBusClient } from '@azure/service-bus';
import { describe, expect, it } from 'vitest';
import { ServiceBusCommandQueue } from '../../../src/adapters/service-bus/ServiceBusCommandQueue';
import { GLOBAL_SCOPE } from '../../../src/domain/shared/Scope';
import type { SyncCommand } from '../../../src/domain/sync/SyncCommand';
import { CommandQueueError } from '../../../src/ports/CommandQueue';
import { Fault } from '../../../src/ports/Fault';
import { ServiceBusPeer } from '../../support/serviceBusPeer';

const command: SyncCommand = {
  scope: GLOBAL_SCOPE,
  trigger: 'manual',
  deliveryId: 'manual:1',
  requestedAt: new Date(0).toISOString(),
};

/** Faults are recognised by `instanceof Fault` only: the SDK's errors must be mapped, or they would no longer be retried. */
describe('Service Bus queue faults (AMQP test peer)', () => {
  it('a namespace stopped mid-run is CommandQueueError Unavailable: a retryable Fault', async () => {
    const peer = await ServiceBusPeer.start({
      queues: { commands: { maxDeliveryCount: 3, duplicateDetectionWindowMs: 600_000, lockDurationMs: 5_000 } },
    });
    const client = new ServiceBusClient(peer.connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 5_000 } });
    const queue = new ServiceBusCommandQueue(client, 'commands');
    try {
      expect(await queue.send(command)).toBe(true);
      await peer.stop();
      for (const operation of [
        () => queue.send({ ...command, deliveryId: 'manual:2' }),
        () => queue.listDeadLetters(),
      ]) {
        const error = await operation().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(CommandQueueError);
        expect(error).toBeInstanceOf(Fault);
        expect(error).toMatchObject({ code: 'Unavailable', retryable: true });
        expect(JSON.stringify(error)).not.toContain('SharedAccessKey');
      }
    } finally {
      await queue.close().catch(() => undefined);
      await client.close().catch(() => undefined);
      await peer.stop();
    }
  });
});
