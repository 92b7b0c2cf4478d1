import { describe, expect, it } from 'vitest';
import { BoundedTasks } from '../../../src/domain/shared/BoundedTasks';

/** A task that ends when the test says so. */
function gate(): { promise: Promise<void>; open(): void; fail(error: Error): void } {
  let open = (): void => undefined;
  let fail = (_error: Error): void => undefined;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const settled = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('BoundedTasks', () => {
  it('keeps at most maxTasks running; add waits until one ends', async () => {
    const tasks = new BoundedTasks(2, 1_000);
    const gates = [gate(), gate(), gate()];
    let started = 0;
    const run = (index: number) => () => {
      started++;
      return gates[index]!.promise;
    };
    await tasks.add(1, run(0));
    await tasks.add(1, run(1));
    let thirdAdded = false;
    const third = tasks.add(1, run(2)).then(() => {
      thirdAdded = true;
    });
    await settled();
    expect([started, thirdAdded]).toEqual([2, false]);
    gates[1]!.open();
    await third;
    expect(started).toBe(3);
    gates[0]!.open();
    gates[2]!.open();
    await tasks.drain();
  });

  it('keeps the weight in flight at most maxWeight, but always lets one task run', async () => {
    const tasks = new BoundedTasks(100, 10);
    const first = gate();
    await tasks.add(8, () => first.promise);
    let roomFound = false;
    const room = tasks.room(5).then(() => {
      roomFound = true;
    });
    await settled();
    expect(roomFound).toBe(false);
    first.open();
    await room;
    // A task heavier than the budget still runs, alone.
    await tasks.add(50, () => Promise.resolve());
    await tasks.drain();
  });

  it('rethrows the first failure from the next add, and from drain after every task ended', async () => {
    const tasks = new BoundedTasks(4, 100);
    const slow = gate();
    let slowEnded = false;
    await tasks.add(1, async () => {
      await slow.promise;
      slowEnded = true;
    });
    await tasks.add(1, () => Promise.reject(new Error('first')));
    await tasks.add(1, () => Promise.reject(new Error('second'))).catch(() => undefined);
    await settled();
    await expect(tasks.add(1, () => Promise.resolve())).rejects.toThrow('first');
    const drained = tasks.drain().catch((error: Error) => error.message);
    await settled();
    expect(slowEnded).toBe(false);
    slow.open();
    expect(await drained).toBe('first');
    expect(slowEnded).toBe(true);
  });

  it('runs many tasks through a wide bound, each once', async () => {
    const tasks = new BoundedTasks(512, Number.POSITIVE_INFINITY);
    let done = 0;
    for (let i = 0; i < 20_000; i++) {
      await tasks.add(1, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        done++;
      });
    }
    await tasks.drain();
    expect(done).toBe(20_000);
  });
});
