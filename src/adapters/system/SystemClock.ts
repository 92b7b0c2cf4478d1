import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../../ports/Clock';

/** Wall-clock time and real timers. */
export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return;
    try {
      await delay(ms, undefined, signal ? { signal } : undefined);
    } catch (error) {
      // An aborted sleep ends early by contract; the timer is cleared with it.
      if (!signal?.aborted) throw error;
    }
  }
}
