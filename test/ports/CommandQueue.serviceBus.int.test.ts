import { ServiceBusClient } from '@azure/service-bus';
import { describe, it } from 'vitest';
import { ServiceBusCommandConsumer } from '../../src/adapters/service-bus/ServiceBusCommandConsumer';
import { ServiceBusCommandQueue } from '../../src/adapters/service-bus/ServiceBusCommandQueue';
import { captureLogger } from '../support/captureLogger';
import { ServiceBusPeer } from '../support/serviceBusPeer';
import { type CommandQueueFixture, describeCommandQueueContract } from './contracts/CommandQueue.contract';

const MAX_DELIVERY_COUNT = 3;

async function fixtureOn(
  connectionString: string,
  queueName: string,
  cleanup: () => Promise<void>,
): Promise<CommandQueueFixture> {
  const client = new ServiceBusClient(connectionString);
  const queue = new ServiceBusCommandQueue(client, queueName);
  const consumer = new ServiceBusCommandConsumer(client, queueName, captureLogger().logger);
  const sender = client.createSender(queueName);
  return {
    queue,
    consumer,
    maxDeliveryCount: MAX_DELIVERY_COUNT,
    sendRaw: async (body, messageId) => sender.sendMessages({ body, messageId }),
    cleanup: async () => {
      await sender.close();
      await queue.close();
      await client.close();
      await cleanup();
    },
  };
}

// On the AMQP test peer: a fresh queue per test, Service Bus settings as the compose file declares them.
describeCommandQueueContract('Service Bus (test peer)', async () => {
  const peer = await ServiceBusPeer.start({
    queues: {
      commands: { maxDeliveryCount: MAX_DELIVERY_COUNT, duplicateDetectionWindowMs: 600_000, lockDurationMs: 5_000 },
    },
  });
  return fixtureOn(peer.connectionString, 'commands', () => peer.stop());
});

// On a real namespace or the official emulator, when one is given (its queue must be empty, with
// MaxDeliveryCount 3 and duplicate detection on).
const real = process.env.SERVICEBUS_CONNECTION_STRING;
if (real) {
  describeCommandQueueContract('Service Bus (SERVICEBUS_CONNECTION_STRING)', async () =>
    fixtureOn(real, process.env.SERVICEBUS_QUEUE ?? 'workspace-sync-contract', async () => undefined),
  );
} else {
  describe('CommandQueue contract: Service Bus (SERVICEBUS_CONNECTION_STRING)', () => {
    it.skip('needs SERVICEBUS_CONNECTION_STRING (a namespace or the emulator with an empty queue, MaxDeliveryCount 3, duplicate detection on); not set here', () =>
      undefined);
  });
}
