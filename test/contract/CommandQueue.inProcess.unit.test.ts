import { InProcessCommandQueue } from '../../src/adapters/in-process-queue/InProcessCommandQueue';
import { describeCommandQueueContract } from '../../src/ports/CommandQueue.contract';

describeCommandQueueContract('in-process', async () => {
  const queue = new InProcessCommandQueue({ duplicateWindowMs: 60_000, maxDeliveryCount: 3, retryBaseMs: 20 });
  const poisoned = new Set<string>();
  let received: Array<{ messageId: string; body: unknown }> = [];
  queue.start(async (message) => {
    if (poisoned.has(message.messageId)) throw new Error(`refusing ${message.messageId}`);
    received.push({ messageId: message.messageId, body: message.body });
  }, 2);
  return {
    queue,
    failAlways: (messageId) => poisoned.add(messageId),
    receiveAll: async (waitMs) => {
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      await queue.idle();
      const batch = received;
      received = [];
      return batch;
    },
    cleanup: () => queue.stop(),
  };
});
