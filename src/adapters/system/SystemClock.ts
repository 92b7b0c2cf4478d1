import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../../ports/Clock';

/** Wall-clock time and real timers. */
export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }

  async sleep(ms: number): Promise<void> {
    if (ms <= 0) return;
    await delay(ms);
  }
}
