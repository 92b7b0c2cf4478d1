import { describe, expect, it } from 'vitest';
import { InProcessCommandQueue } from '../../../src/adapters/in-process-queue/InProcessCommandQueue';

describe('InProcessCommandQueue', () => {
  it('counts deliveries, backs off between them and completes on success', async () => {
    const queue = new InProcessCommandQueue({ duplicateWindowMs: 1_000, maxDeliveryCount: 5, retryBaseMs: 40 });
    const seen: Array<{ count: number; at: number }> = [];
    await queue.start(
      async (message) => {
        seen.push({ count: message.deliveryCount, at: Date.now() });
        if (message.deliveryCount < 3) throw new Error('transient');
        return { kind: 'complete' };
      },
      { concurrency: 1 },
    );
    await queue.sendRaw({ any: 'body' }, 'm-1');
    await queue.idle(1_000);
    await queue.stop();
    expect(seen.map((s) => s.count)).toEqual([1, 2, 3]);
    // Second retry waits about twice the first (40 ms, then 80 ms, ±20% jitter).
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(30);
    expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(60);
    expect(await queue.listDeadLetters()).toEqual([]);
  });

  it('keeps unparseable bodies in the dead-letter list with a null command', async () => {
    const queue = new InProcessCommandQueue({ duplicateWindowMs: 1_000, maxDeliveryCount: 1, retryBaseMs: 1 });
    await queue.start(
      async () => {
        throw new Error('cannot handle');
      },
      { concurrency: 1 },
    );
    await queue.sendRaw('not a command', 'm-2');
    await queue.idle();
    await queue.stop();
    const [dead] = await queue.listDeadLetters();
    expect(dead).toMatchObject({
      messageId: 'm-2',
      reason: 'MaxDeliveryCountExceeded',
      description: 'cannot handle',
      deliveryCount: 1,
      command: null,
    });
  });

  it('accepts a message id again once the duplicate window has passed', async () => {
    let now = 0;
    const queue = new InProcessCommandQueue({
      duplicateWindowMs: 1_000,
      maxDeliveryCount: 1,
      retryBaseMs: 1,
      now: () => now,
    });
    expect(await queue.sendRaw({}, 'x')).toBe(true);
    now = 999;
    expect(await queue.sendRaw({}, 'x')).toBe(false);
    now = 1_000;
    expect(await queue.sendRaw({}, 'x')).toBe(true);
    expect(queue.depth).toBe(2);
  });

  it('stop() waits for the message being handled and leaves waiting ones queued', async () => {
    const queue = new InProcessCommandQueue({ duplicateWindowMs: 1_000, maxDeliveryCount: 1, retryBaseMs: 1 });
    let finished = false;
    await queue.start(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        finished = true;
        return { kind: 'complete' };
      },
      { concurrency: 1 },
    );
    await queue.sendRaw({}, 'slow');
    await queue.sendRaw({}, 'waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await queue.stop();
    expect(finished).toBe(true);
    expect(queue.depth).toBe(1);
  });
});
