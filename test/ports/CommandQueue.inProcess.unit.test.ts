import { InProcessCommandQueue } from '../../src/adapters/in-process-queue/InProcessCommandQueue';
import { describeCommandQueueContract } from './contracts/CommandQueue.contract';

describeCommandQueueContract('in-process', async () => {
  const queue = new InProcessCommandQueue({ duplicateWindowMs: 60_000, maxDeliveryCount: 3, retryBaseMs: 20 });
  return {
    queue,
    consumer: queue,
    maxDeliveryCount: 3,
    sendRaw: async (body, messageId) => {
      await queue.sendRaw(body, messageId);
    },
  };
});
